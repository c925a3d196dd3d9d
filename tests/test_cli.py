"""The nap-graph command: exit codes, reports and outputs, through click's test runner."""

from __future__ import annotations

import csv
import io
import json

import pytest

from nap_graph.cli import cli

SELECT_NORWAY = (
    "SELECT ?edition ?start ?end WHERE { ?plan a wps:NationalActionPlan ; "
    "wps:country country:NOR ; wps:edition ?edition . OPTIONAL { ?plan wps:startYear ?start } "
    "OPTIONAL { ?plan wps:endYear ?end } } ORDER BY ?edition"
)


def args(settings, *extra):
    return [*extra, "--data-dir", str(settings.data_dir), "--out", str(settings.out_dir)]


def test_validate_exits_0_when_the_data_conforms(runner, settings):
    result = runner.invoke(cli, ["validate", "--data-dir", str(settings.data_dir), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")


def test_validate_exits_1_and_names_file_line_shape_and_rule(runner, settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,NOR,7,,2040,2036,https://example.org/p7,\n")
    line = plans.read_text().count("\n")
    result = runner.invoke(cli, ["validate", "--data-dir", str(settings.data_dir), "-q"])
    assert result.exit_code == 1
    assert (
        f"nap-facts/plans.csv:{line}: field 'end_year': The plan ends before it starts"
        in result.output
    )
    assert "shape: shapes:PlanShape  rule: SPARQLConstraintComponent" in result.output


def test_validate_csv_report(runner, settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,NOR,7,,2040,2036,https://example.org/p7,\n")
    result = runner.invoke(
        cli, ["validate", "--data-dir", str(settings.data_dir), "-q", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # The claim and the plan made of it both end before they start.
    assert {r["shape"] for r in rows} == {"shapes:PlanShape", "shapes:PlanClaimShape"}
    assert all(r["record"].startswith("data/nap-facts/plans.csv:") for r in rows)


def test_validate_exits_2_on_an_error(runner, settings, tmp_path):
    broken = tmp_path / "ontology"
    broken.mkdir()
    (broken / "wps.ttl").write_text("this is not Turtle")
    (broken / "shapes.ttl").write_text("")
    result = runner.invoke(
        cli, ["validate", "--data-dir", str(settings.data_dir), "--ontology-dir", str(broken), "-q"]
    )
    assert result.exit_code == 2
    assert "cannot parse the ontology" in result.output


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_validate_a_file_with_either_engine(runner, tmp_path, engine):
    data = tmp_path / "bad.ttl"
    data.write_text("""@prefix wps: <https://w3id.org/nap-graph/def/wps#> .
        <https://example.org/o> a <http://purl.org/linked-data/cube#Observation> ;
            wps:womenCount 30 ; wps:personnelCount 20 .""")
    result = runner.invoke(cli, ["validate", str(data), "--engine", engine, "-q"])
    assert result.exit_code == 1
    assert "More women than personnel" in result.output or "LessThanOrEquals" in result.output


def test_build_then_query_dump_and_stats(runner, settings):
    built = runner.invoke(cli, ["build", *args(settings), "-q"])
    assert built.exit_code == 0, built.output
    assert "Built" in built.output

    table = runner.invoke(cli, ["query", SELECT_NORWAY, "--out", str(settings.out_dir)])
    assert table.exit_code == 0, table.output
    assert "2019" in table.output and "5 row(s)" in table.output

    as_csv = runner.invoke(
        cli, ["query", SELECT_NORWAY, "--out", str(settings.out_dir), "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["edition"], r["start"], r["end"]) for r in rows] == [
        ("1", "2006", "2011"),
        ("2", "2011", "2013"),
        ("3", "2015", "2018"),
        ("4", "2019", "2022"),
        ("5", "2023", "2030"),
    ]

    as_json = runner.invoke(
        cli,
        [
            "query",
            "ASK { country:NOR a wps:Country }",
            "--out",
            str(settings.out_dir),
            "--format",
            "json",
        ],
    )
    assert json.loads(as_json.output)["boolean"] is True

    turtle = runner.invoke(
        cli,
        [
            "query",
            "CONSTRUCT WHERE { country:NOR ?p ?o }",
            "--out",
            str(settings.out_dir),
            "--format",
            "nt",
        ],
    )
    assert "<https://w3id.org/nap-graph/id/country/NOR>" in turtle.output

    country = runner.invoke(
        cli, ["dump", "--country", "nor", "--format", "nt", "--out", str(settings.out_dir)]
    )
    assert country.exit_code == 0 and "plan/NOR/4" in country.output

    graph = runner.invoke(cli, ["dump", "--graph", "vocabulary", "--out", str(settings.out_dir)])
    assert graph.exit_code == 0 and "wps:PillarScheme" in graph.output

    stats = runner.invoke(cli, ["stats", "--json", "--out", str(settings.out_dir)])
    figures = json.loads(stats.output)
    assert figures["plans adopted"] > 20 and figures["countries"] == 250
    assert (
        figures["countries with a plan adopted"] + figures["countries not researched"]
        <= figures["countries with a NAP status"]
    )


def test_build_exits_1_and_writes_nothing_on_invalid_data(runner, settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,NOR,7,,2040,2036,https://example.org/p7,\n")
    result = runner.invoke(cli, ["build", *args(settings), "-q"])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert not settings.out_dir.exists()


def test_build_exits_1_on_malformed_source(runner, settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,NOR,7,,20x0,2036,https://example.org/p7,\n")
    result = runner.invoke(cli, ["build", *args(settings), "-q"])
    assert result.exit_code == 1
    assert "field 'start_year': expected a year of four digits, got '20x0'" in result.output


def test_query_rejects_a_malformed_query(runner, built):
    result = runner.invoke(cli, ["query", "SELECT WHERE {", "--out", str(built.settings.out_dir)])
    assert result.exit_code == 1
    assert "malformed query" in result.output


def test_query_before_build_says_so(runner, tmp_path):
    result = runner.invoke(cli, ["query", "ASK {}", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "nap-graph build" in result.output


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "nap_graph", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "nap-graph" in result.stdout
