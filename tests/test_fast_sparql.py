"""The endpoint's fast path (server/fast_sparql.py) answers as Flask's view does: the same
status, body and headers for every request it takes, and it passes on the rest untouched.

In process: each request is sent to the app as served (the fast path in front) and to the
same app without the fast path, and the two answers are compared whole.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from helpers import CONSTRUCT, NORWAY, PREFIX, SHORT_LIMITS
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from server.fast_sparql import SparqlFastPath

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
NAPS = "https://w3id.org/nap-graph/graph/naps"
COUNTRIES = PREFIX + "SELECT ?c WHERE { ?c a wps:Country } ORDER BY ?c"


def fast_path(app) -> SparqlFastPath:
    layer = app.wsgi_app
    while not isinstance(layer, SparqlFastPath):
        layer = layer.app  # ProxyFix's
    return layer


def both(app):
    """The app as served, and the same app with Flask alone behind the same proxy fix."""
    fast = fast_path(app)
    flask_only = fast.next
    if app.wsgi_app is not fast:
        proxy = app.wsgi_app
        flask_only = ProxyFix(
            flask_only,
            x_for=proxy.x_for,
            x_proto=proxy.x_proto,
            x_host=proxy.x_host,
            x_port=proxy.x_port,
            x_prefix=proxy.x_prefix,
        )
    return Client(app.wsgi_app), Client(flask_only), fast


def ask(client: Client, method: str, query: str | None, accept: str | None, **kw):
    headers = dict(kw.pop("headers", {}))
    if accept is not None:
        headers["Accept"] = accept
    graphs = kw.pop("graphs", {})
    if method == "GET":
        fields = ({"query": query} if query is not None else {}) | graphs
        return client.get("/sparql", query_string=urlencode(fields, doseq=True), headers=headers)
    if method == "DIRECT":
        headers["Content-Type"] = DIRECT
        return client.post(
            "/sparql",
            data=query.encode(),
            query_string=urlencode(graphs, doseq=True),
            headers=headers,
        )
    headers["Content-Type"] = FORM
    fields = ({"query": query} if query is not None else {}) | graphs
    return client.post("/sparql", data=urlencode(fields, doseq=True), headers=headers)


def answer(response) -> tuple:
    headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() != "date")
    return response.status_code, headers, response.get_data()


CASES = [
    ("GET", NORWAY, "application/sparql-results+json"),
    ("POST", NORWAY, "application/sparql-results+json"),
    ("DIRECT", NORWAY, "application/sparql-results+json"),
    ("POST", NORWAY, None),
    ("POST", NORWAY, "*/*"),
    ("POST", NORWAY, "application/sparql-results+xml"),
    ("POST", NORWAY, "text/csv"),
    ("GET", NORWAY, "text/tab-separated-values"),
    ("POST", NORWAY, "application/json;q=0.5, text/csv;q=0.9"),
    ("POST", "ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("POST", "ASK { ?s ?p ?o }", "application/sparql-results+xml"),
    ("POST", CONSTRUCT, "text/turtle"),
    ("POST", CONSTRUCT, "application/n-triples"),
    ("GET", CONSTRUCT, "application/rdf+xml"),
    ("POST", CONSTRUCT, None),
    ("POST", "DESCRIBE <https://w3id.org/nap-graph/id/country/NOR>", "text/turtle"),
    # Relative IRIs resolve against the endpoint's address: the base is the same.
    ("POST", "SELECT (<#here> AS ?x) WHERE {}", "application/sparql-results+json"),
    # Cut at RESULT_LIMIT (100 here), and at EXPORT_LIMIT in CSV.
    ("POST", COUNTRIES, "application/sparql-results+json"),
    ("POST", COUNTRIES, "text/csv"),
    # FROM a graph the store has, and one it has not (read as empty, said in a header).
    ("POST", f"SELECT (COUNT(*) AS ?n) FROM <{NAPS}> WHERE {{ ?s ?p ?o }}", None),
    ("POST", "SELECT * FROM <http://example.org/none> WHERE { ?s ?p ?o }", None),
]


@pytest.mark.parametrize(("method", "query", "accept"), CASES)
def test_the_fast_path_answers_as_flask_does(app, method, query, accept):
    fast_client, flask_client, fast = both(app)
    before = fast.answered
    ours = ask(fast_client, method, query, accept)
    assert fast.answered == before + 1, "the fast path did not answer it"
    assert answer(ours) == answer(ask(flask_client, method, query, accept))
    assert ours.status_code == 200


@pytest.mark.parametrize(
    "graphs",
    [
        {"default-graph-uri": NAPS},
        {"named-graph-uri": [NAPS, "http://example.org/none"]},
        {"default-graph-uri": "not an iri"},  # 400, from Flask
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DIRECT"])
def test_the_dataset_parameters_read_alike(app, method, graphs):
    fast_client, flask_client, _ = both(app)
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    ours = ask(fast_client, method, query, None, graphs=graphs)
    assert answer(ours) == answer(ask(flask_client, method, query, None, graphs=graphs))


@pytest.mark.parametrize(
    ("method", "query", "accept", "status"),
    [
        ("POST", "SELECT * WHERE { ?s ?p", None, 400),  # malformed: the parser's message
        ("POST", "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", None, 400),
        ("POST", "SELECT * WHERE { ?s ?p ?o } " + "#" * 30_000, None, 413),
        ("POST", NORWAY, "text/plain", 406),
        ("POST", CONSTRUCT, "text/csv", 406),
        ("POST", 'SELECT ("\\u0001" AS ?x) WHERE {}', "application/sparql-results+xml", 406),
        ("POST", "SELECT (1/0 AS ?x) (STRDT(1, 1) AS ?y) WHERE {}", None, 200),
    ],
)
def test_errors_read_alike_whichever_path_took_them(app, method, query, accept, status):
    fast_client, flask_client, _ = both(app)
    ours = ask(fast_client, method, query, accept)
    assert ours.status_code == status, ours.get_data()
    assert answer(ours) == answer(ask(flask_client, method, query, accept))


@pytest.mark.parametrize(
    ("method", "query", "accept", "headers"),
    [
        ("POST", NORWAY, "text/html", {}),  # the results page
        ("POST", CONSTRUCT, "application/ld+json", {}),  # JSON-LD's profiles
        ("GET", None, "text/turtle", {}),  # the service description
        ("POST", NORWAY, None, {"Host": "evil.example"}),  # 400 for a host not allowed
        ("POST", NORWAY, None, {"X-Forwarded-Prefix": "//evil.example"}),
    ],
)
def test_what_the_fast_path_leaves_to_flask(app, method, query, accept, headers):
    fast_client, flask_client, fast = both(app)
    before = fast.answered
    ours = ask(fast_client, method, query, accept, headers=headers)
    assert fast.answered == before
    assert answer(ours) == answer(ask(flask_client, method, query, accept, headers=headers))


def test_other_parameters_and_methods_go_to_flask(app):
    fast_client, flask_client, fast = both(app)
    before = fast.answered
    for response_pair in (
        (
            fast_client.get("/sparql", query_string={"query": NORWAY, "format": "csv"}),
            flask_client.get("/sparql", query_string={"query": NORWAY, "format": "csv"}),
        ),
        (
            fast_client.head("/sparql", query_string={"query": NORWAY}),
            flask_client.head("/sparql", query_string={"query": NORWAY}),
        ),
        (
            fast_client.post("/sparql", data="query=ASK{}&query=ASK{}", content_type=FORM),
            flask_client.post("/sparql", data="query=ASK{}&query=ASK{}", content_type=FORM),
        ),
    ):
        assert answer(response_pair[0]) == answer(response_pair[1])
    assert fast.answered == before


def test_a_query_past_the_time_limit_is_answered_once(app):
    """A query the fast path ran and that failed is answered by Flask's error handler, not
    run again there: it costs one time limit, not two."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    fast_client, _, fast = both(app)
    store = app.extensions["nap_graph"].current().store
    replaced = store.health()["workers_replaced"]
    response = ask(fast_client, "POST", slow, None)
    assert response.status_code == 503, response.get_data()
    assert response.json["code"] == "QUERY_TIMEOUT"
    assert store.health()["workers_replaced"] == replaced + 1


@pytest.fixture(scope="module")
def public_app(built, tmp_path_factory):
    """The app with a public address, no CORS and no proxy."""
    from server import create_app

    app = create_app(
        {
            "TESTING": True,
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path_factory.mktemp("public") / "cache"),
            **SHORT_LIMITS,
            "PROXY_HOPS": 0,
            "CORS_ORIGIN": "",
            "PUBLIC_URL": "https://nap.example.org/data/",
            "ALLOWED_HOSTS": "localhost",
        }
    )
    yield app
    app.extensions["nap_graph"].close()


@pytest.mark.parametrize("query", [NORWAY, "SELECT (<#here> AS ?x) WHERE {}", COUNTRIES, CONSTRUCT])
def test_a_public_address_and_no_cors_read_alike(public_app, query):
    fast_client, flask_client, fast = both(public_app)
    assert public_app.wsgi_app is fast
    before = fast.answered
    ours = ask(fast_client, "POST", query, None)
    assert fast.answered == before + 1
    assert answer(ours) == answer(ask(flask_client, "POST", query, None))
    assert "access-control-allow-origin" not in {k.lower() for k in ours.headers.keys()}
