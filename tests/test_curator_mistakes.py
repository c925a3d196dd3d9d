"""A curator's mistake in any source file stops the build with its file, line, field and rule.

Each test breaks a copy of the small sources in one way, runs `nap-graph build` into a folder
that holds a previous good build, and checks the message and that the folder is unchanged.
The last tests are about the swap of a new build into place, interrupted by a crash.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
from pathlib import Path

import pytest
from helpers import ONTOLOGY, SOURCES

from nap_graph.build import Settings, build, recover_build
from nap_graph.cli import cli
from nap_graph.store import BUILT_FILE

# Every CSV file of the small sources with a row: the build reads them all through one reader.
CSV_FILES = sorted(
    p.relative_to(SOURCES).as_posix()
    for p in SOURCES.rglob("*.csv")
    if len(p.read_text(encoding="utf-8-sig").splitlines()) > 1
)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("good") / "build"
    build(Settings(data_dir=SOURCES, ontology_dir=ONTOLOGY, out_dir=out))
    return out


@pytest.fixture
def previous(settings, good_build) -> Settings:
    """The settings, with a previous good build in their output folder."""
    shutil.copytree(good_build, settings.out_dir)
    return settings


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the output folder and of the swap's folders beside it, by path."""
    files = {}
    for folder in [out, *out.parent.glob(f".{out.name}.*")]:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                files[path.relative_to(out.parent).as_posix()] = path.read_bytes()
    return files


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def as_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def fails(runner, settings: Settings, before: dict[str, bytes]) -> str:
    """Run the build, check that it exits 1 and writes nothing; return its message."""
    result = runner.invoke(
        cli,
        [
            "build",
            "-q",
            "--data-dir",
            str(settings.data_dir),
            "--ontology-dir",
            str(settings.ontology_dir),
            "--out",
            str(settings.out_dir),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    assert snapshot(settings.out_dir) == before, "the previous build changed"
    return result.output


@pytest.mark.parametrize("name", CSV_FILES)
def test_a_duplicated_row(runner, previous, name):
    path = previous.data_dir / name
    lines = lines_of(path)
    path.write_text("".join(lines[:2] + lines[1:]), encoding="utf-8")
    before = snapshot(previous.out_dir)
    message = fails(runner, previous, before)
    # The copy is line 3; every field is the same as line 2's.
    assert f"data/{name}:3: every field: the same row as line 2" in message
    assert "a row is stated once in a file" in message


def _plain_column(values: list[str]) -> int:
    """The first value that a CSV writer leaves unquoted, where a stray quote can go."""
    for index, value in enumerate(values):
        if value and not any(c in value for c in ',"\r\n'):
            return index
    raise AssertionError(f"no plain value in {values}")


def _with_stray_quote(path: Path, at_start: bool) -> tuple[str, int]:
    """Put a stray quote into the first data row; return the column it broke and the line."""
    lines = lines_of(path)
    header = next(csv.reader([lines[0]]))
    values = next(csv.reader([lines[1]]))
    index = _plain_column(values)
    value = values[index]
    broken = f'"{value}' if at_start else f'{value[:1]}"{value[1:]}'
    # The broken value by hand: a CSV writer would quote it and double the quote.
    raw = [as_line([v])[:-1] for v in values]
    raw[index] = broken
    lines[1] = ",".join(raw) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return header[index] or f"column {index + 1}", 2  # the first is unnamed in one file


@pytest.mark.parametrize("at_start", [True, False], ids=["opening-a-field", "inside-a-field"])
@pytest.mark.parametrize("name", CSV_FILES)
def test_a_stray_quote(runner, previous, name, at_start):
    column, line = _with_stray_quote(previous.data_dir / name, at_start)
    before = snapshot(previous.out_dir)
    message = fails(runner, previous, before)
    assert f"data/{name}:{line}: field '{column}': " in message
    assert "a value holds its double quotes in pairs" in message


def test_a_stray_quote_that_swallows_the_rest_of_the_file_names_where_it_opened(runner, previous):
    path = previous.data_dir / "nap-facts" / "plans.csv"
    lines = lines_of(path)
    # No quote follows on line 40 or after: the field runs to the end of the file.
    tail = [line.replace('"', "") for line in lines[40:]]
    lines = lines[:39] + ['Plan "draft,"NOR,9,,2019,2020,https://example.org/draft,\n'] + tail
    path.write_text("".join(lines), encoding="utf-8")
    message = fails(runner, previous, snapshot(previous.out_dir))
    assert "data/nap-facts/plans.csv:40: field 'iso3': a stray double quote" in message
    assert f"runs from line 40 to line {len(lines)}" in message


# Files whose rows have a key: (file, the key's columns, a column outside it, a new value).
KEYED = [
    ("sources.csv", ("id",), "title", "Another title"),
    ("curated/plan_attributes.csv", None, "note", "another note"),
    ("curated/plan_assignments.csv", None, "reason", "another reason"),
    ("curated/decisions.csv", ("iso3", "plan", "property"), "reason", "another reason"),
    ("curated/focus_areas.csv", ("iso3", "plan", "position"), "title", "Another title"),
    ("curated/stated_statuses.csv", None, "reason", "another reason"),
    ("curated/extensions.csv", ("iso3", "plan", "source_url"), "note", "another note"),
    ("curated/research_coverage.csv", ("iso3", "source"), "note", "another note"),
    ("curated/theme_rules.csv", ("theme", "pattern"), "note", "another note"),
    (
        "nap-facts/focus_areas.csv",
        ("iso3", "plan_start_year", "plan_end_year", "position", "source_url"),
        "title",
        "Another title",
    ),
    ("nap-facts/peacekeeping.csv", ("iso3", "category", "as_of", "source_url"), "note", "x"),
    ("peacekeeping/un-gender-parity-targets/targets.csv", ("category", "year"), "note", "x"),
    # The same claim again, with another note.
    (
        "nap-facts/plans.csv",
        ("iso3", "edition", "adopted_year", "start_year", "end_year", "source_url"),
        "note",
        "another note",
    ),
]


@pytest.mark.parametrize(("name", "key", "column", "value"), KEYED, ids=[k[0] for k in KEYED])
def test_a_duplicated_key(runner, previous, name, key, column, value):
    path = previous.data_dir / name
    lines = lines_of(path)
    header = next(csv.reader([lines[0]]))
    key = key or tuple(header[:5] if "attributes" in name else header[:4])
    values = next(csv.reader([lines[1]]))
    values[header.index(column)] = value
    path.write_text("".join(lines[:2] + [as_line(values)] + lines[2:]), encoding="utf-8")
    message = fails(runner, previous, snapshot(previous.out_dir))
    fields = ", ".join(repr(k) for k in key)
    named = f"fields {fields}" if len(key) > 1 else f"field {fields}"
    assert f"data/{name}:3: {named}: the same {', '.join(key)} as line 2" in message
    assert f"a file has one row per {', '.join(key)}" in message


@pytest.mark.parametrize(
    ("name", "key", "column"),
    [
        ("reference/countries.csv", "iso3", "name_fr"),
        ("curated/source_organisations.csv", "host", "note"),
    ],
)
def test_a_key_listed_twice_in_the_tables_that_check_their_own(runner, previous, name, key, column):
    path = previous.data_dir / name
    lines = lines_of(path)
    header = next(csv.reader([lines[0]]))
    values = next(csv.reader([lines[1]]))
    values[header.index(column)] += " (another)"
    path.write_text("".join(lines[:2] + [as_line(values)] + lines[2:]), encoding="utf-8")
    message = fails(runner, previous, snapshot(previous.out_dir))
    assert f"data/{name}:3: field '{key}': " in message
    assert f"is listed twice (first at data/{name}:2)" in message


@pytest.mark.parametrize("note", ["", "launched November 2017"], ids=["no-note", "same-note"])
def test_a_duplicated_edition_from_one_page(runner, previous, note):
    path = previous.data_dir / "nap-facts" / "plans.csv"
    lines = lines_of(path)
    # Line 3: Cameroon's first plan, 2018-2020, from peacewomen.org, "launched November 2017".
    values = next(csv.reader([lines[2]]))
    assert values[1:3] == ["CMR", "1"] and values[7] == "launched November 2017"
    values[4:6], values[7] = ["2016", "2019"], note
    path.write_text("".join(lines[:3] + [as_line(values)] + lines[3:]), encoding="utf-8")
    message = fails(runner, previous, snapshot(previous.out_dir))
    assert (
        "data/nap-facts/plans.csv:4: fields 'iso3', 'edition', 'source_url': edition 1 of CMR "
        "from this page again, with other values (first at line 3)"
    ) in message
    assert "a file has one row per iso3, edition and source_url" in message


def test_two_readings_of_one_page_each_with_its_note_are_data_not_a_mistake(settings):
    # The small sources hold one: two stored versions of Switzerland's page on its fourth plan.
    rows = list(csv.DictReader(io.StringIO((SOURCES / "nap-facts" / "plans.csv").read_text())))
    che = [
        r for r in rows if r["iso3"] == "CHE" and r["edition"] == "4" and "focal" in r["source_url"]
    ]
    assert len(che) == 2 and all(r["note"] for r in che)
    build(settings)
    assert (settings.out_dir / BUILT_FILE).is_file()


def test_an_end_year_before_the_start_year(runner, previous):
    path = previous.data_dir / "nap-facts" / "plans.csv"
    lines = lines_of(path)
    values = next(csv.reader([lines[1]]))
    values[4:6] = ["2021", "2019"]
    lines[1] = as_line(values)
    path.write_text("".join(lines), encoding="utf-8")
    message = fails(runner, previous, snapshot(previous.out_dir))
    assert "data/nap-facts/plans.csv:2" in message
    assert "end year is earlier than its start year" in message
    assert "field 'end_year'" in message and "SPARQLConstraintComponent" in message


# The swap: the build renames build/ to .build.old, then .build.new to build/.


def test_a_crash_between_the_renames_is_recovered_by_the_next_build(runner, previous):
    before = snapshot(previous.out_dir)
    out = previous.out_dir
    old, new = out.with_name(".build.old"), out.with_name(".build.new")
    out.rename(old)
    shutil.copytree(old, new)  # the new build, whole: the crash came after it was written
    # The next build fails on a malformed source, and still puts the previous build back.
    plans = previous.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,NOR,7,,20x0,2036,https://example.org/p7,\n")
    result = runner.invoke(
        cli, ["build", "-q", "--data-dir", str(previous.data_dir), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert {k: v for k, v in snapshot(out).items() if k.startswith("build/")} == before
    assert not old.exists()


def test_recover_build_restores_the_previous_build_and_says_so(previous, caplog):
    before = snapshot(previous.out_dir)
    out = previous.out_dir
    out.rename(out.with_name(".build.old"))
    with caplog.at_level(logging.WARNING, logger="nap_graph.build"):
        assert recover_build(out) is True
    assert snapshot(out) == before
    assert "restored it" in caplog.text and ".build.old" in caplog.text
    assert recover_build(out) is False  # nothing more to do


def test_a_half_written_new_build_is_not_taken_for_a_good_one(settings, good_build):
    out = settings.out_dir
    new = out.with_name(".build.new")
    new.mkdir(parents=True)
    # A build stopped while writing: the main dump is there, the rest is not.
    shutil.copyfile(good_build / BUILT_FILE, new / BUILT_FILE)
    assert recover_build(out) is False
    assert not out.exists()
    build(settings)  # the next build starts afresh and removes the leftover
    assert not new.exists()
    assert (out / BUILT_FILE).read_bytes() == (good_build / BUILT_FILE).read_bytes()
    assert (out / "nap-graph.ttl").is_file()
