"""The shapes catch each invalid case, and the build's engine agrees with pySHACL."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import DATA, INVALID, expected, graph_of
from rdflib import Graph

from nap_graph.errors import UnsupportedShape
from nap_graph.shacl import compile_shapes
from nap_graph.validate import validate_pyshacl, validate_store


def pyshacl_misses(path: Path) -> bool:
    """Whether the fixture documents a case that pySHACL is known not to catch."""
    return any(line.startswith("# pyshacl-misses:") for line in path.read_text().splitlines())


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    return store


def both_engines(graph: Graph, shapes: Graph):
    return validate_store(store_of(graph), shapes), validate_pyshacl(graph, shapes)


_reports: dict[Path, tuple] = {}


def reports(path: Path, shapes: Graph):
    """Validate a fixture with both engines once, for the tests that read the reports."""
    if path not in _reports:
        _reports[path] = both_engines(graph_of(path), shapes)
    return _reports[path]


def test_base_graph_conforms_with_both_engines(shapes):
    ours, reference = both_engines(graph_of(), shapes)
    assert ours.conforms, ours.text()
    assert reference.conforms, reference.text()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_case_is_rejected_by_its_shape(path, shapes):
    """Each fixture breaks one rule: both engines name that shape and rule, and only it."""
    ours, reference = reports(path, shapes)
    assert not ours.conforms
    assert {(r.shape, r.component) for r in ours.results} == expected(path), ours.text()
    if pyshacl_misses(path):
        assert reference.conforms, "pySHACL now catches this case: drop its pyshacl-misses line"
        return
    assert not reference.conforms
    assert {(r.shape, r.component) for r in reference.results} == expected(path), reference.text()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_engines_agree_on_focus_path_and_value(path, shapes):
    if pyshacl_misses(path):
        pytest.skip("pySHACL does not catch this case (see the fixture)")
    ours, reference = reports(path, shapes)
    assert [r.key() for r in ours.results] == [r.key() for r in reference.results]


def test_every_fixture_names_what_it_expects():
    assert INVALID, "no invalid fixtures found"
    for path in INVALID:
        assert expected(path), f"{path.name} has no '# expect:' line"


def test_required_cases_have_fixtures():
    """The cases that curators really get wrong, as the knowledge-graph issue lists them."""
    names = {p.stem for p in INVALID}
    for case in (
        "plan-ends-before-start",
        "plan-same-edition",
        "plan-editions-out-of-order",
        "focus-area-no-plan",
        "focus-area-no-title",
        "observation-negative-count",
        "observation-women-above-total",
        "observation-duplicate",
        "plan-unknown-country",
        "observation-unknown-country",
    ):
        assert case in names


def test_unsupported_shape_features_are_refused():
    """A rule the build's engine cannot run must stop it, never be skipped silently."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:node ex:T ] .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="sh:node"):
        compile_shapes(shapes)


def test_message_names_the_rule(shapes):
    report = validate_store(
        store_of(graph_of(DATA / "invalid" / "observation-women-above-total.ttl")), shapes
    )
    text = report.text()
    assert "More women than personnel" in text
    assert "shapes:ObservationShape (wps:womenCount)" in text
    assert "LessThanOrEqualsConstraintComponent" in text


@pytest.mark.parametrize(
    "shapes_text",
    [
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
       "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?x } }" ] .""",
        """ex:Max a sh:ConstraintComponent ; sh:parameter [ sh:path ex:most ] .
       ex:S a sh:NodeShape ; sh:targetClass ex:C ; ex:most 3 .""",
    ],
    ids=["this-only-in-filter", "custom-component"],
)
def test_rules_the_engine_cannot_run_are_refused(shapes_text):
    """Review finding: both were once skipped without a word."""
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
        "@prefix ex: <http://example.org/> . " + shapes_text,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape):
        compile_shapes(shapes)
