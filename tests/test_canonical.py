"""Literals keep their form from the dumps to the endpoint: the build writes each as Oxigraph
gives it back (nap_graph/canonical.py), so "0.20"^^xsd:decimal is "0.2" in both."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest

from nap_graph.canonical import _object, canonical, canonical_literals

XSD = "http://www.w3.org/2001/XMLSchema#"
WPS = "https://w3id.org/nap-graph/def/wps#"


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{XSD}{datatype}>'


# (as written, as Oxigraph gives it back)
REWRITTEN = [
    (typed("0.20", "decimal"), typed("0.2", "decimal")),
    (typed("+1.50", "decimal"), typed("1.5", "decimal")),
    (typed("1.", "decimal"), typed("1", "decimal")),
    (typed("01", "integer"), typed("1", "integer")),
    (typed("+4", "integer"), typed("4", "integer")),
    (typed("007", "int"), typed("7", "integer")),  # the derived types come back as integer
    (typed("+5", "nonNegativeInteger"), typed("5", "integer")),
    (typed("1e3", "double"), typed("1000", "double")),
    (typed("0.50", "float"), typed("0.5", "float")),
    (typed("1", "boolean"), typed("true", "boolean")),
    (typed("2020-01-01T00:00:00.000+00:00", "dateTime"), typed("2020-01-01T00:00:00Z", "dateTime")),
]
KEPT = [
    typed("0.2", "decimal"),
    typed("10", "decimal"),
    typed("-3", "integer"),
    typed("true", "boolean"),
    typed("2020-01", "gYearMonth"),
    typed("2019", "gYear"),
    typed("2020-01-01", "date"),
    typed("abc", "integer"),  # not an integer: Oxigraph keeps it as written
    '"0.20"',  # a string
    '"0.20"^^<http://example.org/number>',
]


def engine(literal: str) -> str:
    """What Oxigraph's store gives back for a literal, as N-Triples."""
    store = ox.Store()
    store.load(f"<urn:s> <urn:p> {literal} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    return str(next(iter(store)).object)


@pytest.mark.parametrize(("written", "expected"), REWRITTEN, ids=[w for w, _ in REWRITTEN])
def test_a_non_canonical_literal_is_written_as_the_engine_gives_it_back(written, expected):
    assert canonical_literals([written]) == {written: expected}
    assert engine(written) == expected  # the engine does rewrite it: the case is real
    assert canonical_literals([expected]) == {}  # and the canonical form is its own


@pytest.mark.parametrize("literal", KEPT)
def test_a_canonical_literal_is_kept(literal):
    assert canonical_literals([literal]) == {}
    assert engine(literal) == literal


def test_canonical_of_one_literal():
    decimal = ox.NamedNode(XSD + "decimal")
    assert canonical(ox.Literal("0.20", datatype=decimal)) == ox.Literal("0.2", datatype=decimal)
    kept = ox.Literal("0.2", datatype=decimal)
    assert canonical(kept) == kept


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f"<urn:s> <urn:p> {typed('0.20', 'decimal')}", typed("0.20", "decimal")),
        (f"<urn:s> <urn:p> {typed(' 1 ', 'integer')}", typed(" 1 ", "integer")),
        (f"<urn:s> <urn:p> {typed('', 'integer')}", typed("", "integer")),
        (f'<urn:s> <urn:p> "a \\" b"^^<{XSD}gYear>', f'"a \\" b"^^<{XSD}gYear>'),
        ('_:b <urn:p> "0.20"@en', None),
        ("<urn:s> <urn:p> <urn:o>", None),
        ('<urn:s> <urn:p> "0.20"^^<urn:t>', None),
    ],
)
def test_the_object_of_a_line_is_found(line, found):
    assert _object(line) == found


def test_every_literal_of_the_dumps_is_as_the_engine_gives_it_back(built):
    """The sources write shares as "0.20": the dumps hold what the store gives back."""
    out = built.settings.out_dir
    with gzip.open(out / "nap-graph.nq.gz", "rb") as handle:
        dumped = set(ox.parse(handle.read(), format=ox.RdfFormat.N_QUADS))
    store = ox.Store()
    store.extend(dumped)
    assert set(store) == dumped
    literals = {q.object for q in dumped if isinstance(q.object, ox.Literal)}
    assert ox.Literal("0.2", datatype=ox.NamedNode(XSD + "decimal")) in literals
    assert not canonical_literals(str(lit) for lit in literals)
    # The other dumps hold the same literals.
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in dumped}
    for name, fmt in (
        ("nap-graph.ttl", ox.RdfFormat.TURTLE),
        ("nap-graph.trig", ox.RdfFormat.TRIG),
    ):
        parsed = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(out / name), format=fmt)
        }
        assert parsed == triples, name


def test_the_endpoint_gives_the_dumps_literals(client, built):
    with gzip.open(built.settings.out_dir / "nap-graph.nq.gz", "rb") as handle:
        dumped = {
            (q.subject.value, q.object)
            for q in ox.parse(handle.read(), format=ox.RdfFormat.N_QUADS)
            if q.predicate.value == WPS + "targetShareOfWomen"
        }
    assert any(o.value == "0.2" for _, o in dumped)  # "0.20" in the sources
    query = f"SELECT ?s ?o WHERE {{ ?s <{WPS}targetShareOfWomen> ?o }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    rows = response.json["results"]["bindings"]
    served = {
        (r["s"]["value"], ox.Literal(r["o"]["value"], datatype=ox.NamedNode(r["o"]["datatype"])))
        for r in rows
    }
    assert served == dumped


@pytest.mark.parametrize("name", ["wps.ttl", "shapes.ttl"])
def test_the_ontology_files_are_written_canonical(built, name):
    """They are published as they are (/def/wps.ttl), and their terms are in the store too."""
    path = built.settings.out_dir / "ontology" / name
    literals = [str(t.object) for t in ox.parse(path=str(path)) if isinstance(t.object, ox.Literal)]
    assert literals
    assert canonical_literals(literals) == {}
