"""Content negotiation as a table, in process: what each address answers in, from Accept, from a
parameter (`format` or `output` at the endpoint and /void; `_format` or `_mediatype` on the
documents and the vocabularies), or from a file extension, which wins over both."""

from __future__ import annotations

import pytest
from helpers import CONSTRUCT, NORWAY, parse_jsonld
from rdflib import URIRef

BASE = "https://w3id.org/nap-graph/"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's Accept
ASK = "ASK { ?s ?p ?o }"
DESCRIBE = "DESCRIBE <https://w3id.org/nap-graph/id/country/NOR>"
NAMES = {NORWAY: "select", CONSTRUCT: "construct", ASK: "ask", DESCRIBE: "describe"}
NO_VARY = pytest.mark.xfail(
    strict=True,
    reason="the answer depends on Accept but sends no Vary: Accept, so a cache may give one "
    "client's format to another (STYLE.md: send Vary: Accept)",
)


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
    case("/sparql", {}, HTML, 200, "text/html", marks=NO_VARY),
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
    case("/download/", {}, "application/json", 200, "application/json", marks=NO_VARY),
    case("/download/", {}, HTML, 200, "text/html", marks=NO_VARY),
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
