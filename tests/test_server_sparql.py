"""The SPARQL endpoint: the protocol in process through Flask's test client, then the real
server through SPARQLWrapper, requests, curl and Jena's client (marked live).

Content negotiation is in test_negotiation.py, the query scan's own tests in test_query_check.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
import requests
from helpers import (
    CONSTRUCT,
    EXPECTED,
    JENA,
    NORWAY,
    PREFIX,
    TIMEOUT,
    Listener,
    escaped_service_queries,
    require,
    rows_from_json,
)
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

# ------------------------------------------------------------------ in process


@pytest.mark.parametrize(
    ("method", "headers", "data", "status"),
    [
        ("PUT", {}, "query=ASK{}", 405),
        ("DELETE", {}, None, 405),
        ("POST", {"Content-Type": "text/plain"}, "ASK {}", 415),
        (
            "POST",
            {"Content-Type": "application/sparql-update"},
            "INSERT DATA { <a:a> <a:b> <a:c> }",
            400,
        ),
        ("POST", {"Content-Type": "application/x-www-form-urlencoded"}, "update=CLEAR+ALL", 400),
        ("GET", {}, None, 200),  # no query: the service description
    ],
)
def test_protocol_errors(client, method, headers, data, status):
    response = client.open("/sparql", method=method, headers=headers, data=data)
    assert response.status_code == status, response.text


def test_request_body_is_bounded(client):
    big = "ASK { " + "?s ?p ?o . " * 3000 + "}"
    response = client.post(
        "/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_update_keyword_in_a_query_is_refused(client):
    response = client.get("/sparql", query_string={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert response.status_code == 400 and "read-only" in response.json["error"]
    # The word in a literal or an IRI is no update.
    ok = client.get(
        "/sparql",
        query_string={"query": 'ASK { ?s ?p "DELETE SERVICE" FILTER (?s != <http://x/DROP>) }'},
    )
    assert ok.status_code == 200


def test_results_are_capped_and_say_so(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 100
    assert response.headers["NAP-Graph-Truncated"] == "true"
    assert response.headers["NAP-Graph-Result-Limit"] == "100"
    graph = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert (
        len(graph.text.strip().splitlines()) == 100
        and graph.headers["NAP-Graph-Truncated"] == "true"
    )


def test_service_never_reaches_the_address_it_names(client):
    listener = Listener()
    try:
        endpoint = f"http://127.0.0.1:{listener.port}/sparql"
        for query in (
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
            f"PREFIX e: <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ SeRvIcE e:sparql {{ ?s ?p ?o }} }}",
        ):
            response = client.get("/sparql", query_string={"query": query})
            assert (
                response.status_code == 400 and "SERVICE is not allowed" in response.json["error"]
            )
        for dataset in ({"default-graph-uri": endpoint}, {"named-graph-uri": endpoint}):
            response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", **dataset})
            assert response.status_code == 200 and response.json["boolean"] is False
            assert response.headers["NAP-Graph-Unknown-Graphs"] == f"<{endpoint}>"
        response = client.get(
            "/sparql", query_string={"query": f"ASK FROM <{endpoint}> {{ ?s ?p ?o }}"}
        )
        assert response.status_code == 200 and response.json["boolean"] is False
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_long_query_is_cut_at_the_limit_and_the_next_is_answered_at_once(client):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": slow})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json["code"] == "QUERY_TIMEOUT"
    assert elapsed < 10  # the limit is 2 s in this app
    started = time.monotonic()
    answer = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert answer.status_code == 200 and answer.json["boolean"] is True
    assert time.monotonic() - started < 2


def test_dataset_parameters_choose_graphs(client):
    naps = "https://w3id.org/nap-graph/graph/naps"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }"
    everything = client.get("/sparql", query_string={"query": count}).json
    only_naps = client.get("/sparql", query_string={"query": count, "default-graph-uri": naps}).json
    assert int(everything["results"]["bindings"][0]["n"]["value"]) > 0
    assert int(only_naps["results"]["bindings"][0]["n"]["value"]) == 0


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef("http://localhost/sparql")  # the test client's address
    assert (endpoint, RDF.type, sd.Service) in graph
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    dataset = graph.value(endpoint, sd.defaultDataset)
    names = {str(graph.value(g, sd.name)) for g in graph.objects(dataset, sd.namedGraph)}
    assert "https://w3id.org/nap-graph/graph/naps" in names
    assert any(str(p) == "http://rdfs.org/ns/void#triples" for p in graph.predicates())


def test_unknown_relative_graph_is_reported_resolved(client):
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT * FROM <nowhere> WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.headers["NAP-Graph-Unknown-Graphs"] == "<http://localhost/nowhere>"


def test_cors(client):
    response = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_error_shape_everywhere(client):
    """Every error a program gets is {"ok": false, "error", "code", "status"} (one JSON shape)."""
    for method, path, kwargs in (
        ("GET", "/sparql", {"query_string": {"query": "SELEC"}}),
        ("PUT", "/sparql", {}),
        ("GET", "/id/country/ATL", {}),
        ("GET", "/download/nothing.ttl", {}),
        ("GET", "/no/such/page", {}),
    ):
        response = client.open(
            path, method=method, headers={"Accept": "application/json"}, **kwargs
        )
        body = response.json
        assert set(body) == {"ok", "error", "code", "status"}, (path, body)
        assert body["ok"] is False and body["status"] == response.status_code


def test_json_results_have_no_nonstandard_fields(client):
    body = client.get("/sparql", query_string={"query": NORWAY}).json
    assert set(body) == {"head", "results"}


def test_escaped_service_never_reaches_the_address_it_names(client):
    listener = Listener()
    try:
        for query in escaped_service_queries(listener.port):
            for method in ("GET", "POST"):
                response = client.open(
                    "/sparql",
                    method=method,
                    **(
                        {"query_string": {"query": query}}
                        if method == "GET"
                        else {"data": {"query": query}}
                    ),
                )
                assert response.status_code == 400, (query, response.text)
                assert "SERVICE is not allowed" in response.json["error"]
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_service_in_a_comment_is_refused_as_it_cannot_be_told_from_the_keyword(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o } # no SERVICE here"})
    assert response.status_code == 400 and "comment" in response.json["error"]
    # As a variable, a prefixed name, an IRI, a string or a language tag, the word is fine.
    fine = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?service a sd:Service "
        'FILTER (?service != <http://x/service> && ?service != "SERVICE"@service) }'
    )
    answer = client.get("/sparql", query_string={"query": fine})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "dataset",
    [
        {"default-graph-uri": "not an iri"},
        {"named-graph-uri": ""},
        {"default-graph-uri": "relative/graph"},
    ],
)
def test_a_dataset_parameter_that_is_no_iri_is_400_and_the_workers_live_on(client, dataset):
    before = client.get("/health").json
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", **dataset})
    assert response.status_code == 400
    body = response.json
    assert body["code"] == "QUERY_REJECTED" and "must be an absolute IRI" in body["error"]
    answer = client.get("/sparql", query_string={"query": NORWAY})
    assert answer.status_code == 200
    after = client.get("/health").json
    assert after["workers"] == before["workers"]


@pytest.fixture(scope="module")
def capped_app(built, tmp_path_factory):
    """The app with a small byte cap on answers and little memory for each query."""
    from server import create_app

    app = create_app(
        {
            "TESTING": True,
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path_factory.mktemp("capped") / "cache"),
            "MAX_RESULT_BYTES": 20000,
            "QUERY_MEMORY_BYTES": 300000000,
            "QUERY_TIMEOUT": 20,
        }
    )
    yield app
    app.extensions["nap_graph"].close()


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+xml"),
        ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
        # Few rows, each long: a row cap alone let 30 of these make 477 MB.
        (
            "SELECT ?p (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o } GROUP BY ?p LIMIT 30",
            "application/sparql-results+json",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json"),
    ],
)
def test_answers_are_capped_in_bytes_and_say_so(capped_app, query, accept):
    response = capped_app.test_client().get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 200, response.text
    assert len(response.data) <= 20000
    assert response.headers["NAP-Graph-Truncated"] == "true"
    if accept.endswith("json"):
        json.loads(response.data)  # still a whole document


def test_a_query_past_its_memory_stops_alone(capped_app):
    """A worker may allocate QUERY_MEMORY_BYTES (300 MB here): past it the query fails, 400."""
    client = capped_app.test_client()
    big = "x" * 1000
    query = f'SELECT (STRLEN(GROUP_CONCAT(?big)) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f BIND("{big}" AS ?big) }}'
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400, response.text
    assert "memory" in response.json["error"]
    again = client.get("/sparql", query_string={"query": NORWAY})
    assert again.status_code == 200 and rows_from_json(again.json) == EXPECTED


# ------------------------------------------------------------------ the real server (live)


def wrapper(server, fmt, method="GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.live
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(live_server, method):
    client = wrapper(live_server, JSON, method)
    client.setQuery(NORWAY)
    assert rows_from_json(client.query().convert()) == EXPECTED


@pytest.mark.live
def test_sparqlwrapper_xml_csv_tsv_give_the_same_rows(live_server):
    client = wrapper(live_server, XML)
    client.setQuery(NORWAY)
    document = client.query().convert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    xml_rows = (
        [
            tuple(b.find(f"{ns}literal").text for b in r.findall(f"{ns}binding"))
            for r in document.getroot().iter(f"{ns}result")
        ]
        if hasattr(document, "getroot")
        else None
    )
    if xml_rows is None:  # SPARQLWrapper returns a minidom document
        xml_rows = [
            tuple(
                b.getElementsByTagName("literal")[0].firstChild.data
                for b in r.getElementsByTagName("binding")
            )
            for r in document.getElementsByTagName("result")
        ]
    assert xml_rows == EXPECTED

    client = wrapper(live_server, CSV)
    client.setQuery(NORWAY)
    table = list(csv.reader(io.StringIO(client.query().convert().decode())))
    assert table[0] == ["edition", "start"] and [tuple(r) for r in table[1:]] == EXPECTED

    client = wrapper(live_server, TSV)
    client.setQuery(NORWAY)
    lines = client.query().convert().decode().splitlines()
    assert lines[0] == "?edition\t?start"
    assert lines[1] == '1\t"2006"^^<http://www.w3.org/2001/XMLSchema#gYear>'


@pytest.mark.live
def test_sparqlwrapper_ask(live_server):
    client = wrapper(live_server, JSON)
    client.setQuery("ASK { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }")
    assert client.query().convert()["boolean"] is True


@pytest.mark.live
@pytest.mark.parametrize(
    ("fmt", "parser"), [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, "xml"), ("json-ld", "json-ld")]
)
def test_sparqlwrapper_construct(live_server, fmt, parser):
    client = wrapper(live_server, fmt)
    client.setQuery(CONSTRUCT)
    result = client.query()
    # SPARQLWrapper's own conversion goes through rdflib classes that warn of their deprecation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=result.response.read(), format=parser)
    assert len(graph) > 10
    assert (
        URIRef("https://w3id.org/nap-graph/id/country/NOR"),
        URIRef("https://w3id.org/nap-graph/def/wps#iso3166Alpha3"),
        Literal("NOR"),
    ) in graph


@pytest.mark.live
def test_sparqlwrapper_and_curl_agree(live_server):
    client = wrapper(live_server, JSON)
    client.setQuery(NORWAY)
    through_wrapper = client.query().convert()
    through_curl = subprocess.run(
        [
            "curl",
            "-s",
            "--max-time",
            str(TIMEOUT),
            "-G",
            live_server.url + "/sparql",
            "-H",
            "Accept: application/sparql-results+json",
            "--data-urlencode",
            f"query={NORWAY}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    ).stdout
    assert json.loads(through_curl) == through_wrapper


@pytest.mark.live
def test_malformed_query_is_400_with_the_parsers_message(live_server):
    client = wrapper(live_server, JSON)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed) as failure:
        client.query()
    assert "malformed query" in str(failure.value)
    response = requests.get(
        live_server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json()["code"] == "QUERY_REJECTED" and "error at 1:" in response.json()["error"]


@pytest.mark.live
def test_a_slow_query_does_not_block_the_others(live_server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            slow=requests.get(
                live_server.url + "/sparql", params={"query": slow}, timeout=30
            ).status_code
        )
    )
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = requests.get(live_server.url + "/sparql", params={"query": NORWAY}, timeout=30)
    assert fast.status_code == 200 and time.monotonic() - started < 1.5
    thread.join()
    assert result["slow"] == 503


@pytest.mark.live
def test_jena_client_can_query(live_server):
    require("java")
    result = subprocess.run(
        [
            str(JENA),
            "arq.rsparql",
            "--service",
            live_server.url + "/sparql",
            "--query",
            "/dev/stdin",
            "--results",
            "csv",
        ],
        input=NORWAY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [tuple(r) for r in rows[1:]] == EXPECTED


@pytest.mark.live
def test_one_log_line_per_request(live_server):
    marker = "ASK { <https://w3id.org/nap-graph/id/log-marker> ?p ?o }"
    requests.get(live_server.url + "/sparql", params={"query": marker}, timeout=TIMEOUT)
    time.sleep(0.3)
    lines = [line for line in live_server.lines() if "log-marker" in line]
    assert len(lines) == 1 and '"GET /sparql?query=' in lines[0] and " 200 " in lines[0]


def query_workers(pid: int) -> dict[int, str]:
    """The query workers among the processes under pid, with their network namespaces (Linux)."""
    parents, found = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():  # not a process
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it has gone
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    todo = [pid]
    while todo:
        current = todo.pop()
        for child in [child for child, parent in parents.items() if parent == current]:
            todo.append(child)
            try:
                if b"nap_graph.query_worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found[child] = os.readlink(f"/proc/{child}/ns/net")
            except OSError:  # it has gone since
                pass
    return found


@pytest.mark.live
def test_the_server_says_whether_its_workers_have_a_network(live_server):
    # What this machine allows, asked of util-linux's unshare rather than of the server's code:
    # a network namespace of its own, directly or inside a new user namespace.
    allowed = any(
        subprocess.run(["unshare", *flags, "true"], capture_output=True, timeout=30).returncode == 0
        for flags in (["--net"], ["--user", "--net"])
    )
    health = requests.get(live_server.url + "/health", timeout=TIMEOUT).json()
    assert health["network_isolated"] is allowed
    # And it is so: every query worker is in another network namespace than the server's.
    workers = query_workers(live_server.process.pid)
    assert workers
    server_net = os.readlink(f"/proc/{live_server.process.pid}/ns/net")
    assert {net != server_net for net in workers.values()} == {allowed}, workers


@pytest.mark.live
def test_with_default_graphs_only_the_dataset_has_no_named_graphs(w3c_server):
    """SPARQL 1.1 Protocol 2.1.4: the dataset is made of the graphs named, and only of them."""
    data1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def count(**dataset):
        response = requests.get(
            w3c_server.url + "/sparql", params={"query": query, **dataset}, timeout=10
        )
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert count() > 0  # without a dataset, every named graph
    assert count(**{"default-graph-uri": data1}) == 0
    assert count(**{"named-graph-uri": data1}) > 0
    assert count(**{"named-graph-uri": data1}) < count()


@pytest.mark.live
@pytest.mark.parametrize("asked", [TURTLE, N3, RDFXML])
def test_a_graph_format_asked_of_a_select_falls_back_to_accept(live_server, asked):
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setQuery(PREFIX + 'SELECT ?c WHERE { ?c wps:iso3166Alpha3 "NOR" }')
    client.setReturnFormat(asked)
    with pytest.warns(RuntimeWarning, match="Sending Accept header"):  # SPARQLWrapper's own
        result = client.query()
    assert result.response.status == 200
    assert result.info()["content-type"].startswith("application/sparql-results")


@pytest.mark.live
def test_a_results_format_asked_of_a_construct_falls_back_to_accept(live_server):
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    client.setReturnFormat(CSV)
    with pytest.warns(RuntimeWarning, match="Sending Accept header"):
        result = client.query()
    assert result.response.status == 200
    assert not result.info()["content-type"].startswith("text/csv")
