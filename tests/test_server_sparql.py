"""The SPARQL endpoint of the real server, through SPARQLWrapper, requests and Jena's client."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
import requests
from conftest import TIMEOUT, LiveServer
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

PREFIX = "PREFIX wps: <https://w3id.org/nap-graph/def/wps#>\n"
NORWAY = (
    PREFIX
    + """SELECT ?edition ?start WHERE { ?plan a wps:NationalActionPlan ;
    wps:country <https://w3id.org/nap-graph/id/country/NOR> ; wps:edition ?edition .
    OPTIONAL { ?plan wps:startYear ?start } } ORDER BY ?edition"""
)
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }"
EXPECTED = [("1", "2006"), ("2", "2011"), ("3", "2015"), ("4", "2019"), ("5", "2023")]


def wrapper(server, fmt, method="GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def rows_from_json(document: dict) -> list[tuple]:
    return [
        tuple(b[v]["value"] if v in b else None for v in document["head"]["vars"])
        for b in document["results"]["bindings"]
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(live_server, method):
    client = wrapper(live_server, JSON, method)
    client.setQuery(NORWAY)
    assert rows_from_json(client.query().convert()) == EXPECTED


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


def test_sparqlwrapper_ask(live_server):
    client = wrapper(live_server, JSON)
    client.setQuery("ASK { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }")
    assert client.query().convert()["boolean"] is True


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


ACCEPT_TABLE = [
    # (query, Accept, format parameter, expected media type)
    (NORWAY, None, None, "application/sparql-results+json"),
    (NORWAY, "*/*", None, "application/sparql-results+json"),
    (NORWAY, "application/sparql-results+xml", None, "application/sparql-results+xml"),
    (NORWAY, "application/xml", None, "application/sparql-results+xml"),
    (NORWAY, "text/csv", None, "text/csv"),
    (NORWAY, "text/tab-separated-values", None, "text/tab-separated-values"),
    (NORWAY, "application/sparql-results+json, */*;q=0.1", None, "application/sparql-results+json"),
    (
        NORWAY,
        "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
        None,
        "application/sparql-results+xml",
    ),
    (NORWAY, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "text/html"),
    (
        NORWAY,
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        None,
        "application/sparql-results+json",
    ),
    (NORWAY, "text/turtle", "csv", "text/csv"),
    (NORWAY, None, "xml", "application/sparql-results+xml"),
    (NORWAY, None, "text/tab-separated-values", "text/tab-separated-values"),
    (CONSTRUCT, None, None, "text/turtle"),
    (CONSTRUCT, "*/*", None, "text/turtle"),
    (CONSTRUCT, "application/n-triples", None, "application/n-triples"),
    (CONSTRUCT, "application/ld+json", None, "application/ld+json"),
    (CONSTRUCT, "application/json", None, "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", None, "application/rdf+xml"),
    (CONSTRUCT, "text/turtle;q=0.2, application/rdf+xml", None, "application/rdf+xml"),
    (CONSTRUCT, None, "json", "application/ld+json"),
    (CONSTRUCT, None, "xml", "application/rdf+xml"),
    (CONSTRUCT, "application/sparql-results+json", "nt", "application/n-triples"),
]


@pytest.mark.parametrize(("query", "accept", "fmt", "expected"), ACCEPT_TABLE)
def test_content_negotiation(live_server, query, accept, fmt, expected):
    params = {"query": query}
    if fmt:
        params["format"] = fmt
    headers = {"Accept": accept} if accept else {}
    response = requests.get(live_server.url + "/sparql", params=params, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in response.headers["Vary"]


def test_not_acceptable_is_406(live_server):
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": NORWAY},
        headers={"Accept": "image/png"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["error"]


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
def test_protocol_errors(live_server, method, headers, data, status):
    response = requests.request(
        method, live_server.url + "/sparql", headers=headers, data=data, timeout=10
    )
    assert response.status_code == status, response.text


def test_request_body_is_bounded(live_server):
    big = "ASK { " + "?s ?p ?o . " * 3000 + "}"
    response = requests.post(
        live_server.url + "/sparql",
        data=big.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert response.status_code == 413


def test_update_keyword_in_a_query_is_refused(live_server):
    response = requests.get(
        live_server.url + "/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"}, timeout=TIMEOUT
    )
    assert response.status_code == 400 and "read-only" in response.json()["error"]
    # The word in a literal or an IRI is no update.
    ok = requests.get(
        live_server.url + "/sparql",
        params={"query": 'ASK { ?s ?p "DELETE SERVICE" FILTER (?s != <http://x/DROP>) }'},
        timeout=TIMEOUT,
    )
    assert ok.status_code == 200


def test_results_are_capped_and_say_so(live_server):
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 100
    assert response.headers["NAP-Graph-Truncated"] == "true"
    assert response.headers["NAP-Graph-Result-Limit"] == "100"
    graph = requests.get(
        live_server.url + "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=TIMEOUT,
    )
    assert (
        len(graph.text.strip().splitlines()) == 100
        and graph.headers["NAP-Graph-Truncated"] == "true"
    )


class Listener:
    """A TCP listener on this machine that records whether anybody connects."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()


def test_service_never_reaches_the_address_it_names(live_server):
    listener = Listener()
    try:
        endpoint = f"http://127.0.0.1:{listener.port}/sparql"
        for query in (
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
            f"PREFIX e: <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ SeRvIcE e:sparql {{ ?s ?p ?o }} }}",
        ):
            response = requests.get(
                live_server.url + "/sparql", params={"query": query}, timeout=10
            )
            assert (
                response.status_code == 400 and "SERVICE is not allowed" in response.json()["error"]
            )
        for dataset in ({"default-graph-uri": endpoint}, {"named-graph-uri": endpoint}):
            response = requests.get(
                live_server.url + "/sparql",
                params={"query": "ASK { ?s ?p ?o }", **dataset},
                timeout=10,
            )
            assert response.status_code == 200 and response.json()["boolean"] is False
            assert response.headers["NAP-Graph-Unknown-Graphs"] == f"<{endpoint}>"
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": f"ASK FROM <{endpoint}> {{ ?s ?p ?o }}"},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["boolean"] is False
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_long_query_is_cut_at_the_limit_and_the_next_is_answered_at_once(live_server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = requests.get(live_server.url + "/sparql", params={"query": slow}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["code"] == "QUERY_TIMEOUT"
    assert elapsed < 10  # the limit is 2 s in this server
    started = time.monotonic()
    answer = requests.get(
        live_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30
    )
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert time.monotonic() - started < 2


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


def test_dataset_parameters_choose_graphs(live_server):
    naps = "https://w3id.org/nap-graph/graph/naps"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }"
    everything = requests.get(
        live_server.url + "/sparql", params={"query": count}, timeout=TIMEOUT
    ).json()
    only_naps = requests.get(
        live_server.url + "/sparql",
        params={"query": count, "default-graph-uri": naps},
        timeout=TIMEOUT,
    ).json()
    assert int(everything["results"]["bindings"][0]["n"]["value"]) > 0
    assert int(only_naps["results"]["bindings"][0]["n"]["value"]) == 0


def test_service_description(live_server):
    response = requests.get(
        live_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=TIMEOUT
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef(live_server.url + "/sparql")
    assert (endpoint, RDF.type, sd.Service) in graph
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    dataset = graph.value(endpoint, sd.defaultDataset)
    names = {str(graph.value(g, sd.name)) for g in graph.objects(dataset, sd.namedGraph)}
    assert "https://w3id.org/nap-graph/graph/naps" in names
    assert any(str(p) == "http://rdfs.org/ns/void#triples" for p in graph.predicates())


def test_unknown_relative_graph_is_reported_resolved(live_server):
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "SELECT * FROM <nowhere> WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.headers["NAP-Graph-Unknown-Graphs"] == f"<{live_server.url}/nowhere>"


def test_jena_client_can_query(live_server):
    from test_external_tools import JENA, require

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


def test_one_log_line_per_request(live_server):
    marker = "ASK { <https://w3id.org/nap-graph/id/log-marker> ?p ?o }"
    requests.get(live_server.url + "/sparql", params={"query": marker}, timeout=TIMEOUT)
    time.sleep(0.3)
    lines = [line for line in live_server.lines() if "log-marker" in line]
    assert len(lines) == 1 and '"GET /sparql?query=' in lines[0] and " 200 " in lines[0]


def test_cors(live_server):
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
        timeout=TIMEOUT,
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        live_server.url + "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
        timeout=TIMEOUT,
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_error_shape_everywhere(live_server):
    """Every error a program gets is {"ok": false, "error", "code", "status"} (one JSON shape)."""
    for method, path, kwargs in (
        ("GET", "/sparql", {"params": {"query": "SELEC"}}),
        ("PUT", "/sparql", {}),
        ("GET", "/id/country/ATL", {}),
        ("GET", "/download/nothing.ttl", {}),
        ("GET", "/no/such/page", {}),
    ):
        response = requests.request(
            method,
            live_server.url + path,
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
            **kwargs,
        )
        body = response.json()
        assert set(body) == {"ok", "error", "code", "status"}, (path, body)
        assert body["ok"] is False and body["status"] == response.status_code


def test_json_results_have_no_nonstandard_fields(live_server):
    body = requests.get(
        live_server.url + "/sparql", params={"query": NORWAY}, timeout=TIMEOUT
    ).json()
    assert set(body) == {"head", "results"}


# ------------------------------------------------------------------ the review's findings


def escaped_service_queries(port: int) -> list[str]:
    """Queries whose SERVICE a scan that misreads escapes takes for part of a comment or string."""
    endpoint = f"http://127.0.0.1:{port}/x"
    return [
        # PN_LOCAL_ESC: `\#` belongs to the prefixed name; read as a comment, it hid the rest.
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\#b AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # A \u escape in an IRI, then `#`.
        f"SELECT * WHERE {{ BIND(<http://e/\\u0041#> AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # `\'` in a prefixed name, read as the start of a string.
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\' AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # `<?b)SERVICE?x#>` looks like an IRI; Oxigraph reads `<` `)` SERVICE ?x and a comment.
        f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?x) BIND(1 AS ?a) BIND(2 AS ?b) "
        f"FILTER(?a<?b)SERVICE?x#>\n{{ ?s ?p ?o }} }}",
    ]


def test_escaped_service_never_reaches_the_address_it_names(live_server):
    listener = Listener()
    try:
        for query in escaped_service_queries(listener.port):
            for method in ("GET", "POST"):
                response = requests.request(
                    method,
                    live_server.url + "/sparql",
                    **(
                        {"params": {"query": query}}
                        if method == "GET"
                        else {"data": {"query": query}}
                    ),
                    timeout=10,
                )
                assert response.status_code == 400, (query, response.text)
                assert "SERVICE is not allowed" in response.json()["error"]
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_service_in_a_comment_is_refused_as_it_cannot_be_told_from_the_keyword(live_server):
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "ASK { ?s ?p ?o } # no SERVICE here"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400 and "comment" in response.json()["error"]
    # As a variable, a prefixed name, an IRI, a string or a language tag, the word is fine.
    fine = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?service a sd:Service "
        'FILTER (?service != <http://x/service> && ?service != "SERVICE"@service) }'
    )
    answer = requests.get(live_server.url + "/sparql", params={"query": fine}, timeout=TIMEOUT)
    assert answer.status_code == 200


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


@pytest.mark.parametrize(
    "dataset",
    [
        {"default-graph-uri": "not an iri"},
        {"named-graph-uri": ""},
        {"default-graph-uri": "relative/graph"},
    ],
)
def test_a_dataset_parameter_that_is_no_iri_is_400_and_the_workers_live_on(live_server, dataset):
    before = requests.get(live_server.url + "/health", timeout=TIMEOUT).json()
    response = requests.get(
        live_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }", **dataset}, timeout=10
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "QUERY_REJECTED" and "must be an absolute IRI" in body["error"]
    answer = requests.get(live_server.url + "/sparql", params={"query": NORWAY}, timeout=TIMEOUT)
    assert answer.status_code == 200
    after = requests.get(live_server.url + "/health", timeout=TIMEOUT).json()
    assert after["workers"] == before["workers"]


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


@pytest.fixture(scope="module")
def capped_server(built, tmp_path_factory):
    """A server with a small byte cap on answers and little memory for each query."""
    folder = tmp_path_factory.mktemp("capped")
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {
            "NAP_GRAPH_STORE_DIR": str(folder / "cache"),
            "NAP_GRAPH_MAX_RESULT_BYTES": "20000",
            "NAP_GRAPH_QUERY_MEMORY_BYTES": "300000000",
            "NAP_GRAPH_QUERY_TIMEOUT": "20",
        },
        folder / "server.log",
    )
    yield server
    server.stop()


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
def test_answers_are_capped_in_bytes_and_say_so(capped_server, query, accept):
    response = requests.get(
        capped_server.url + "/sparql",
        params={"query": query},
        headers={"Accept": accept},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert len(response.content) <= 20000
    assert response.headers["NAP-Graph-Truncated"] == "true"
    if accept.endswith("json"):
        response.json()  # still a whole document


def test_a_query_past_its_memory_stops_alone(capped_server):
    """A worker may allocate QUERY_MEMORY_BYTES (300 MB here): past it the query fails, 400."""
    big = "x" * 1000
    query = f'SELECT (STRLEN(GROUP_CONCAT(?big)) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f BIND("{big}" AS ?big) }}'
    response = requests.get(capped_server.url + "/sparql", params={"query": query}, timeout=60)
    assert response.status_code == 400, response.text
    assert "memory" in response.json()["error"]
    again = requests.get(capped_server.url + "/sparql", params={"query": NORWAY}, timeout=10)
    assert again.status_code == 200 and rows_from_json(again.json()) == EXPECTED


@pytest.mark.parametrize(
    "query",
    [
        *escaped_service_queries(9),
        "ASK { ?s ?p ?o } # SERVICE",
        "SELECT * WHERE { ſervice <http://e/> { } }",  # upper() makes it SERVICE
        "SELECT * WHERE { \\u0053ERVICE <http://e/> { } }",  # a backslash outside any token
        "SELECT * WHERE { BIND('open AS ?x) SERVICE <http://e/> { } }",  # a string never closed
        "SELECT * WHERE { BIND('''open'''' AS ?x) SERVICE <http://e/> { } }",
    ],
)
def test_the_scan_refuses_whatever_could_hide_service(query):
    from nap_graph.errors import QueryRejected
    from nap_graph.query_check import inspect

    with pytest.raises(QueryRejected, match="SERVICE is not allowed|malformed"):
        inspect(query)


def test_the_scan_reads_escapes_as_the_grammar_does():
    from nap_graph.query_check import inspect

    inspection = inspect(
        "PREFIX ex: <http://e/> SELECT * FROM ex:a\\#b FROM NAMED <http://e/\\u0041> "
        "WHERE { ?s ?p 'it\\'s # no comment' } # a comment"
    )
    assert inspection.form == "SELECT"
    assert inspection.from_graphs == ["http://e/a#b"]
    assert inspection.from_named_graphs == ["http://e/A"]


@pytest.mark.parametrize(
    "query",
    [
        # The old prefixed-name pattern backtracked over these: 300 KB held a thread 115 s.
        "SELECT * WHERE { " + "a." * 500_000 + "}",
        "SELECT * WHERE { ?s ?p " + "a.a-" * 250_000 + "}",
        "SELECT * WHERE { ?s ?p ex:" + "a." * 500_000 + "}",
        "SELECT * WHERE { ?s ?p '" + "\\'" * 500_000,  # an escape after every quote
        "SELECT * WHERE { ?s ?p <" + "<a" * 500_000,
        "SELECT * WHERE { ?s ?p '''" + "a''" * 330_000,
        "SELECT * WHERE { FILTER(" + "?a<?b)" * 160_000 + "}",
    ],
)
def test_the_scan_takes_linear_time(query):
    """A regression guard for quadratic blow-up: 1 MB would take minutes; it takes well
    under a second."""
    from nap_graph.errors import QueryRejected
    from nap_graph.query_check import inspect

    assert len(query) > 900_000
    started = time.perf_counter()
    try:
        inspect(query)
    except QueryRejected:
        pass
    assert time.perf_counter() - started < 5


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


def test_a_results_format_asked_of_a_construct_falls_back_to_accept(live_server):
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    client.setReturnFormat(CSV)
    with pytest.warns(RuntimeWarning, match="Sending Accept header"):
        result = client.query()
    assert result.response.status == 200
    assert not result.info()["content-type"].startswith("text/csv")
