"""Content negotiation as a table, in process: what each address answers in, from Accept, from a
parameter (`format` or `output` at the endpoint and /void; `_format` or `_mediatype` on the
documents and the vocabularies), or from a file extension, which wins over both."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
from helpers import CONSTRUCT, NORWAY, parse_jsonld
from rdflib import URIRef

BASE = "https://w3id.org/nap-graph/"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's Accept
ASK = "ASK { ?s ?p ?o }"
DESCRIBE = "DESCRIBE <https://w3id.org/nap-graph/id/country/NOR>"
NAMES = {NORWAY: "select", CONSTRUCT: "construct", ASK: "ask", DESCRIBE: "describe"}


def case(path, params, accept, status, media_type, marks=()):
    words = [f"{k}={NAMES.get(v, v)}" for k, v in params.items()]
    shown = "a browser's" if accept == HTML else accept
    label = " ".join([path, *words, f"Accept: {shown}" if accept else "no Accept"])
    return pytest.param(path, params, accept, status, media_type, marks=marks, id=label)


CASES = [
    # (path, parameters, Accept, status, media type of the answer)
    # The endpoint, SELECT and ASK: SPARQL results JSON first, then XML, CSV, TSV and a page.
    case("/sparql", {"query": NORWAY}, None, 200, "application/sparql-results+json"),
    case("/sparql", {"query": NORWAY}, "*/*", 200, "application/sparql-results+json"),
    case(
        "/sparql",
        {"query": NORWAY},
        "application/sparql-results+xml",
        200,
        "application/sparql-results+xml",
    ),
    case("/sparql", {"query": NORWAY}, "application/xml", 200, "application/sparql-results+xml"),
    case("/sparql", {"query": NORWAY}, "text/csv", 200, "text/csv"),
    case(
        "/sparql", {"query": NORWAY}, "text/tab-separated-values", 200, "text/tab-separated-values"
    ),
    case(
        "/sparql",
        {"query": NORWAY},
        "application/sparql-results+json, */*;q=0.1",
        200,
        "application/sparql-results+json",
    ),
    case(
        "/sparql",
        {"query": NORWAY},
        "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
        200,
        "application/sparql-results+xml",
    ),
    case("/sparql", {"query": NORWAY}, HTML, 200, "text/html"),
    case(
        "/sparql",
        {"query": NORWAY},
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        200,
        "application/sparql-results+json",
    ),
    case("/sparql", {"query": NORWAY, "format": "csv"}, "text/turtle", 200, "text/csv"),
    case(
        "/sparql", {"query": NORWAY, "format": "xml"}, None, 200, "application/sparql-results+xml"
    ),
    case(
        "/sparql",
        {"query": NORWAY, "format": "text/tab-separated-values"},
        None,
        200,
        "text/tab-separated-values",
    ),
    case("/sparql", {"query": NORWAY, "output": "csv"}, None, 200, "text/csv"),
    case("/sparql", {"query": NORWAY}, "image/png", 406, "application/json"),
    case("/sparql", {"query": NORWAY, "format": "bogus"}, None, 406, "application/json"),
    case("/sparql", {"query": ASK}, None, 200, "application/sparql-results+json"),
    case("/sparql", {"query": ASK}, "text/csv", 200, "text/csv"),
    # The endpoint, CONSTRUCT and DESCRIBE: Turtle first, then N-Triples, JSON-LD and RDF/XML.
    case("/sparql", {"query": CONSTRUCT}, None, 200, "text/turtle"),
    case("/sparql", {"query": CONSTRUCT}, "*/*", 200, "text/turtle"),
    case("/sparql", {"query": CONSTRUCT}, "application/n-triples", 200, "application/n-triples"),
    case("/sparql", {"query": CONSTRUCT}, "application/ld+json", 200, "application/ld+json"),
    case("/sparql", {"query": CONSTRUCT}, "application/json", 200, "application/ld+json"),
    case("/sparql", {"query": CONSTRUCT}, "application/rdf+xml", 200, "application/rdf+xml"),
    case(
        "/sparql",
        {"query": CONSTRUCT},
        "text/turtle;q=0.2, application/rdf+xml",
        200,
        "application/rdf+xml",
    ),
    case("/sparql", {"query": CONSTRUCT, "format": "json"}, None, 200, "application/ld+json"),
    case("/sparql", {"query": CONSTRUCT, "format": "xml"}, None, 200, "application/rdf+xml"),
    case(
        "/sparql",
        {"query": CONSTRUCT, "format": "nt"},
        "application/sparql-results+json",
        200,
        "application/n-triples",
    ),
    case("/sparql", {"query": CONSTRUCT}, "text/csv", 406, "application/json"),
    case("/sparql", {"query": DESCRIBE}, "application/ld+json", 200, "application/ld+json"),
    # The endpoint without a query: its service description, or the query editor for browsers.
    case("/sparql", {}, None, 200, "text/turtle"),
    case("/sparql", {}, "application/ld+json", 200, "application/ld+json"),
    case("/sparql", {}, HTML, 200, "text/html"),
    # A thing's IRI redirects to a document (test_a_thing_redirects_to_its_document), if any fits.
    case("/id/country/NOR", {}, "image/png", 406, "application/json"),
    # A document: a page first among equals (a browser's */* gets a page), else its RDF.
    case("/doc/country/NOR", {}, None, 200, "text/html"),
    case("/doc/country/NOR", {}, "*/*", 200, "text/html"),
    case("/doc/country/NOR", {}, "text/turtle", 200, "text/turtle"),
    case("/doc/country/NOR", {}, "text/plain", 200, "application/n-triples"),
    case("/doc/country/NOR", {}, "application/json", 200, "application/ld+json"),
    case("/doc/country/NOR", {}, "application/rdf+xml", 200, "application/rdf+xml"),
    case("/doc/country/NOR", {}, "image/png", 406, "application/json"),
    case("/doc/country/NOR", {"_format": "jsonld"}, HTML, 200, "application/ld+json"),
    case("/doc/country/NOR", {"_format": "nt"}, HTML, 200, "application/n-triples"),
    case("/doc/country/NOR", {"_mediatype": "text/turtle"}, HTML, 200, "text/turtle"),
    case(
        "/doc/country/NOR",
        {"_mediatype": "application/n-triples"},
        "text/turtle",
        200,
        "application/n-triples",
    ),
    case("/doc/country/NOR", {"_mediatype": "image/png"}, None, 406, "application/json"),
    # A document's extension fixes its format, whatever Accept or the parameters say.
    case("/doc/country/NOR.ttl", {}, HTML, 200, "text/turtle"),
    case("/doc/country/NOR.nt", {}, HTML, 200, "application/n-triples"),
    case("/doc/country/NOR.jsonld", {}, HTML, 200, "application/ld+json"),
    case("/doc/country/NOR.rdf", {}, HTML, 200, "application/rdf+xml"),
    case("/doc/country/NOR.html", {}, HTML, 200, "text/html"),
    case("/doc/country/NOR.ttl", {}, "image/png", 200, "text/turtle"),
    case("/doc/country/NOR.ttl", {"_mediatype": "application/ld+json"}, None, 200, "text/turtle"),
    # The ontology and the shapes, as documents.
    case("/def/wps", {}, HTML, 200, "text/html"),
    case("/def/wps", {}, "text/turtle", 200, "text/turtle"),
    case("/def/wps", {"_mediatype": "application/rdf+xml"}, HTML, 200, "application/rdf+xml"),
    case("/def/shapes", {}, "application/n-triples", 200, "application/n-triples"),
    case("/def/wps.jsonld", {}, HTML, 200, "application/ld+json"),
    case("/def/wps", {}, "image/png", 406, "application/json"),
    # The dataset's VoID description, and the list of downloads.
    case("/.well-known/void", {}, None, 200, "text/turtle"),
    case("/.well-known/void", {"format": "nt"}, None, 200, "application/n-triples"),
    case("/download/", {}, "application/json", 200, "application/json"),
    case("/download/", {}, HTML, 200, "text/html"),
]


@pytest.mark.parametrize(("path", "params", "accept", "status", "expected"), CASES)
def test_content_negotiation(client, path, params, accept, status, expected):
    headers = {"Accept": accept} if accept else {}
    response = client.get(path, query_string=params, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected
    fixed = "." in path.rsplit("/", 1)[-1]  # by the extension: the same whatever Accept says
    if status == 200 and not fixed:
        assert "Accept" in response.headers["Vary"]


REDIRECTS = [
    # (path, parameters, Accept, where the thing's IRI sends the client: 303 See Other)
    ("/id/plan/NOR/4", {}, "text/turtle", "/doc/plan/NOR/4.ttl"),
    ("/id/plan/NOR/4", {}, HTML, "/doc/plan/NOR/4.html"),
    ("/id/country/NOR", {}, None, "/doc/country/NOR.html"),
    ("/id/country/NOR", {}, "application/ld+json", "/doc/country/NOR.jsonld"),
    ("/id/country/NOR", {"_format": "nt"}, HTML, "/doc/country/NOR.nt"),
    ("/id/country/NOR", {"_mediatype": "application/ld+json"}, HTML, "/doc/country/NOR.jsonld"),
]


@pytest.mark.parametrize(("path", "params", "accept", "location"), REDIRECTS)
def test_a_thing_redirects_to_its_document(client, path, params, accept, location):
    headers = {"Accept": accept} if accept else {}
    response = client.get(path, query_string=params, headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"; type="application/ld+json"' in response.headers["Link"]


def test_not_acceptable_is_406(client):
    response = client.get(
        "/sparql", query_string={"query": NORWAY}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json["error"]


def test_document_negotiates_and_says_where_each_format_is(client):
    response = client.get("/doc/country/NOR", headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"] == "application/ld+json"
    assert response.headers["Content-Location"] == "/doc/country/NOR.jsonld"
    assert "Accept" in response.headers["Vary"]
    graph = parse_jsonld(response.text)
    assert (URIRef(BASE + "id/country/NOR"), None, None) in graph


# ------------------------------------------------------------------ Accept by RFC 9110, q=0 too
#
# The most specific range that matches a format decides its quality; q=0 refuses it. Werkzeug's
# best_match took the highest quality of any range that matched: "text/html;q=0, */*;q=0.1"
# got a page, "application/sparql-results+json;q=0, */*;q=0.1" got JSON.

NO_PAGE = "text/html;q=0, */*;q=0.1"
NO_JSON = "application/sparql-results+json;q=0, */*;q=0.1"
NOTHING = "*/*;q=0"
NO_TURTLE = "text/turtle;q=0, application/n-triples;q=0.5, */*;q=0.1"
TEXT_OVER_PAGE = "text/html;q=0.5, text/*;q=0.9"  # text/html's own range says 0.5
ONLY_NOT_PAGE = "text/html;q=0"
NO_PLAIN_JSON = "application/json;q=0, */*;q=0.1"
COMPACTED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'

MATRIX = [
    # (path, parameters, Accept, status, media type, or the document a 303 sends to)
    ("/id/country/NOR", {}, NO_PAGE, 303, "/doc/country/NOR.ttl"),
    ("/id/country/NOR", {}, NO_TURTLE, 303, "/doc/country/NOR.nt"),
    ("/id/country/NOR", {}, TEXT_OVER_PAGE, 303, "/doc/country/NOR.ttl"),
    ("/id/country/NOR", {}, NO_PLAIN_JSON, 303, "/doc/country/NOR.html"),
    ("/id/country/NOR", {}, COMPACTED, 303, "/doc/country/NOR.jsonld"),
    ("/id/country/NOR", {}, NOTHING, 406, None),
    ("/id/country/NOR", {}, ONLY_NOT_PAGE, 406, None),
    ("/doc/country/NOR", {}, NO_PAGE, 200, "text/turtle"),
    ("/doc/country/NOR", {}, NO_TURTLE, 200, "application/n-triples"),
    ("/doc/country/NOR", {}, TEXT_OVER_PAGE, 200, "text/turtle"),
    ("/doc/country/NOR", {}, COMPACTED, 200, "application/ld+json"),
    ("/doc/country/NOR", {}, NOTHING, 406, None),
    ("/doc/country/NOR", {}, ONLY_NOT_PAGE, 406, None),
    ("/sparql", {"query": NORWAY}, NO_PAGE, 200, "application/sparql-results+json"),
    ("/sparql", {"query": NORWAY}, NO_JSON, 200, "application/sparql-results+xml"),
    (
        "/sparql",
        {"query": NORWAY},
        "application/sparql-results+json;q=0, text/csv;q=0.3",
        200,
        "text/csv",
    ),
    ("/sparql", {"query": NORWAY}, "text/*", 200, "text/csv"),
    ("/sparql", {"query": NORWAY}, NOTHING, 406, None),
    ("/sparql", {"query": CONSTRUCT}, NO_TURTLE, 200, "application/n-triples"),
    ("/sparql", {"query": CONSTRUCT}, "text/turtle;q=0", 406, None),
    ("/sparql", {}, NO_PAGE, 200, "text/turtle"),
    ("/sparql", {}, "text/turtle;q=0, text/html;q=0.1, */*;q=0.2", 200, "application/n-triples"),
    ("/sparql", {}, NOTHING, 406, None),
    ("/", {}, NO_PAGE, 200, "application/json"),
    ("/", {}, NO_PLAIN_JSON, 200, "text/html"),
    ("/", {}, "application/json;q=0.5, text/html;q=0.6", 200, "text/html"),
    ("/download/", {}, NO_PAGE, 200, "application/json"),
    ("/download/", {}, NO_PLAIN_JSON, 200, "text/html"),
    ("/graph/naps", {}, NO_PAGE, 200, "application/trig"),
    ("/graph/naps", {}, HTML, 200, "text/html"),
    ("/graph/naps", {}, NO_TURTLE, 200, "application/n-triples"),
    ("/graph/naps", {}, TEXT_OVER_PAGE, 200, "text/turtle"),
    ("/graph/naps", {}, "application/n-quads", 200, "application/n-quads"),
    ("/graph/naps", {}, NOTHING, 406, None),
    ("/graph/naps", {}, ONLY_NOT_PAGE, 406, None),
    ("/def/wps", {}, NO_PAGE, 200, "text/turtle"),
    ("/def/wps", {}, NO_TURTLE, 200, "application/n-triples"),
    ("/def/wps", {}, TEXT_OVER_PAGE, 200, "text/turtle"),
    ("/def/wps", {}, NOTHING, 406, None),
    ("/def/wps", {}, ONLY_NOT_PAGE, 406, None),
    ("/.well-known/void", {}, NO_TURTLE, 200, "application/n-triples"),
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "params", "accept", "status", "expected"),
    [
        pytest.param(*row, id=f"{row[0]} {NAMES.get(row[1].get('query'), '')} {row[2]}")
        for row in MATRIX
    ],
)
def test_accept_is_read_by_rfc_9110(client, method, path, params, accept, status, expected):
    response = client.open(path, method=method, query_string=params, headers={"Accept": accept})
    assert response.status_code == status, response.text
    if status == 303:
        assert response.headers["Location"] == expected
    elif status == 200:
        assert response.headers["Content-Type"].split(";")[0] == expected
    if status in (200, 303):
        assert "Accept" in response.headers["Vary"]
    if method == "HEAD":
        assert response.data == b""


@pytest.mark.parametrize(
    ("accept", "parameters"),
    [
        (COMPACTED, {"profile": "http://www.w3.org/ns/json-ld#compacted"}),
        ("application/ld+json", {}),
        (
            "application/ld+json;q=0.5, " + COMPACTED,
            {"profile": "http://www.w3.org/ns/json-ld#compacted"},
        ),
        (COMPACTED + ";q=0, application/ld+json;q=0.5", {}),
        ("text/turtle;charset=utf-8", {}),
    ],
)
def test_the_parameters_of_the_range_chosen_are_kept(accept, parameters):
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    from server.negotiation import DOCUMENT_FORMATS, negotiate

    fmt, found = negotiate(parse_accept_header(accept, MIMEAccept), DOCUMENT_FORMATS)
    assert fmt.name == ("turtle" if "turtle" in accept else "jsonld")
    assert found == parameters


def test_a_charset_other_than_utf8_is_not_acceptable(client):
    response = client.get("/doc/country/NOR", headers={"Accept": "text/turtle;charset=iso-8859-1"})
    assert response.status_code == 406


# ------------------------------------------------------------------ named graphs, as RDF

NAPS = BASE + "graph/naps"
GRAPH_FORMATS = {"trig": "application/trig", "nq": "application/n-quads", "ttl": "text/turtle"}
GRAPH_FORMATS["nt"] = "application/n-triples"


def stored_graph(built, graph: str = NAPS) -> set:
    with gzip.open(built.settings.out_dir / "nap-graph.nq.gz", "rb") as handle:
        return {
            q.triple
            for q in ox.parse(handle.read(), format=ox.RdfFormat.N_QUADS)
            if q.graph_name.value == graph
        }


@pytest.mark.parametrize("extension", GRAPH_FORMATS)
def test_a_named_graph_gives_its_triples(client, built, extension):
    response = client.get(f"/graph/naps.{extension}", headers={"Accept": HTML})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == GRAPH_FORMATS[extension]
    assert f'</graph/naps.{extension}>; rel="alternate"' in response.headers["Link"]
    quads = list(ox.parse(response.data, format=ox.RdfFormat.from_extension(extension)))
    expected = stored_graph(built)
    assert len(expected) > 100  # more than the tests' RESULT_LIMIT: the pages are not cut
    assert {q.triple for q in quads} == expected
    if extension in ("trig", "nq"):
        assert {q.graph_name.value for q in quads} == {NAPS}


@pytest.mark.parametrize("extension", ["trig", "ttl", "nt"])
def test_a_named_graph_is_written_page_by_page(client, built, monkeypatch, extension):
    """Pages of a few subjects, and pages the store cuts at its byte limit, asked again in
    halves: the same triples, and one @prefix block."""
    from nap_graph.store import Answer
    from server import resources

    monkeypatch.setattr(resources, "GRAPH_PAGE", 7)
    query = resources._view_query
    cut = []

    def cutting(text, limit, graph_format="ntriples"):
        answer = query(text, limit, graph_format)
        if "VALUES" in text and text.count("> <") > 3:  # more than 3 subjects: too big
            cut.append(text)
            return Answer(answer.kind, answer.body[: len(answer.body) // 3], True, 0)
        return answer

    monkeypatch.setattr(resources, "_view_query", cutting)
    response = client.get(f"/graph/naps.{extension}")
    assert response.status_code == 200 and cut
    parsed = ox.parse(response.data, format=ox.RdfFormat.from_extension(extension))
    assert {q.triple for q in parsed} == stored_graph(built)
    if extension != "nt":
        assert response.data.count(b"@prefix wps:") == 1


def test_a_named_graph_says_where_its_formats_are(client):
    response = client.get("/graph/naps", headers={"Accept": "application/n-quads"})
    assert response.headers["Content-Location"] == "/graph/naps.nq"
    assert "Accept" in response.headers["Vary"]
    page = client.get("/graph/naps", headers={"Accept": HTML})
    assert page.headers["Content-Location"] == "/graph/naps.html"
    for extension in GRAPH_FORMATS:
        assert f'href="/graph/naps.{extension}"' in page.text
    assert client.get("/graph/naps.html", headers={"Accept": "text/turtle"}).mimetype == "text/html"


@pytest.mark.parametrize("path", ["/graph/nothing", "/graph/nothing.ttl", "/graph/naps.png"])
def test_an_unknown_named_graph_is_404(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


# ------------------------------------------------------------------ the ontology's documents

DEF_FORMATS = ["wps", "wps.ttl", "wps.nt", "wps.jsonld", "wps.rdf", "wps.html", "shapes.nt"]


@pytest.mark.parametrize("path", DEF_FORMATS)
def test_a_vocabulary_document_has_an_etag_that_matches(client, path):
    first = client.get(f"/def/{path}", headers={"Accept": "application/ld+json"})
    etag = first.headers["ETag"]
    again = client.get(f"/def/{path}", headers={"Accept": "application/ld+json"})
    assert again.data == first.data and again.headers["ETag"] == etag
    cached = client.get(
        f"/def/{path}", headers={"Accept": "application/ld+json", "If-None-Match": etag}
    )
    assert cached.status_code == 304 and cached.data == b""
    head = client.head(
        f"/def/{path}", headers={"Accept": "application/ld+json", "If-None-Match": etag}
    )
    assert head.status_code == 304


def test_a_vocabulary_document_has_the_same_bytes_when_read_again(app, client):
    """Another process, or the same after a restart, parses the file again: the parser names
    blank nodes at random, and the documents must not change with it."""
    from server.ontology_docs import _cache

    before = {p: client.get(f"/def/{p}").data for p in DEF_FORMATS if "." in p}
    with app.test_request_context("/def/wps"):
        _cache().clear()
    after = {p: client.get(f"/def/{p}").data for p in before}
    assert before == after
    assert b"_:" in before["wps.nt"]  # it has blank nodes, the case that failed
