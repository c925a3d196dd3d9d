"""The build: golden graphs, byte-identical dumps, and nothing written when the data is bad."""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from nap_graph.build import build
from nap_graph.errors import DataInvalid, SourceErrors

EXPECTED = Path(__file__).parent / "expected"


def snapshot(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file under a folder."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def append_row(path: Path, row: str) -> int:
    """Append a CSV row and return its line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + row + "\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize("iso3", ["NOR", "COD", "NLD", "POL", "MRT", "URY"])
def test_country_graph_matches_golden_graph(built, iso3):
    """Norway (seed page, statistics), DR Congo (assignment, decision), the Netherlands
    (majority of organisations, an extension, a draft), Poland (an extension three sources
    state), Mauritania (a plan stated without years), Uruguay (a search that found none)."""
    actual = Graph().parse(built.settings.out_dir / "countries" / f"{iso3}.ttl")
    expected = Graph().parse(EXPECTED / f"{iso3}.ttl")
    if not isomorphic(actual, expected):
        only_actual = sorted(to_isomorphic(actual) - to_isomorphic(expected))[:10]
        only_expected = sorted(to_isomorphic(expected) - to_isomorphic(actual))[:10]
        pytest.fail(
            f"built but not expected: {only_actual}\nexpected but not built: {only_expected}"
        )


def test_every_dump_holds_the_same_graph(built):
    out = built.settings.out_dir
    reference = Graph().parse(out / "nap-graph.ttl")
    assert len(reference) == built.triple_count
    with gzip.open(out / "nap-graph.nt.gz", "rb") as handle:
        assert isomorphic(Graph().parse(data=handle.read(), format="nt"), reference)
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated classes
        warnings.simplefilter("ignore", DeprecationWarning)
        assert isomorphic(Graph().parse(out / "nap-graph.jsonld", format="json-ld"), reference)
    for name, fmt in (
        ("nap-graph.trig", ox.RdfFormat.TRIG),
        ("nap-graph.nq.gz", ox.RdfFormat.N_QUADS),
    ):
        # rdflib's own dataset parsers still use deprecated classes; Oxigraph reads these two.
        data = gzip.open(out / name).read() if name.endswith(".gz") else (out / name).read_bytes()
        quads = list(ox.parse(data, format=fmt))
        assert {q.graph_name.value for q in quads} == set(built.quads.graphs.values())
        triples = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
        assert isomorphic(Graph().parse(data=triples, format="nt"), reference), name


def test_jsonld_dump_is_compact_and_parses_with_oxigraph(built):
    path = built.settings.out_dir / "nap-graph.jsonld"
    document = json.loads(path.read_text())
    assert document["@context"]["wps"] == "https://w3id.org/nap-graph/def/wps#"
    norway = next(node for node in document["@graph"] if node["@id"] == "country:NOR")
    assert norway["@type"] == "wps:Country"
    assert (
        sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)) == built.triple_count
    )


def test_country_files_hold_each_country_and_its_statistics(built):
    norway = Graph().parse(built.settings.out_dir / "countries" / "NOR.ttl")
    subjects = {str(s) for s in norway.subjects()}
    assert "https://w3id.org/nap-graph/id/country/NOR" in subjects
    assert "https://w3id.org/nap-graph/id/plan/NOR/4" in subjects
    assert any("/observation/contributions-by-mission/NOR/" in s for s in subjects)
    assert not any("/NLD" in s for s in subjects)


def test_same_sources_give_byte_identical_dumps(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(settings)
    first = snapshot(settings.out_dir)
    settings.out_dir = tmp_path / "again"
    build(settings)
    assert snapshot(settings.out_dir) == first


def test_build_time_is_the_only_difference_without_source_date_epoch(
    settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(settings)
    first = snapshot(settings.out_dir)
    settings.out_dir = tmp_path / "again"
    build(settings)
    second = snapshot(settings.out_dir)
    # The build time is written in the description and in the release's record.
    assert {name for name in first if first[name] != second[name]} <= {
        "void.ttl",
        "releases/releases.csv",
    }


def test_invalid_data_writes_nothing_and_keeps_the_previous_dumps(settings):
    build(settings)
    before = snapshot(settings.out_dir)
    line = append_row(
        settings.data_dir / "nap-facts" / "plans.csv",
        "Norway,NOR,6,,2031,2029,https://example.org/plan-six,a plan that ends before it starts",
    )
    with pytest.raises(DataInvalid) as failure:
        build(settings)
    text = failure.value.report.text()
    assert f"nap-facts/plans.csv:{line}" in text
    assert "shapes:PlanShape" in text and "ends before it starts" in text
    assert snapshot(settings.out_dir) == before
    leftovers = [p for p in settings.out_dir.parent.glob(".build.*") if p.suffix != ".lock"]
    assert not leftovers, "a temporary folder was left behind"


def test_unknown_country_code_is_rejected_with_its_record(settings):
    line = append_row(
        settings.data_dir / "nap-facts" / "plans.csv",
        "Atlantis,ATL,1,2020,2020,2024,https://example.org/atlantis,",
    )
    with pytest.raises(DataInvalid) as failure:
        build(settings)
    report = failure.value.report
    assert {r.shape for r in report.results} == {"shapes:PlanShape (wps:country)"}
    assert f"nap-facts/plans.csv:{line}: Unknown country code" in report.text()
    assert not settings.out_dir.exists()


def test_malformed_source_names_file_line_and_field(settings):
    build(settings)
    before = snapshot(settings.out_dir)
    line = append_row(
        settings.data_dir / "nap-facts" / "plans.csv",
        "Norway,NOR,six,,2031,2035,https://example.org/x,",
    )
    with pytest.raises(SourceErrors) as failure:
        build(settings)
    assert (
        f"nap-facts/plans.csv:{line}: field 'edition': expected a whole number, got 'six'"
        in str(failure.value)
    )
    assert snapshot(settings.out_dir) == before


def test_void_describes_the_dumps(built):
    out = built.settings.out_dir
    void = Graph().parse(out / "void.ttl")
    query = """
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?sum WHERE {
            ?d a void:Dataset ; dcat:distribution ?dist ; dcterms:rights ?rights ;
               dcat:version ?version ; dcterms:modified ?built .
            ?dist dcat:downloadURL ?url ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum .
        }"""
    rows = list(void.query(query))
    assert len(rows) >= 10
    for url, size, checksum in rows:
        path = out / str(url).split("/download/", 1)[1]
        assert int(size) == path.stat().st_size, path
        assert str(checksum) == hashlib.sha256(path.read_bytes()).hexdigest(), path
    triples = next(
        iter(
            void.query(
                "SELECT ?n WHERE { <https://w3id.org/nap-graph/id/dataset/nap-graph> "
                "<http://rdfs.org/ns/void#triples> ?n }"
            )
        )
    )[0]
    assert int(triples) == built.triple_count
    sources = set(void.objects(None, Graph().namespace_manager.expand_curie("dcterms:source")))
    assert any(str(s).endswith("/source/ipi-tcc-gender") for s in sources)


def test_statistics_csv_has_the_observations(built):
    rows = (
        (built.settings.out_dir / "statistics" / "contributions-by-mission.csv")
        .read_text()
        .splitlines()
    )
    assert rows[0] == (
        "iso3,country,month,mission,category,women,personnel,share_women,status,source"
    )
    assert len(rows) - 1 == len(built.peacekeeping.by_mission)
    assert "NOR,Norway,2014-03,UNMISS,individual-police," in "\n".join(rows)


def test_import_report_says_what_was_skipped_and_why(built):
    report = (built.settings.out_dir / "reports" / "import-report.csv").read_text()
    assert "aggregate row (a sum over missions or countries)" in report
    assert "stray trailing apostrophe removed" in report
    assert "women + men differ from the total" in report


@pytest.mark.parametrize(
    ("file", "row", "shape"),
    [
        (
            "nap-facts/plans.csv",
            "Norway,NOR,6,2001,2001,2003,https://example.org/plan-six,edition 6 before edition 1",
            "shapes:PlanShape",
        ),
        (
            "peacekeeping/ipi-gender-by-category/TCC-DataScraper_Gender.Full.csv",
            '"9999",2014-01-31,"Norway","NOR","UNTSO",0,0,0,0,0,0,17,-1,16,0,0,0,17,-1,16',
            "shapes:ObservationShape (wps:womenCount)",
        ),
        (
            "peacekeeping/ipi-gender-by-category/TCC-DataScraper_Gender.Full.csv",
            '"9999",2014-01-31,"Atlantis","ATL","UNTSO",0,0,0,0,0,0,15,1,16,0,0,0,15,1,16',
            "shapes:ObservationShape (wps:contributor)",
        ),
    ],
    ids=["editions-out-of-order", "negative-count", "unknown-contributor"],
)
def test_invalid_source_rows_are_rejected_with_their_shape(settings, file, row, shape):
    build(settings)
    before = snapshot(settings.out_dir)
    line = append_row(settings.data_dir / file, row)
    with pytest.raises(DataInvalid) as failure:
        build(settings)
    report = failure.value.report
    assert shape in {r.shape for r in report.results}
    assert f"{file}:{line}" in report.text()
    assert snapshot(settings.out_dir) == before


def test_duplicate_stated_figures_are_named_by_the_duplicate_check(settings):
    """Review finding: two rows for one key used to merge into one node with two counts. The
    reader now refuses the second row of a key, naming both lines."""
    line = append_row(
        settings.data_dir / "nap-facts" / "peacekeeping.csv",
        "NOR,police,Police,8,22,,https://www.securitywomen.org/unscr-1325-and-national-action-plans-nap/norway,",
    )
    with pytest.raises(SourceErrors) as failure:
        build(settings)
    rows = (settings.data_dir / "nap-facts" / "peacekeeping.csv").read_text().splitlines()
    first = 1 + next(n for n, row in enumerate(rows) if row.startswith("NOR,police,"))
    assert first < line
    message = str(failure.value)
    assert f"peacekeeping.csv:{line}:" in message and f"line {first}" in message, message
