"""The answers the query workers write with Oxigraph's writers (write_result with `again`)
against those our writers write of the same rows (write_result without it), byte for byte,
with the same cut and count: within the row and byte caps, past them, and where Oxigraph's
writers cannot give the answer (and ours write it).

Whether Oxigraph's answer was sent or ours is seen by counting the calls of our writer
(`ours` fixture) and of `again`.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import RESULTS_DATA, RESULTS_SELECTS, XSD

from nap_graph import formats, results
from nap_graph.results import write_result

FORMATS = ("json", "xml", "csv", "tsv")
BIG = 50_000_000
OURS = results._write_solutions  # what write_result writes rows with, without `again`


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(RESULTS_DATA, format=ox.RdfFormat.N_TRIPLES)
    # Rows enough for Oxigraph to write them in several pieces (of 8 KiB).
    line = '<http://e/n{0}> <http://e/v> "row {0}, of \\"many\\"\\r\\n{1}"@en .\n'
    store.load(
        "".join(
            line.format(i, "é" * (i % 7)) + f"<http://e/n{i}> <http://e/i> {i} .\n"
            for i in range(3000)
        ),
        format=ox.RdfFormat.TURTLE,
    )
    return store


@pytest.fixture
def ours(monkeypatch) -> list:
    """The calls of our SELECT writer, as the worker's answers make them."""
    calls = []

    def spy(*args):
        calls.append(args)
        return OURS(*args)

    monkeypatch.setattr(results, "_write_solutions", spy)
    return calls


def answers(store, query, fmt, limit, max_bytes=BIG, graph_format="turtle"):
    """The worker's answer (Oxigraph's writers) and ours, and how often `again` ran."""
    runs = []

    def again():
        runs.append(1)
        return store.query(query)

    options = dict(results_format=fmt, graph_format=graph_format, limit=limit, max_bytes=max_bytes)
    fast = write_result(store.query(query), again=again, **options)
    result = store.query(query)
    if isinstance(result, ox.QuerySolutions):  # as write_result writes it, but unseen by `ours`
        expected = OURS(result, fmt, limit, max_bytes)
    else:
        expected = write_result(result, **options)
    return fast, expected, len(runs)


# ------------------------------------------------------------------ within the caps


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("limit", [1, 2, 1000])
@pytest.mark.parametrize("query", RESULTS_SELECTS.values(), ids=RESULTS_SELECTS.keys())
def test_each_answer_is_ours(store, ours, query, fmt, limit):
    fast, expected, runs = answers(store, query, fmt, limit)
    assert fast == expected
    assert runs == 0


# Answers Oxigraph's writers give whole, within the caps: what each format escapes, and
# strings that look like a row's start or end in JSON and XML.
FAST = {
    **{
        name: RESULTS_SELECTS[name]
        for name in (
            "empty",
            "unbound beside bound",
            "language tags",
            "datatypes",
            "integers and doubles",
            "blank nodes",
            "markup and separators in strings",
            "white space at the ends only",
            "back slashes and quotes",
            "commas and quotes in a triple term",
            "non-ASCII",
            "base directions",
        )
    },
    "a row's markers in strings": "SELECT ?a ?b WHERE { VALUES (?a ?b) { ('a,{' 'x') "
    "('x,{\"y' '<result>') ('}},{\"a\":' '\"bindings\":[') ('a,{\"' 'b,{\",') } }",
    "own LIMIT, OFFSET and ORDER BY": "SELECT ?o WHERE { ?s <http://e/v> ?o } "
    "ORDER BY DESC(?o) LIMIT 40 OFFSET 3",
    "VALUES after the pattern": "SELECT ?s ?o WHERE { ?s <http://e/i> ?o } "
    "VALUES ?o { 1 2 3 2999 }",
    "many rows": "SELECT ?s ?v ?i WHERE { ?s <http://e/v> ?v ; <http://e/i> ?i } ORDER BY ?i",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", FAST.values(), ids=FAST.keys())
def test_oxigraph_writes_the_answer_itself(store, ours, query, fmt):
    fast, expected, runs = answers(store, query, fmt, 10_000)
    assert fast == expected
    assert ours == [] and runs == 0


MANY = FAST["many rows"]  # 3,000 rows, over several of Oxigraph's writes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("limit", [1, 2, 37, 999, 1000, 2999, 3000, 3001, 200_000])
def test_an_answer_is_cut_at_the_limit_as_ours_is(store, ours, fmt, limit):
    fast, expected, runs = answers(store, MANY, fmt, limit)
    assert fast == expected
    assert fast[3] is (limit < 3000) and fast[4] == min(limit, 3000)
    assert ours == [] and runs == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("rows", [0, 1, 2, 3])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_a_cut_exactly_at_the_limit_and_one_past(store, ours, fmt, rows, limit):
    values = " ".join(f"'v{i}'" for i in range(rows))
    fast, expected, runs = answers(
        store, f"SELECT ?a WHERE {{ VALUES ?a {{ {values} }} }}", fmt, limit
    )
    assert fast == expected
    assert fast[3] is (rows > limit) and fast[4] == min(rows, limit)
    assert ours == [] and runs == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_ask_is_written_as_ever(store, fmt):
    for query in ("ASK { ?s ?p ?o }", "ASK { FILTER(false) }"):
        fast, expected, _ = answers(store, query, fmt, 10)
        assert fast == expected and fast[1] == "boolean"


# ------------------------------------------------------------------ where ours write it


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("limit", [1, 2, 10])
@pytest.mark.parametrize(
    "values",
    [
        "(UNDEF UNDEF) (1 2) (UNDEF UNDEF) (UNDEF UNDEF)",  # empty rows
        "('a,{}' 'b') ('c' 'd') ('e' 'f')",  # what JSON may take for one
    ],
    ids=["empty rows", "a string like an empty row"],
)
def test_rows_json_cannot_count_here_are_written_by_ours(store, ours, fmt, values, limit):
    fast, expected, runs = answers(
        store, f"SELECT ?a ?b WHERE {{ VALUES (?a ?b) {{ {values} }} }}", fmt, limit
    )
    assert fast == expected
    assert runs == 0
    assert bool(ours) is (fmt == "json")


@pytest.mark.parametrize("limit", [10, 30_000])
def test_many_empty_rows_in_json_are_written_from_tsv(store, ours, limit):
    """Past a few, Oxigraph writes them in TSV, which it stops at the limit, then in JSON."""
    query = (
        "SELECT ?x WHERE { ?s <http://e/v> ?o VALUES ?k { 1 2 3 4 5 6 7 8 } "
        "OPTIONAL { ?s <http://e/none> ?x } }"
    )
    fast, expected, runs = answers(store, query, "json", limit)
    assert fast == expected and fast[3:] == ((True, 10) if limit == 10 else (False, 24_000))
    assert ours == [] and runs == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_answer_of_rows_with_nothing_bound_is_ours_in_json(store, ours, fmt):
    """SELECT * { } has a row of no variables; an aggregate of nothing, a row unbound."""
    for query in ("SELECT * WHERE { }", "SELECT (MAX(?x) AS ?m) WHERE { ?x <http://e/none> ?y }"):
        fast, expected, runs = answers(store, query, fmt, 10)
        assert fast == expected and fast[4] == 1 and runs == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("max_bytes", [1, 100, 20_000, 150_000, 400_000])
def test_past_the_byte_cap_ours_cut_the_rows_oxigraph_wrote(store, ours, fmt, max_bytes):
    fast, expected, runs = answers(store, MANY, fmt, 3000, max_bytes)
    assert fast == expected
    assert len(fast[2]) <= max_bytes or fast[4] == 0
    if fast[3]:
        assert ours  # the byte cap, which ours apply
    assert runs <= 1  # past the cap, Oxigraph's writing is given up, and the query run again


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("max_bytes", [60, 200, 700, 1500, 3000])
def test_rows_oxigraph_wrote_are_read_back_as_they_were(store, fmt, max_bytes):
    """Control characters (raw in XML, which XML readers refuse), a carriage return (which
    they would read as a line feed), short forms, triple terms."""
    query = (
        "SELECT ?a ?b ?c WHERE { VALUES ?a { 'a\\u0001b\\u007F' 'c\\rd' 'e\\uFFFFf' } "
        "VALUES ?b { 1 1.5 true } BIND(<<( <http://e/s> <http://e/p> ?b )>> AS ?c) }"
    )
    fast, expected, _ = answers(store, query, fmt, 8, max_bytes)
    assert fast == expected


def test_far_past_the_byte_cap_the_query_runs_again(store, ours):
    fast, expected, runs = answers(store, MANY, "json", 3000, 1000)
    assert fast == expected and fast[3] is True
    assert runs == 1 and len(ours) == 1


BNODE_A_B = 'SELECT ?a ?b WHERE { BIND(BNODE("a:b") AS ?a) VALUES ?b { 1 2 } }'


def test_a_blank_node_tsv_cannot_read_back_is_written_by_ours_in_csv(store, ours):
    """BNODE("a:b") is _:a:b, which Oxigraph writes in TSV and refuses to read: CSV, which
    is written from TSV, is ours, of the result run again."""
    fast, expected, runs = answers(store, BNODE_A_B, "csv", 1)
    assert fast == expected and b"_:a:b" in fast[2]
    assert ours and runs == 1


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_such_a_blank_node_is_written_by_oxigraph_in_the_other_formats(store, ours, fmt):
    fast, expected, runs = answers(store, BNODE_A_B, fmt, 1)
    assert fast == expected and b"a:b" in fast[2]
    assert ours == [] and runs == 0


# ------------------------------------------------------------------ what the answers count


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_are_found_however_oxigraph_splits_its_writes(store, fmt):
    """Markers that straddle two writes (<result>, `,{"` and the byte after it) count once."""
    kind = results._ROWS[fmt]
    body = store.query(FAST["a row's markers in strings"] + " ORDER BY ?a").serialize(
        format=kind.format
    )
    whole = kind(2, BIG)
    try:
        whole.write(body)
    except BrokenPipeError:
        pass
    for size in range(1, 40):
        rows = kind(2, BIG)
        try:
            for at in range(0, len(body), size):
                rows.write(body[at : at + size])
        except BrokenPipeError:
            pass
        assert (rows.markers, rows.ends, rows.stopped) == (whole.markers, whole.ends, True)
        assert rows.kept(rows.body()) == whole.kept(whole.body())


def estimates(rows) -> int:
    """What our writers count of rows against the byte cap."""
    return sum(len(str(t)) for row in rows for t in row if t is not None)


STRING = ox.NamedNode(XSD + "string")
S, P = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
# Each character N-Triples escapes (controls, DEL, ", \\, U+FFFE and U+FFFF), and others.
CHARS = [chr(c) for c in (*range(0x80), 0x85, 0xA0, 0xE9, 0x2028, 0xFFFD, 0xFFFE, 0xFFFF, 0x1F54A)]
TERMS = [
    *(ox.Literal(f"a{c}") for c in CHARS),
    *(ox.Literal(c * 3, language="en") for c in CHARS),
    *(ox.Literal(f"{c}", datatype=ox.NamedNode("http://e/t")) for c in CHARS),
    *(
        ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
        for value, datatype in [
            ("1", "integer"),
            ("-1.5", "decimal"),
            (".5", "decimal"),
            ("1e3", "double"),
            ("true", "boolean"),
            ("false", "boolean"),
        ]
    ),
    ox.Literal(""),
    ox.NamedNode("http://e/a?b=1&c='d'"),
    ox.BlankNode("b1"),
    ox.Triple(S, P, ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))),
    ox.Triple(S, P, ox.Triple(S, P, ox.Literal("t", datatype=ox.NamedNode(XSD + "boolean")))),
]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])  # CSV's is its TSV's
def test_the_bound_of_a_cap_is_at_least_what_ours_count(fmt):
    """What Oxigraph's answer is checked against: at least what ours count of its rows
    against the byte cap (each term's N-Triples text), and at most `most` times its bytes."""
    kind = results._ROWS[fmt]
    for term in TERMS:
        for row in [(term,), (term, term), (term, None)]:
            body = results.write_select(["a", "b"][: len(row)], [row], fmt)
            assert kind.bound(body) >= estimates([row]), (term, row)
            assert kind.most * len(body) >= kind.bound(body)
    body = results.write_select(["a"], [(t,) for t in TERMS], fmt)
    assert kind.bound(body) >= estimates([(t,) for t in TERMS])


# ------------------------------------------------------------------ graphs


def graph_answers(store, query, graph_format, limit, max_bytes):
    """The answer write_result gives now, and what it gave before: each triple's text
    counted, then the triples written."""
    fmt = formats.by_name(graph_format, formats.GRAPH).ox

    def write(triples):
        body = ox.serialize(triples, format=fmt)
        return results.escape_rdf_xml(body) if fmt == ox.RdfFormat.RDF_XML else body

    now = write_result(
        store.query(query),
        results_format="json",
        graph_format=graph_format,
        limit=limit,
        max_bytes=max_bytes,
    )
    triples, truncated = results._within(
        store.query(query), limit, max_bytes, lambda t: len(str(t))
    )
    body, triples, truncated = results._write_within(write, triples, truncated, max_bytes)
    return now, ("ok", "graph", body, truncated, len(triples))


GRAPH_QUERIES = {
    "many": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "describe": "DESCRIBE <http://e/s>",
    "empty": "CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://e/none> ?o }",
    "markup": 'CONSTRUCT { <http://e/s> <http://e/p> "a\\r\\nb<c>&\\u0001\\u007F\\\\\\"" } WHERE { }',
}


@pytest.mark.parametrize("graph_format", ["turtle", "ntriples", "rdfxml", "jsonld", "nquads"])
@pytest.mark.parametrize("limit", [1, 999, 1000, 1001, 2500, 10_000])
@pytest.mark.parametrize("query", GRAPH_QUERIES.values(), ids=GRAPH_QUERIES.keys())
def test_a_graph_is_written_as_before(store, query, graph_format, limit):
    now, before = graph_answers(store, query, graph_format, limit, BIG)
    assert now == before


@pytest.mark.parametrize("graph_format", ["turtle", "ntriples"])
@pytest.mark.parametrize("max_bytes", [1, 50, 5_000, 60_000, 150_000, 400_000])
def test_a_graph_is_cut_at_the_byte_cap_as_before(store, graph_format, max_bytes):
    now, before = graph_answers(store, GRAPH_QUERIES["many"], graph_format, 10_000, max_bytes)
    assert now == before


# ------------------------------------------------------------------ in the worker


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_worker_answers_with_oxigraphs_writers(store, ours, fmt):
    from nap_graph.query_worker import answer

    request = {"query": MANY, "results_format": fmt, "graph_format": "turtle", "union": False}
    reply = answer(store, {**request, "limit": 10, "max_bytes": BIG})
    assert reply == OURS(store.query(MANY), fmt, 10, BIG) and reply[3:] == (True, 10)
    assert ours == []
    reply = answer(store, {**request, "limit": 3000, "max_bytes": 1000})  # Oxigraph gives up
    assert reply == OURS(store.query(MANY), fmt, 3000, 1000) and reply[3] is True
    assert len(ours) == 1
