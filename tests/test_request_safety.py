"""Requests that must not steer the server: foreign hosts, forwarded prefixes that are no path,
queries nested deep enough to crash the engine, query texts too long to check quickly.

In process, through Flask's test client: the app and its store are the real ones, and no HTTP
server is needed to see what the app answers.
"""

from __future__ import annotations

import threading
import time

import pytest

from nap_graph.query_check import MAX_CLAUSES, MAX_NESTING
from server import create_app
from server.hosts import host_allowed, host_name, parse_allowed, prefix_is_a_path


@pytest.fixture(scope="module")
def app(built, tmp_path_factory):
    """The app with the default request and query sizes (not conftest's short limits): the
    longest query allowed must fit in a request. conftest's `client` uses this app here."""
    app = create_app(
        {
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path_factory.mktemp("safety-cache")),
            "ALLOWED_HOSTS": "localhost 127.0.0.1 [::1] .example.org",
            "QUERY_TIMEOUT": 2,
        }
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["nap_graph"].close()


@pytest.fixture(scope="module")
def proxied_app(built, tmp_path_factory):
    app = create_app(
        {
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path_factory.mktemp("safety-proxied")),
            "PROXY_HOPS": 1,
            "ALLOWED_HOSTS": "localhost wps.example.org",
        }
    )
    yield app
    app.extensions["nap_graph"].close()


def test_host_names_are_read_as_a_browser_sends_them():
    assert host_name("Example.ORG:8080") == "example.org"
    assert host_name("[::1]:5000") == "[::1]"
    assert host_name("example.org.") == "example.org"
    for bad in ("", "a b", "evil.example/x", "user@evil.example", "x:99999", "[::1"):
        assert host_name(bad) is None, bad
    allowed = parse_allowed("localhost, .example.org")
    assert host_allowed("a.b.example.org", allowed) and host_allowed("example.org", allowed)
    assert not host_allowed("evilexample.org", allowed)
    assert host_allowed("anything.test", parse_allowed(["*"]))


def test_a_foreign_host_gets_400_and_is_never_written_back(client):
    for host in ("evil.example", "evil.example:80", "127.0.0.1.evil.example", "a b"):
        for path in ("/sparql", "/id/country/NOR", "/", "/health"):
            response = client.get(path, headers={"Host": host, "Accept": "text/turtle"})
            assert response.status_code == 400, (host, path)
            assert response.json["code"] == "HOST_NOT_ALLOWED"
            assert "evil" not in response.headers.get("Location", "")
    for host in ("localhost", "127.0.0.1:5000", "[::1]:8080", "LocalHost", "data.example.org"):
        response = client.get("/sparql", headers={"Host": host, "Accept": "text/turtle"})
        assert response.status_code == 200, host
        assert f"http://{host.lower()}/sparql" in response.text


def test_forwarded_headers_steer_nothing_outside_the_allowed_hosts(proxied_app):
    client = proxied_app.test_client()
    html = {"Accept": "text/html"}
    for headers in (
        {"X-Forwarded-Prefix": "//evil.example"},
        {"X-Forwarded-Prefix": "/\\evil.example"},
        {"X-Forwarded-Prefix": "https://evil.example"},
        {"X-Forwarded-Prefix": "/nap//evil.example"},
        {"X-Forwarded-Host": "evil.example"},
        {"X-Forwarded-Host": "wps.example.org.evil.example"},
    ):
        for path in ("/id/country/NOR", "/sparql", "/"):
            response = client.get(path, headers={**headers, **html})
            assert response.status_code == 400, (headers, path)
            assert "evil" not in response.headers.get("Location", "")
    good = client.get(
        "/id/country/NOR",
        headers={"X-Forwarded-Prefix": "/nap", "X-Forwarded-Host": "wps.example.org", **html},
    )
    assert good.status_code == 303 and good.headers["Location"] == "/nap/doc/country/NOR.html"
    assert prefix_is_a_path("") and prefix_is_a_path("/a/b%20c") and not prefix_is_a_path("/a/")


def nested(kind: str, depth: int) -> str:
    return {
        "groups": "SELECT * " + "{" * depth + "?s ?p ?o" + "}" * depth,
        "parentheses": "ASK { ?s ?p ?o FILTER(" + "(" * depth + "?o" + ")" * depth + ") }",
        "optional": "ASK { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * depth + "}" * depth + " }",
        "union": "ASK " + "{ { ?s ?p ?o } UNION " * depth + "{ }" + " }" * depth,
        "sub-selects": "ASK { " + "{ SELECT * WHERE " * depth + "{ }" + " }" * depth + " }",
        "exists": "ASK { ?s ?p ?o " + "FILTER EXISTS { ?s ?p ?o " * depth + "}" * depth + " }",
        "calls": "ASK { ?s ?p ?o FILTER(" + "STR(" * depth + "?o" + ")" * depth + ") }",
        "collections": "ASK { ?s ?p " + "(" * depth + "?o" + ")" * depth + " }",
        "blank nodes": "ASK { ?s ?p " + "[ ?p " * depth + "?o" + " ]" * depth + " }",
    }[kind]


KINDS = [
    "groups",
    "parentheses",
    "optional",
    "union",
    "sub-selects",
    "exists",
    "calls",
    "collections",
    "blank nodes",
]


def test_deep_nesting_is_refused_before_the_engine_and_no_worker_dies(app, client):
    store = app.extensions["nap_graph"]
    replaced = store.health()["workers_replaced"]
    for kind in KINDS:
        for depth in (MAX_NESTING + 1, 1_000, 2_000):  # past what crashes it, in MAX_QUERY_BYTES
            response = client.post("/sparql", data={"query": nested(kind, depth)})
            assert response.status_code == 400, (kind, depth)
            assert "levels deep" in response.json["error"], kind
        assert client.post("/sparql", data={"query": nested(kind, 60)}).status_code == 200, kind
    binds = "ASK { ?s ?p ?o " + " ".join(f"BIND(1 AS ?v{i})" for i in range(5_000)) + " }"
    response = client.post("/sparql", data={"query": binds})
    assert response.status_code == 400 and "BIND, OPTIONAL and MINUS" in response.json["error"]
    chain = "ASK { ?s ?p ?o " + "MINUS { ?s ?p 1 } " * MAX_CLAUSES + " }"
    assert client.post("/sparql", data={"query": chain}).status_code == 200
    assert store.health()["workers_replaced"] == replaced


def test_long_flat_queries_crash_no_worker(app, client):
    """Sequences that nest no brackets still make deep trees in the engine (on an 8 MB stack,
    10,000 UNIONs or ORs crashed a worker): none as long as a query may be crashes one now."""
    store = app.extensions["nap_graph"]
    crashed = store.health()["workers_crashed"]
    room = app.config["MAX_QUERY_BYTES"] - 40
    for query in (
        "ASK { ?s ?p ?o FILTER(" + "||".join(["?o"] * (room // 4)) + ") }",
        "ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * (room // 19)) + " }",
        "ASK { ?s ?p ?o " + "FILTER(?o) " * (room // 11) + "}",
        "ASK { FILTER(" + "+".join(["1"] * (room // 2)) + ") }",
        "ASK { " + "?s?p?o." * (room // 7) + "}",
        "ASK { ?s " + "/".join(["<p>"] * (room // 4)) + " ?o }",
        "SELECT * { VALUES ?x { " + "1 " * (room // 2) + "} }",
    ):
        response = client.post("/sparql", data={"query": query})
        assert response.status_code in (200, 400, 503), response.json
        if response.status_code == 400:
            assert "crashed the worker" not in response.json["error"]
    assert store.health()["workers_crashed"] == crashed


def test_the_query_text_is_bounded_before_it_is_read(app, client):
    limit = app.config["MAX_QUERY_BYTES"]
    padding = "# " + "x" * (limit + 10) + "\n"
    response = client.post("/sparql", data={"query": padding + "ASK {}"})
    assert response.status_code == 413 and "MAX_QUERY_BYTES" in response.json["error"]


def test_health_answers_while_the_longest_queries_are_checked(app, client):
    """Eight clients sending the longest query allowed, over and over: the checks they cost in
    the server's threads leave /health answering promptly."""
    limit = app.config["MAX_QUERY_BYTES"]
    pattern = '?s <http://example.org/p> "v" . '
    longest = "ASK { " + pattern * ((limit - 20) // len(pattern)) + "}"
    assert len(longest.encode()) <= limit
    stop = threading.Event()
    statuses = []

    def send():
        own = app.test_client()
        while not stop.is_set():
            statuses.append(own.post("/sparql", data={"query": longest}).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        slowest = 0.0
        for _ in range(10):
            started = time.perf_counter()
            assert client.get("/health").status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert slowest < 1.0, slowest
    assert statuses and set(statuses) <= {200, 503}, set(statuses)
