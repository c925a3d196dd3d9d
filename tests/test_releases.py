"""Releases a paper can cite: a version and a date per build, the releases before it kept,
and what changed between them, as data and as a page (nap_graph/releases.py)."""

from __future__ import annotations

import csv
import gzip
import os
import shutil

import pyoxigraph as ox
import pytest
from helpers import ONTOLOGY, SOURCES

from nap_graph import releases
from nap_graph.build import Settings, build

pytestmark = pytest.mark.timeout(600)

DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
FIGURE = "2015-08,2015-08-31,BGD,Bangladesh,MINURSO,Troops,4,16,20,"
FIGURE_AFTER = "2015-08,2015-08-31,BGD,Bangladesh,MINURSO,Troops,5,16,21,"


def _build(data, out, day: str):
    os.environ["SOURCE_DATE_EPOCH"] = day
    try:
        return build(Settings(data_dir=data, ontology_dir=ONTOLOGY, out_dir=out))
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def _void(out) -> list[ox.Triple]:
    return list(ox.parse(path=str(out / "void.ttl"), format=ox.RdfFormat.TURTLE))


def _values(triples, subject_suffix: str, predicate: str) -> set[str]:
    return {
        t.object.value
        for t in triples
        if t.subject.value.endswith(subject_suffix) and t.predicate.value == predicate
    }


def _rows(path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """A release, the same graph built again a day later, and a release with three changes."""
    root = tmp_path_factory.mktemp("releases")
    data, out = root / "data", root / "build"
    shutil.copytree(SOURCES, data)
    _build(data, out, "1764720000")  # 2025-12-03
    first = releases.read_index(out)
    _build(data, out, "1764806400")  # 2025-12-04, the same sources
    again = releases.read_index(out)
    contributions = data / "peacekeeping" / "un-dpo-monthly-gender-pdfs" / "contributions.csv"
    text = contributions.read_text()
    assert FIGURE in text
    contributions.write_text(text.replace(FIGURE, FIGURE_AFTER))
    plans = data / "nap-facts" / "plans.csv"
    plans.write_text(
        plans.read_text().replace("Norway,NOR,3,,2015,2018,", "Norway,NOR,3,,2015,2019,")
    )
    _build(data, out, "1764892800")  # 2025-12-05
    return first, again, out


def test_a_build_of_the_same_graph_is_the_same_release(two_releases):
    first, again, _ = two_releases
    assert [r.version for r in first] == ["2025-12-03"]
    assert again == first


def test_a_changed_graph_is_a_new_release_that_revises_the_last(two_releases):
    _, _, out = two_releases
    index = releases.read_index(out)
    assert [(r.version, r.previous) for r in index] == [
        ("2025-12-03", None),
        ("2025-12-05", "2025-12-03"),
    ]
    void = _void(out)
    assert _values(void, "/dataset/nap-graph", DCAT + "version") == {"2025-12-05"}
    revised = _values(void, "/dataset/nap-graph", PROV + "wasRevisionOf")
    assert len(revised) == 1 and revised.pop().endswith("/dataset/nap-graph/release/2025-12-03")
    assert len(_values(void, "/dataset/nap-graph", DCAT + "hasVersion")) == 2
    # Both releases' graphs are downloads with their checksums.
    for version in ("2025-12-03", "2025-12-05"):
        path = out / releases.DIR / version / releases.DATA
        assert path.is_file()
        checksums = _values(
            void,
            f"/release/{version}/distribution/nap-graph-nq-gz/checksum",
            "http://spdx.org/rdf/terms#checksumValue",
        )
        assert checksums == {releases._sha256(path)}


def test_the_changes_name_the_figure_and_the_period_with_before_and_after(two_releases):
    _, _, out = two_releases
    changes = _rows(out / releases.DIR / "2025-12-05" / releases.CHANGES)
    figures = [c for c in changes if c["kind"] == "figure" and c["change"] == "changed"]
    assert {(c["property"].rpartition("#")[2], c["before"], c["after"]) for c in figures} >= {
        ("womenCount", "4", "5"),
        ("personnelCount", "20", "21"),
    }
    periods = [c for c in changes if c["kind"] == "period"]
    assert any(
        "/plan/NOR/3" in c["subject"] and c["before"] == "2018" and c["after"] == "2019"
        for c in periods
    ), periods
    graphs = {g["graph"]: g for g in _rows(out / releases.DIR / "2025-12-05" / releases.GRAPHS)}
    assert graphs and all(int(g["added"]) + int(g["removed"]) > 0 for g in graphs.values())


def test_a_cited_figure_is_found_again_in_its_release(two_releases):
    _, _, out = two_releases
    changes = _rows(out / releases.DIR / "2025-12-05" / releases.CHANGES)
    observation = next(
        c["subject"]
        for c in changes
        if c["property"].endswith("#womenCount") and c["before"] == "4"
    )
    query = f"SELECT ?n WHERE {{ GRAPH ?g {{ <{observation}> <https://w3id.org/nap-graph/def/wps#womenCount> ?n }} }}"
    for version, value in (("2025-12-03", "4"), ("2025-12-05", "5")):
        store = ox.Store()
        data = gzip.decompress((out / releases.DIR / version / releases.DATA).read_bytes())
        store.load(data, format=ox.RdfFormat.N_QUADS)
        assert [row[0].value for row in store.query(query)] == [value], version


def test_the_releases_are_pages_and_downloads(two_releases, tmp_path):
    from server import create_app

    _, _, out = two_releases
    app = create_app({"TESTING": True, "BUILD_DIR": str(out), "STORE_DIR": str(tmp_path / "cache")})
    try:
        client = app.test_client()
        page = client.get("/releases/")
        assert page.status_code == 200
        assert b"2025-12-05" in page.data and b"2025-12-03" in page.data
        listed = client.get("/releases/", headers={"Accept": "application/json"}).json
        assert [r["version"] for r in listed["releases"]] == ["2025-12-05", "2025-12-03"]
        one = client.get("/releases/2025-12-05")
        assert one.status_code == 200 and b"womenCount" in one.data and b"2019" in one.data
        assert client.get("/releases/1999-01-01").status_code == 404
        old = client.get("/download/releases/2025-12-03/nap-graph.nq.gz")
        assert old.status_code == 200
        assert releases._sha256(out / releases.DIR / "2025-12-03" / releases.DATA) == (
            __import__("hashlib").sha256(old.data).hexdigest()
        )
        old.close()
        index = client.get("/download/releases/releases.csv")
        assert index.status_code == 200
        index.close()
        assert client.get("/").headers["NAP-Graph-Release"] == "2025-12-05"
    finally:
        app.extensions["nap_graph"].close()
