"""Loading into and serving from real external SPARQL stores: the Oxigraph server and Virtuoso.

Each store is started on loopback by the test (tests/external_stores.py), filled with
`nap-graph load` from a build of all the data on hand, and served by a real `nap-graph serve
--store`; every answer is compared with the embedded store's (the `full_server` fixture).
The faults (a store killed in the middle of a load, down at start, refusing credentials,
slower than the time limit) use their own store processes.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
import requests
from external_stores import ExternalStore, OxigraphServer, VirtuosoServer
from helpers import (
    TIMEOUT,
    LiveServer,
    filled_and_served,
    free_port,
    parse_jsonld,
    run_load,
    serve_from,
)
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from nap_graph.load import StoreClient, Target
from nap_graph.remote import Credentials
from server.examples import example_queries

pytestmark = [pytest.mark.stores, pytest.mark.full, pytest.mark.live]

STORES = {"oxigraph": OxigraphServer, "virtuoso": VirtuosoServer}
GRAPH = "https://w3id.org/nap-graph/graph/"
TURTLE = {"Accept": "text/turtle"}
HTML = {"Accept": "text/html"}

# Beyond the editor's examples: the forms and dataset rules that a remote store must honour.
MIX = {
    "ask": "ASK { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }",
    "ask-false": "ASK { <https://w3id.org/nap-graph/id/country/ATL> ?p ?o }",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "from": f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}naps> WHERE {{ ?s ?p ?o }}",
    "from-named": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{GRAPH}vocabulary> "
    "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "from-elsewhere": "SELECT (COUNT(*) AS ?n) FROM <http://example.org/other> WHERE { ?s ?p ?o }",
    "predicates": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "months": "PREFIX wps: <https://w3id.org/nap-graph/def/wps#> "
    "SELECT (COUNT(*) AS ?n) WHERE { ?o wps:refPeriod ?m "
    'FILTER (STR(?m) >= "2012-01" && STR(?m) < "2013-01") }',
    "labels": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    'SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER (CONTAINS(LCASE(STR(?label)), "nor")) } '
    "ORDER BY ?s STR(?label) LANG(?label)",
    "construct": "CONSTRUCT { ?plan ?p ?o } WHERE { "
    "?plan <https://w3id.org/nap-graph/def/wps#country> <https://w3id.org/nap-graph/id/country/NOR> ; "
    "?p ?o }",
    "describe": "DESCRIBE <https://w3id.org/nap-graph/id/plan/NOR/4>",
}
IRIS = [
    "/id/country/NOR",
    "/id/plan/NOR/4",
    "/id/country/SWE",
    "/id/country/LBR",
    "/def/wps",
    "/def/wps#StatedContributionsStructure",  # blank nodes: its Data Cube components
]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=sorted(STORES))
def remote(request, full_build, tmp_path_factory):
    """(store, server): a store filled with the full build, and our server answering from it."""
    folder = tmp_path_factory.mktemp(request.param)
    with filled_and_served(STORES[request.param], full_build.settings.out_dir, folder) as both:
        yield both


def select(url: str, query: str) -> dict:
    client = SPARQLWrapper(url + "/sparql")
    client.setTimeout(TIMEOUT)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(query)
    return client.queryAndConvert()


def normal(document: dict, ordered: bool):
    """An answer as comparable values: rows of (type, value, datatype, language), blank nodes
    as one value (their labels are each store's own); a list if ordered, else a multiset."""
    if "boolean" in document:
        return document["boolean"]
    names = document["head"]["vars"]
    rows = []
    for binding in document["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append(None)
                continue
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            value = "_" if kind == "bnode" else term["value"]
            row.append((kind, value, term.get("datatype"), term.get("xml:lang")))
        rows.append(tuple(row))
    return (names, rows) if ordered else (names, Counter(rows))


# ---------------------------------------------------------------- same answers


@pytest.mark.parametrize("example", example_queries(), ids=lambda e: e.name)
def test_examples_answer_as_on_the_embedded_store(remote, full_server, example):
    _, server = remote
    expected = select(full_server.url, example.query)
    found = select(server.url, example.query)
    assert normal(found, ordered=True) == normal(expected, ordered=True)


@pytest.mark.parametrize("name", sorted(MIX))
def test_query_mix_answers_as_on_the_embedded_store(remote, full_server, name):
    _, server = remote
    query = MIX[name]
    if name in ("construct", "describe"):
        answers = [
            requests.post(url + "/sparql", data={"query": query}, headers=TURTLE, timeout=60)
            for url in (full_server.url, server.url)
        ]
        assert [a.status_code for a in answers] == [200, 200]
        graphs = [Graph().parse(data=a.text, format="turtle") for a in answers]
        assert len(graphs[0]) > 0
        if name == "describe":
            # What DESCRIBE returns is the store's choice (SPARQL 1.1, 16.4): Virtuoso adds the
            # triples that point at the resource. What the embedded store gives must be there.
            assert set(graphs[0]) <= set(graphs[1])
        else:
            assert isomorphic(*graphs)
        return
    ordered = "ORDER BY" in query
    assert normal(select(server.url, query), ordered) == normal(
        select(full_server.url, query), ordered
    )


def test_a_store_s_other_graphs_are_never_seen(remote):
    """A store's own graphs (Virtuoso's system graphs) and a load's staging graphs stay out."""
    _, server = remote
    document = select(server.url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs = {row["g"]["value"] for row in document["results"]["bindings"]}
    assert graphs == {GRAPH + "naps", GRAPH + "peacekeeping", GRAPH + "vocabulary"}
    everything = select(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    health = requests.get(server.url + "/health", timeout=10).json()
    assert int(everything["results"]["bindings"][0]["n"]["value"]) <= health["triples"]


def test_a_query_s_from_never_reaches_other_graphs(remote):
    """Virtuoso reads a query's FROM over the protocol's graph parameters: the server takes
    FROM out of the text, so that a load's staging graph or the store's own stay unseen."""
    store, server = remote
    staging = GRAPH + "naps/load/20000101T000000Z-test"
    client = StoreClient(
        Target(store.query, store.update, None, Credentials.from_environment(store.environment()))
    )
    client.update(f"INSERT DATA {{ GRAPH <{staging}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")
    try:
        for query in (
            f"SELECT * FROM <{staging}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{staging}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> WHERE { ?s ?p ?o } LIMIT 5",
            "SELECT * WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } } LIMIT 5",
        ):
            assert select(server.url, query)["results"]["bindings"] == [], query
        # The staging graph is there, for the store itself.
        assert client.count(staging) == 1
    finally:
        client.update(f"DROP SILENT GRAPH <{staging}>")


def test_queries_that_look_like_updates_are_queries(remote):
    """SPARQLWrapper takes a query with "address" or "load" in it for an update, unless told."""
    _, server = remote
    query = (
        "prefix ex: <http://example.org/address#>\n# load the plans\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?plan a <https://w3id.org/nap-graph/def/wps#NationalActionPlan> }"
    )
    # Sent with requests: SPARQLWrapper as the client would make the same mistake.
    answer = requests.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 100


def test_store_functions_and_heavy_checks_are_refused_or_cut(remote):
    _, server = remote
    url = server.url + "/sparql"
    fetch = requests.post(
        url,
        data={
            "query": 'PREFIX bif: <bif:> SELECT * { ?s ?p ?o FILTER (bif:http_get("http://127.0.0.1:9/")) }'
        },
        timeout=30,
    )
    assert fetch.status_code == 400 and "not allowed" in fetch.json()["error"]
    # Checked in a sandboxed worker under the time limit, not in the server's process.
    values = " ".join(str(i) for i in range(300))
    heavy = f"SELECT * {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} }} ORDER BY ?c"
    started = time.monotonic()
    cut = requests.post(url, data={"query": heavy}, timeout=60)
    # Stopped at the time limit (503), or at the worker's memory cap (400), as embedded.
    assert (cut.status_code, cut.json()["code"]) in (
        (503, "QUERY_TIMEOUT"),
        (400, "QUERY_REJECTED"),
    ), cut.text
    assert cut.status_code == 503 or "memory" in cut.json()["error"]
    assert time.monotonic() - started < 20
    assert requests.get(server.url + "/health", timeout=10).status_code == 200


@pytest.mark.parametrize("path", IRIS)
def test_iris_dereference_as_on_the_embedded_store(remote, full_server, path):
    _, server = remote
    turtle = [
        requests.get(url + path, headers=TURTLE, timeout=60)
        for url in (full_server.url, server.url)
    ]
    assert [r.status_code for r in turtle] == [200, 200]
    assert isomorphic(*(Graph().parse(data=r.text, format="turtle") for r in turtle))
    pages = [
        requests.get(url + path, headers=HTML, timeout=60) for url in (full_server.url, server.url)
    ]
    assert [p.status_code for p in pages] == [200, 200]
    assert same_page(pages[0].text, pages[1].text, full_server.url, server.url)


STORE_LINE = re.compile(r"<dt>Store</dt><dd>(oxigraph|remote), ")
EMBEDDED_DATA = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def same_page(first: str, second: str, first_url: str, second_url: str) -> bool:
    """Two pages are the same if they differ only in the server's address and in the order of
    the triples in their embedded JSON-LD, which is the same graph."""
    first, second = first.replace(first_url, "SERVER"), second.replace(second_url, "SERVER")
    # The home page names the store that answers (embedded or remote).
    first, second = (STORE_LINE.sub("", page) for page in (first, second))
    data = [EMBEDDED_DATA.findall(page) for page in (first, second)]
    if len(data[0]) != len(data[1]):
        return False
    for one, other in zip(*data, strict=True):
        if one == other:  # the home page's schema.org description, with its remote @context
            continue
        graphs = [parse_jsonld(d.replace("<\\/", "</")) for d in (one, other)]
        if not isomorphic(*graphs):
            return False
    return EMBEDDED_DATA.sub("", first) == EMBEDDED_DATA.sub("", second)


def test_home_page_and_downloads_stay_available(remote, full_server):
    _, server = remote
    home = requests.get(server.url + "/", headers=HTML, timeout=60)
    assert home.status_code == 200
    embedded = requests.get(full_server.url + "/", headers=HTML, timeout=60).text
    assert same_page(embedded, home.text, full_server.url, server.url)
    dump = requests.get(server.url + "/download/nap-graph.ttl", timeout=60)
    assert dump.status_code == 200 and dump.headers["ETag"]


def test_protocol_rules_hold_for_the_remote_store(remote):
    _, server = remote
    url = server.url + "/sparql"
    update = requests.post(url, data={"update": "DROP ALL"}, timeout=30)
    assert update.status_code in (400, 405, 415)
    service = requests.post(
        url,
        data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
        timeout=30,
    )
    assert service.status_code == 400 and "SERVICE" in service.text
    # Virtuoso would read its own extensions (`define get:soft` fetches a URL): not passed on.
    extension = requests.post(
        url,
        data={
            "query": 'define get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }'
        },
        timeout=30,
    )
    assert extension.status_code == 400 and "malformed query" in extension.text
    malformed = requests.post(url, data={"query": "ASK { ?s ?p }"}, timeout=30)
    assert malformed.status_code == 400 and "1:" in malformed.text
    capped = requests.post(
        url,
        data={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
        timeout=120,
    )
    assert capped.status_code == 200
    assert capped.headers["NAP-Graph-Truncated"] == "true"
    assert len(capped.text.splitlines()) == 1 + int(capped.headers["NAP-Graph-Result-Limit"])


def test_health_says_which_store(remote):
    store, server = remote
    health = requests.get(server.url + "/health", timeout=30)
    assert health.status_code == 200
    body = health.json()
    assert body["ok"] and body["mode"] == "remote" and body["endpoint"] == store.query
    assert body["graphs"] == 3


# ---------------------------------------------------------------- faults


def staging_graphs(store: ExternalStore, busy_ok: bool = False, subject: str = "?s") -> list[str]:
    """The staging graphs in the store (those holding `subject`); none yet if it is too busy
    to say (`busy_ok`)."""
    try:
        response = requests.post(
            store.query,
            data={"query": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {subject} ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            # Short while a load writes; else long enough for a scan of every graph by a
            # store that has just replayed its log after a kill.
            timeout=10 if busy_ok else TIMEOUT,
        )
    except requests.Timeout:
        if busy_ok:
            return []
        raise
    rows = response.json()["results"]["bindings"]
    return sorted(r["g"]["value"] for r in rows if "/load/" in r["g"]["value"])


def count_all(server: LiveServer) -> int:
    document = select(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(document["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("kind", sorted(STORES))
def test_a_store_killed_during_a_load_keeps_serving_the_previous_graph(
    kind, built, full_build, tmp_path
):
    store = STORES[kind](tmp_path / "store")
    store.start()
    server = None
    try:
        first = run_load(built.settings.out_dir, store)
        assert first.returncode == 0, first.stdout + first.stderr
        server = serve_from(store, built.settings.out_dir, tmp_path)
        before = count_all(server)
        page = requests.get(server.url + "/id/country/NOR", headers=HTML, timeout=30).text

        # A load of the full build, in small batches; the store dies once staging has begun.
        loader = subprocess.Popen(
            [sys.executable, "-m", "nap_graph", "load", "-q", "--out"]
            + [str(full_build.settings.out_dir), "--batch-size", "2000"]
            + store.load_arguments(),
            env={**os.environ, **store.environment()},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Watched by a point lookup of the build's first subject, which the first batch holds:
        # a scan of every graph waits behind Virtuoso's writes.
        with gzip.open(full_build.settings.out_dir / "nap-graph.nq.gz", "rt") as quads:
            first = quads.readline().split(" ", 1)[0]
        deadline = time.monotonic() + 300
        while not staging_graphs(store, busy_ok=True, subject=first):
            assert loader.poll() is None, loader.stdout.read()
            assert time.monotonic() < deadline, "the load never began"
            time.sleep(1)
        store.kill()
        output, _ = loader.communicate(timeout=600)
        assert loader.returncode == 2, output
        assert "does not answer" in output and "live graphs are as they were" in output

        # While the store is down, the server says so, and serves no errors as data.
        health = requests.get(server.url + "/health", timeout=30)
        assert health.status_code == 503 and "does not answer" in health.json()["error"]
        query = requests.post(
            server.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=30
        )
        assert query.status_code == 503 and query.json()["code"] == "STORE_UNAVAILABLE"

        store.start()  # back up: the previous graph, whole
        assert requests.get(server.url + "/health", timeout=60).status_code == 200
        assert count_all(server) == before
        assert requests.get(server.url + "/id/country/NOR", headers=HTML, timeout=30).text == page

        # The interrupted load's staging graphs are reported, and dropped on request.
        stale = staging_graphs(store)
        assert stale
        again = run_load(built.settings.out_dir, store)
        assert again.returncode == 0 and "--drop-stale" in again.stderr
        dropped = run_load(built.settings.out_dir, store, "--drop-stale", "--stale-after", "0")
        assert dropped.returncode == 0, dropped.stdout + dropped.stderr
        assert staging_graphs(store) == []
        assert count_all(server) == before
    finally:
        if server is not None:
            server.stop()
        store.stop()


def test_a_store_down_at_start_makes_the_server_unhealthy_until_it_is_loaded(built, tmp_path):
    store = OxigraphServer(tmp_path / "store")
    server = serve_from(store, built.settings.out_dir, tmp_path, healthy=False)
    try:
        health = requests.get(server.url + "/health", timeout=30)
        assert health.status_code == 503
        assert "connection refused" in health.json()["error"]
        assert any("is not ready" in line for line in server.lines())
        query = requests.post(server.url + "/sparql", data={"query": "ASK {}"}, timeout=30)
        assert query.status_code == 503 and query.json()["code"] == "STORE_UNAVAILABLE"

        store.start()  # up, but empty: still unhealthy, and says why
        health = requests.get(server.url + "/health", timeout=30)
        assert health.status_code == 503 and "nap-graph load" in health.json()["error"]

        assert run_load(built.settings.out_dir, store).returncode == 0
        assert requests.get(server.url + "/health", timeout=30).status_code == 200
    finally:
        server.stop()
        store.stop()


def test_refused_credentials_are_said_and_change_nothing(built, tmp_path):
    store = VirtuosoServer(tmp_path / "store")
    store.start()
    try:
        wrong = run_load(
            built.settings.out_dir, store, env={"NAP_GRAPH_STORE_PASSWORD": "not-the-password"}
        )
        assert wrong.returncode == 2
        assert "refused the credentials (401)" in wrong.stdout + wrong.stderr
        assert staging_graphs(store) == []
        none = run_load(built.settings.out_dir, store, env={"NAP_GRAPH_STORE_USER": ""})
        assert none.returncode == 2 and "401" in none.stdout + none.stderr
    finally:
        store.stop()


def test_a_slow_store_is_cut_at_the_time_limit_and_the_next_query_answered(built, tmp_path):
    store = OxigraphServer(tmp_path / "store")
    store.start()
    server = None
    try:
        assert run_load(built.settings.out_dir, store).returncode == 0
        server = serve_from(store, built.settings.out_dir, tmp_path, QUERY_TIMEOUT=2)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?x ?y . ?d ?y ?z }"
        started = time.monotonic()
        cut = requests.post(server.url + "/sparql", data={"query": slow}, timeout=60)
        assert cut.status_code == 503 and cut.json()["code"] == "QUERY_TIMEOUT"
        assert time.monotonic() - started < 10
        started = time.monotonic()
        assert requests.get(server.url + "/health", timeout=10).status_code == 200
        assert time.monotonic() - started < 2
    finally:
        if server is not None:
            server.stop()
        store.stop()


def test_store_listening_elsewhere_is_not_fetched(remote):
    """FROM and the protocol's graph parameters never make the store fetch a URL."""
    _, server = remote
    with __import__("socket").socket() as listener:
        listener.bind(("127.0.0.1", free_port()))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        for data in (
            {"query": f"SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}"},
            {
                "query": "SELECT * WHERE { ?s ?p ?o }",
                "default-graph-uri": f"http://127.0.0.1:{port}/",
            },
        ):
            answer = requests.post(server.url + "/sparql", data=data, timeout=30)
            assert answer.status_code == 200
            assert json.loads(answer.text)["results"]["bindings"] == []
            with pytest.raises(TimeoutError):
                listener.accept()
