"""Our SPARQL results writers (nap_graph/results.py) against Oxigraph's own serializer, byte for
byte, as results.py promises: SELECT and ASK in JSON, XML, CSV and TSV.

Each SELECT runs on a small store twice: once for Oxigraph to serialize, once for its rows to
be written by write_select. The blank nodes are the store's own, so both runs name them alike.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from helpers import RESULTS_DATA as DATA
from helpers import RESULTS_SELECTS as SELECTS
from helpers import XSD

from nap_graph import formats
from nap_graph.errors import NotWritable
from nap_graph.results import check_xml, escape_rdf_xml, write_ask, write_select

FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.N_TRIPLES)
    return store


def ours(store: ox.Store, query: str, fmt: str) -> bytes:
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    return write_select(variables, [tuple(s[v] for v in variables) for s in solutions], fmt)


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        pytest.param(
            query,
            fmt,
            id=f"{name}-{fmt}",
        )
        for name, query in SELECTS.items()
        for fmt in FORMATS
    ],
)
def test_select_is_written_as_oxigraph_writes_it(store, query, fmt):
    expected = store.query(query).serialize(format=FORMATS[fmt])
    if fmt == "xml":  # but for a carriage return, which Oxigraph writes raw
        expected = expected.replace(b"\r", b"&#13;")
    assert ours(store, query, fmt) == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kept", [0, 1, 2])
def test_the_rows_kept_of_a_cut_result_are_written_as_oxigraph_writes_them(store, fmt, kept):
    """A capped answer writes its first rows: as Oxigraph writes the query with that LIMIT."""
    query = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o"
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    rows = [tuple(s[v] for v in variables) for s in solutions]
    assert len(rows) > kept
    expected = store.query(f"{query} LIMIT {kept}").serialize(format=FORMATS[fmt])
    assert write_select(variables, rows[:kept], fmt) == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "ASK { FILTER(false) }"])
def test_ask_is_written_as_oxigraph_writes_it(store, query, fmt):
    expected = store.query(query).serialize(format=FORMATS[fmt])
    assert write_ask(bool(store.query(query)), fmt) == expected


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown results format"):
        write_select(["a"], [], "html")
    with pytest.raises(ValueError, match="unknown results format"):
        write_ask(True, "html")


# ------------------------------------------------------------------ what XML cannot hold, and TSV

CONTROL = [chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]


def test_xml_results_write_a_carriage_return_as_a_reference():
    """Raw, an XML reader reads a line feed (XML 1.0, 2.11): Oxigraph writes it raw."""
    body = write_select(["a"], [(ox.Literal("mid\rdle\r\nend"),)], "xml")
    assert b"\r" not in body and b"mid&#13;dle&#13;\nend" in body
    assert ElementTree.fromstring(body).find(".//{*}literal").text == "mid\rdle\r\nend"


def test_rdf_xml_writes_a_carriage_return_as_a_reference():
    triple = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("a\rb"))
    raw = ox.serialize([triple], format=ox.RdfFormat.RDF_XML)
    assert b"\r" in raw  # what Oxigraph writes
    body = check_xml(escape_rdf_xml(raw), "rdfxml")
    assert b"\r" not in body
    assert [q.triple for q in ox.parse(body, format=ox.RdfFormat.RDF_XML)] == [triple]


@pytest.mark.parametrize("char", [*CONTROL, "\ufffe", "\uffff"], ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("fmt", ["xml", "rdfxml"])
def test_a_character_xml_cannot_hold_is_refused_by_name(char, fmt):
    literal = ox.Literal(f"a{char}b")
    if fmt == "xml":
        body = write_select(["a"], [(literal,)], "xml")
    else:
        triple = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), literal)
        body = escape_rdf_xml(ox.serialize([triple], format=ox.RdfFormat.RDF_XML))
    with pytest.raises(ElementTree.ParseError):  # what check_xml stands in front of
        ElementTree.fromstring(body)
    with pytest.raises(NotWritable, match=f"U\\+{ord(char):04X}"):
        check_xml(body, fmt)


@pytest.mark.parametrize("char", ["\t", "\n", "\x7f", "\x85", "é", "🕊"], ids=repr)
def test_characters_xml_holds_pass(char):
    body = write_select(["a"], [(ox.Literal(f"a{char}b"),)], "xml")
    assert check_xml(body, "xml") == body
    ElementTree.fromstring(body)


# Predicates and whether RDF/XML can split them into a namespace and a local name.
PREDICATES = {
    "http://example.org/1": False,
    "http://example.org/": False,
    "http://example.org/a#": False,
    "http://example.org/a#1": False,
    "urn:x:1": False,
    "http://example.org/a-": True,
    "http://example.org/-a": True,
    "http://example.org/p.q": True,
    "http://example.org/_1": True,
    "http://example.org/été": True,
    "http://example.org/x1": True,
}


@pytest.mark.parametrize(("predicate", "splits"), PREDICATES.items())
def test_rdf_xml_refuses_a_predicate_it_cannot_split(predicate, splits):
    triple = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode(predicate), ox.Literal("v"))
    body = escape_rdf_xml(ox.serialize([triple], format=ox.RdfFormat.RDF_XML))
    if splits:
        ElementTree.fromstring(body)
        parsed = ox.parse(check_xml(body, "rdfxml"), format=ox.RdfFormat.RDF_XML)
        assert [q.triple for q in parsed] == [triple]
    else:
        with pytest.raises(ElementTree.ParseError):  # not XML (Oxigraph's reader lets it by)
            ElementTree.fromstring(body)
        with pytest.raises(NotWritable, match=f"<{re.escape(predicate)}>"):
            check_xml(body, "rdfxml")


def test_tsv_quotes_an_integer_of_digits_that_are_not_ascii():
    integer = ox.NamedNode(XSD + "integer")
    rows = [(ox.Literal("²", datatype=integer),), (ox.Literal("2", datatype=integer),)]
    assert write_select(["a"], rows, "tsv").decode().splitlines() == [
        "?a",
        f'"²"^^<{XSD}integer>',
        "2",
    ]


# Through the endpoint: the store's worker writes the answer, the server reads it first.
S, P = "<http://e/s>", "<http://e/p>"
RESULTS_XML, RDF_XML = "application/sparql-results+xml", "application/rdf+xml"


def ask_endpoint(client, query, accept):
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})


def test_the_endpoint_writes_a_carriage_return_that_xml_readers_keep(client):
    select = ask_endpoint(client, 'SELECT ?a WHERE { BIND("a\\rb" AS ?a) }', RESULTS_XML)
    assert select.status_code == 200
    assert ElementTree.fromstring(select.data).find(".//{*}literal").text == "a\rb"
    graph = ask_endpoint(client, f'CONSTRUCT {{ {S} {P} "a\\rb" }} WHERE {{ }}', RDF_XML)
    assert graph.status_code == 200 and b"\r" not in graph.data
    assert next(iter(ox.parse(graph.data, format=ox.RdfFormat.RDF_XML))).object.value == "a\rb"


@pytest.mark.parametrize("char", ["\x01", "\x0b", "\x1f"], ids=lambda c: f"U+{ord(c):04X}")
def test_the_endpoint_refuses_xml_it_cannot_write_and_says_what_can(client, char):
    escaped = f"\\u{ord(char):04X}"
    select = f'SELECT ?a WHERE {{ BIND("a{escaped}b" AS ?a) }}'
    refused = ask_endpoint(client, select, RESULTS_XML)
    assert refused.status_code == 406, refused.text
    assert f"U+{ord(char):04X}" in refused.json["error"] and "JSON" in refused.json["error"]
    assert ask_endpoint(client, select, "application/sparql-results+json").status_code == 200
    construct = f'CONSTRUCT {{ {S} {P} "a{escaped}b" }} WHERE {{ }}'
    refused = ask_endpoint(client, construct, RDF_XML)
    assert refused.status_code == 406 and "Turtle" in refused.json["error"]
    assert ask_endpoint(client, construct, "text/turtle").status_code == 200


@pytest.mark.parametrize("predicate", ["http://example.org/1", "http://example.org/"])
def test_the_endpoint_refuses_rdf_xml_of_a_predicate_it_cannot_split(client, predicate):
    construct = f'CONSTRUCT {{ {S} <{predicate}> "v" }} WHERE {{ }}'
    refused = ask_endpoint(client, construct, RDF_XML)
    assert refused.status_code == 406 and f"<{predicate}>" in refused.json["error"]
    assert ask_endpoint(client, construct, "application/n-triples").status_code == 200


def test_the_endpoint_quotes_non_ascii_digits_in_tsv(client):
    query = f'SELECT ?a WHERE {{ BIND("²"^^<{XSD}integer> AS ?a) }}'
    answer = ask_endpoint(client, query, "text/tab-separated-values")
    assert answer.text.splitlines()[1] == f'"²"^^<{XSD}integer>'


def test_documents_in_rdf_xml_escape_and_refuse_as_the_endpoint_does(app):
    from server.render import graph_response

    rdfxml = formats.by_name("rdfxml")
    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    with app.test_request_context("/doc/x.rdf"):
        body = graph_response([ox.Triple(s, p, ox.Literal("a\rb"))], rdfxml).data
        assert b"&#13;" in body and b"\r" not in body
        with pytest.raises(NotWritable, match="U\\+0001"):
            graph_response([ox.Triple(s, p, ox.Literal("a\x01b"))], rdfxml)
        with pytest.raises(NotWritable, match="<http://example.org/1>"):
            graph_response([ox.Triple(s, ox.NamedNode("http://example.org/1"), s)], rdfxml)
