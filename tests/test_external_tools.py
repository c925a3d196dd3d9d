"""Independent tools read the dumps: Raptor's rapper, Jena's riot and Jena's SHACL engine.

.ci/run installs them (Debian's raptor2-utils and libapache-jena-java) and sets
NAP_GRAPH_REQUIRE_TOOLS=1, so that in CI a missing tool fails the run instead of skipping.
"""

from __future__ import annotations

import gzip
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import INVALID, JENA, ONTOLOGY, expected, graph_of, require
from rdflib import URIRef

SHAPES = ONTOLOGY / "shapes.ttl"
pytestmark = pytest.mark.tools


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def ntriples(out: Path, tmp_path: Path) -> Path:
    path = tmp_path / "nap-graph.nt"
    path.write_bytes(gzip.open(out / "nap-graph.nt.gz").read())
    return path


def rapper_ok(path: Path, syntax: str, triples: int) -> None:
    result = run("rapper", "-i", syntax, "-c", str(path))
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert f"returned {triples} triples" in result.stderr


def riot_ok(path: Path) -> None:
    result = run(str(JENA), "riotcmd.riot", "--validate", "--strict", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == "", (
        result.stderr + result.stdout
    )


def jena_conforms(path: Path) -> None:
    result = run(str(JENA), "shacl.shacl", "validate", "--shapes", str(SHAPES), "--data", str(path))
    assert result.returncode == 0, result.stderr
    assert "sh:conforms  true" in result.stdout, result.stdout[:3000]


def test_rapper_reads_the_dumps_without_warnings(built, tmp_path):
    require("rapper")
    out = built.settings.out_dir
    rapper_ok(out / "nap-graph.ttl", "turtle", built.triple_count)
    rapper_ok(ntriples(out, tmp_path), "ntriples", built.triple_count)
    rapper_ok(out / "nap-graph.trig", "trig", built.triple_count)


def test_riot_reads_the_dumps_without_warnings(built, tmp_path):
    require("java")
    out = built.settings.out_dir
    for path in (
        out / "nap-graph.ttl",
        ntriples(out, tmp_path),
        out / "nap-graph.trig",
        out / "void.ttl",
        out / "countries" / "NOR.ttl",
    ):
        riot_ok(path)


def test_riot_reports_a_broken_file(tmp_path):
    require("java")
    path = tmp_path / "broken.ttl"
    path.write_text("<https://example.org/a> <https://example.org/b> .\n")
    assert run(str(JENA), "riotcmd.riot", "--validate", str(path)).returncode != 0


def test_jena_shacl_agrees_that_the_data_conforms(built):
    require("java")
    jena_conforms(built.settings.out_dir / "nap-graph.ttl")


def test_jena_shacl_agrees_on_the_invalid_cases(tmp_path):
    """Jena rejects each invalid fixture, added to the valid base graph, for the same shape."""
    require("java")
    from rdflib import Graph

    def validate(path):
        data = tmp_path / f"{path.stem}.nt"
        data.write_text(graph_of(path).serialize(format="nt"))
        return path, run(
            str(JENA), "shacl.shacl", "validate", "--shapes", str(SHAPES), "--data", str(data)
        )

    jena_shapes = {}
    with ThreadPoolExecutor(2) as pool:  # a JVM start each: two at a time on two cores
        for path, result in pool.map(validate, INVALID):
            assert "sh:conforms  false" in result.stdout, (path.name, result.stderr[-2000:])
            report = Graph().parse(data=result.stdout, format="turtle")
            component = URIRef("http://www.w3.org/ns/shacl#sourceConstraintComponent")
            jena_shapes[path.stem] = {str(o) for o in report.objects(None, component)}
    for path in INVALID:
        components = {c for _, c in expected(path)}
        assert components <= jena_shapes[path.stem], (path.name, jena_shapes[path.stem])


@pytest.mark.full
def test_full_dumps_parse_and_conform_for_jena_and_raptor(full_build, tmp_path):
    require("rapper")
    require("java")
    out = full_build.settings.out_dir
    rapper_ok(out / "nap-graph.ttl", "turtle", full_build.triple_count)
    nt = ntriples(out, tmp_path)
    rapper_ok(nt, "ntriples", full_build.triple_count)
    riot_ok(out / "nap-graph.ttl")
    riot_ok(nt)
    jena_conforms(out / "nap-graph.ttl")
