"""The format registry: one table, read by negotiation, downloads, the worker and the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pyoxigraph as ox
import pytest

from nap_graph import formats
from nap_graph.errors import NapGraphError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("ttl", None, "turtle"),
        ("n3", None, "turtle"),  # SPARQLWrapper's name for Turtle
        ("TEXT/TURTLE", None, "turtle"),
        ("application/x-turtle", None, "turtle"),
        ("nt", None, "ntriples"),
        ("text/plain", formats.GRAPH, "ntriples"),
        ("json", None, "json"),
        ("json", formats.RESULTS, "json"),
        ("json", formats.GRAPH, "jsonld"),
        ("application/json", formats.GRAPH, "jsonld"),
        ("xml", formats.RESULTS, "xml"),
        ("xml", formats.GRAPH, "rdfxml"),
        ("application/xml", formats.GRAPH, "rdfxml"),
        ("srj", None, "json"),
        ("srx", None, "xml"),
        ("trig", None, "trig"),
        ("nq", None, "nquads"),
        ("html", formats.RESULTS, "html"),
        ("jsonld", formats.RESULTS, None),  # a graph format is no answer to SELECT
        ("text/csv", formats.GRAPH, None),
        ("bogus", None, None),
    ],
)
def test_names_and_media_types(name, kind, expected):
    fmt = formats.by_name(name, kind)
    assert (fmt.name if fmt else None) == expected


def test_media_types_and_extensions_are_pyoxigraphs():
    for fmt in formats.FORMATS:
        if fmt.ox is not None:
            assert fmt.media_type == fmt.ox.media_type.split(";")[0]
            assert fmt.extension == fmt.ox.file_extension
            assert formats.by_name(fmt.media_type, fmt.kind) is fmt
            assert formats.by_extension(fmt.extension) is fmt


def test_one_charset_rule():
    assert formats.by_name("turtle").content_type == "text/turtle; charset=utf-8"
    assert formats.by_name("csv").content_type == "text/csv; charset=utf-8"
    assert formats.by_name("nt").content_type == "application/n-triples"
    assert formats.by_name("json").content_type == "application/sparql-results+json"


def test_service_description_iris_are_the_w3c_list():
    """pyoxigraph names JSON-LD under /ns/formats/data/; the W3C list does not."""
    assert formats.by_name("jsonld").iri == "http://www.w3.org/ns/formats/JSON-LD"
    assert all(f.iri.startswith(formats.W3C_FORMATS) for f in formats.FORMATS if f.ox)


@pytest.mark.parametrize(
    ("path", "expected", "gzipped"),
    [
        ("a.ttl", ox.RdfFormat.TURTLE, False),
        ("a.nt.gz", ox.RdfFormat.N_TRIPLES, True),
        ("dir.v1/a.nq.gz", ox.RdfFormat.N_QUADS, True),
        ("a.owl", ox.RdfFormat.RDF_XML, False),
        ("a.jsonld", ox.RdfFormat.JSON_LD, False),
    ],
)
def test_from_path(path, expected, gzipped):
    fmt, zipped = formats.from_path(Path(path))
    assert (fmt.ox, zipped) == (expected, gzipped)


@pytest.mark.parametrize("path", ["a.csv", "a.gz", "a", "a.html"])
def test_from_path_refuses_what_is_not_rdf(path):
    with pytest.raises(NapGraphError, match="unknown RDF format"):
        formats.from_path(Path(path))


def test_no_other_module_maps_formats():
    """No module but formats.py spells a table of pyoxigraph formats: adding a format is one
    line there."""
    offenders = []
    for path in [*ROOT.glob("nap_graph/**/*.py"), *ROOT.glob("server/**/*.py")]:
        if path.name == "formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                spelled = [
                    v
                    for v in node.values
                    if isinstance(v, ast.Attribute)
                    and isinstance(v.value, ast.Attribute)
                    and v.value.attr in ("RdfFormat", "QueryResultsFormat")
                ]
                if len(spelled) > 1:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
