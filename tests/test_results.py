"""Our SPARQL results writers (nap_graph/results.py) against Oxigraph's own serializer, byte for
byte, as results.py promises: SELECT and ASK in JSON, XML, CSV and TSV.

Each SELECT runs on a small store twice: once for Oxigraph to serialize, once for its rows to
be written by write_select. The blank nodes are the store's own, so both runs name them alike.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from nap_graph.results import write_ask, write_select

FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
XSD = "http://www.w3.org/2001/XMLSchema#"
DATA = f"""
<http://e/s> <http://e/p> _:b0 .
_:b0 <http://e/p> _:b1 .
<http://e/s> <http://e/lang> "chat"@fr .
<http://e/s> <http://e/lang> "colour"@en-GB .
<http://e/s> <http://e/typed> "2020"^^<{XSD}gYear> .
<http://e/s> <http://e/typed> "x"^^<http://e/type?a=1&b=2> .
<http://e/s> <http://e/typed> "x"^^<{XSD}string> .
"""

SELECTS = {
    "empty": "SELECT ?a ?b WHERE { FILTER(false) }",
    "no variables": "SELECT * WHERE { }",
    "unbound beside bound": "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 UNDEF) (UNDEF 'x') } }",
    "all unbound": "SELECT ?a ?b WHERE { VALUES (?a ?b) { (UNDEF UNDEF) } }",
    "one column, unbound": "SELECT ?a WHERE { VALUES ?a { UNDEF } }",
    "one column, empty string": "SELECT ?a WHERE { VALUES ?a { '' } }",
    "two columns, empty strings": "SELECT ?a ?b WHERE { VALUES (?a ?b) { ('' '') } }",
    "language tags": "SELECT ?o WHERE { ?s <http://e/lang> ?o } ORDER BY ?o",
    "datatypes": "SELECT ?o WHERE { ?s <http://e/typed> ?o } ORDER BY STR(DATATYPE(?o))",
    "integers and doubles": f"SELECT ?a WHERE {{ VALUES ?a {{ 1 -3 +4 '12'^^<{XSD}int> 1e3 "
    f"'01'^^<{XSD}integer> 'abc'^^<{XSD}integer> 'NaN'^^<{XSD}double> }} }}",
    "decimals": f"SELECT ?a WHERE {{ VALUES ?a {{ 1.5 -1.5 .5 '1.'^^<{XSD}decimal> }} }}",
    "booleans": f"SELECT ?a WHERE {{ VALUES ?a {{ true false 'TRUE'^^<{XSD}boolean> }} }}",
    "blank nodes": "SELECT ?s ?o WHERE { ?s <http://e/p> ?o } ORDER BY STR(?s)",
    "IRIs": "SELECT ?a WHERE { VALUES ?a { <http://e/a?b=1&c=d> <http://e/é> } }",
    "an apostrophe in an IRI": "SELECT ?a WHERE { VALUES ?a { <http://e/a'b> } }",
    "markup and separators in strings": "SELECT ?a WHERE { VALUES ?a "
    "{ 'a\"b<c>&d' 'tab\\there' 'new\\nline' 'carriage\\rreturn' 'a,b' } }",
    "an apostrophe in a string": 'SELECT ?a WHERE { VALUES ?a { "it\'s" } }',
    "spaces around a string": "SELECT ?a WHERE { VALUES ?a { ' lead' 'trail ' '\\tx' 'x\\n' } }",
    "white space at the ends only": "SELECT ?a WHERE { VALUES ?a "
    "{ '  two' 'x\\r' '\\rx' ' ' '\\n\\n' 'a  b' 'mid\\rdle' '\\u00A0x' } }",
    "digits that are not ASCII": f"SELECT ?a WHERE {{ VALUES ?a {{ '²'^^<{XSD}integer> "
    f"'١٢'^^<{XSD}integer> '1.٥'^^<{XSD}decimal> }} }}",
    "doubles and floats": f"SELECT ?a WHERE {{ VALUES ?a {{ 1e3 '-1.5e-3'^^<{XSD}double> "
    f"'INF'^^<{XSD}double> '1.5'^^<{XSD}float> '1'^^<{XSD}decimal> '5.'^^<{XSD}decimal> }} }}",
    "back slashes and quotes": "SELECT ?a WHERE { VALUES ?a { 'back\\\\slash' 'q\"q' } }",
    "commas and quotes in a triple term": "SELECT ?a WHERE "
    "{ BIND(<<( <http://e/s> <http://e/p> 'x,y \"z\"' )>> AS ?a) }",
    "non-ASCII": "SELECT ?a WHERE { VALUES ?a { 'é ü 日本' 'emoji 🕊' } }",
    "control characters": "SELECT ?a WHERE { VALUES ?a { 'a\\u0001b\\u007Fc' } }",
    "unusual variable names": "SELECT ?été ?_x ?a1 WHERE { BIND(1 AS ?été) BIND(2 AS ?a1) }",
    # RDF 1.2, which Oxigraph reads and writes.
    "triple terms": "SELECT ?a WHERE { BIND(<<( <http://e/s> <http://e/p> 'x' )>> AS ?a) }",
    "base directions": "SELECT ?a WHERE { VALUES ?a { 'x'@ar--rtl } }",
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
