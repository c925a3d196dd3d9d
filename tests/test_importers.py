"""Importers read the source files as they are, on real rows and on broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nap_graph.build import import_peacekeeping
from nap_graph.errors import SourceErrors
from nap_graph.sources import peacekeeping as pk
from nap_graph.sources.naps import read_nap_sources
from nap_graph.sources.records import ErrorCollector, ImportReport
from nap_graph.vocabulary import Vocabulary

ONTOLOGY = Path(__file__).parents[1] / "ontology"
REAL = Path(__file__).parents[1] / "data"

ODP_HEADER = (
    "Contribution_ID,ISOCode3,M49_Code,Contributing_Country,Mission_Acronym,Personnel_Type,"
    "Female_Personnel,Male_Personnel,Last_Reporting_Date"
)


def run(reader, *args):
    errors, report = ErrorCollector(), ImportReport()
    result = reader(*args, errors, report)
    return result, errors, report


def reasons(report: ImportReport) -> dict[str, int]:
    return {reason: n for (_, reason), n in report.skipped.items()}


def test_scraper_file_real_rows(data_dir):
    observations, errors, report = run(pk.read_ipi_csv, data_dir, pk.TCC_FILE, "ipi-tcc-gender")
    assert not errors.errors
    norway = {
        (o.month, o.mission, o.category): (o.women, o.total)
        for o in observations
        if o.iso3 == "NOR"
    }
    # Norway in February 2014: 0/15 troops, 2/17 experts, 14/37 police (SOURCE.md's table).
    feb = {k: v for k, v in norway.items() if k[0] == "2014-02"}
    assert sum(v[1] for k, v in feb.items() if k[2] == "troops") == 15
    assert sum(v[0] for k, v in feb.items() if k[2] == "troops") == 0
    assert sum(v[1] for k, v in feb.items() if k[2] == "experts-on-mission") == 17
    police = [v for k, v in feb.items() if k[2] in ("individual-police", "formed-police-units")]
    assert (sum(w for w, _ in police), sum(t for _, t in police)) == (14, 37)
    assert all(o.total > 0 for o in observations), (
        "categories with nobody deployed are not published"
    )


def test_loader_file_quirks(data_dir):
    observations, errors, report = run(pk.read_ipi_csv, data_dir, pk.PPP_FILE, "ipi-ppp-gender")
    assert not errors.errors
    assert all(not o.iso3.endswith("'") and not o.mission.endswith("'") for o in observations)
    notes = {text: n for (_, text), n in report.notes.items()}
    assert notes["stray trailing apostrophe removed from country and mission"] > 0
    skipped = reasons(report)
    assert (
        skipped[
            "aggregate row (a sum over missions or countries): derivable from the per-mission rows"
        ]
        > 0
    )
    assert skipped["Troops: women + men differ from the total"] == 1  # Egypt, UNMIS, November 2009
    march = [o for o in observations if o.month == "2014-03" and o.iso3 == "NOR"]
    assert {o.mission for o in march} >= {"UNMISS"}


def test_json_archive_counts_categories_and_skips_aggregates(data_dir):
    missions = {}
    errors, report = ErrorCollector(), ImportReport()
    observations = pk.read_ipi_json(data_dir, "ipi-ppp-update-archive", errors, report, missions)
    assert not errors.errors
    august = [o for o in observations if o.iso3 == "NOR" and o.month == "2014-08"]
    # Norway in August 2014: troops 3/32, experts 0/17, police 11/24 (SOURCE.md's table).
    assert (
        sum(o.women for o in august if o.category == "troops"),
        sum(o.total for o in august if o.category == "troops"),
    ) == (3, 32)
    assert sum(o.total for o in august if o.category == "experts-on-mission") == 17
    assert missions["UNMISS"].host_iso3 == "SSD" and missions["UNMISS"].headquarters == "Juba"


def test_months_come_from_one_source_each(data_dir):
    report = ImportReport()
    result = import_peacekeeping(data_dir, ErrorCollector(), report)
    assert result.months_by_source["ipi-tcc-gender"][-1] == "2014-02"
    assert "2014-03" in result.months_by_source["ipi-ppp-update-archive"]
    assert "2014-03" not in result.months_by_source.get("ipi-ppp-gender", [])
    assert any(
        "month is taken from ipi-ppp-update-archive, which agrees" == r for r in reasons(report)
    )


def test_rank_snapshots_with_byte_order_mark_and_crlf(data_dir):
    raw = (data_dir / pk.RANKS_DIR / "odp_contributionranks_2022-01-31.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # as published
    observations, errors, _ = run(pk.read_odp_ranks, data_dir, "un-odp-contribution-ranks")
    assert not errors.errors
    norway = {o.month: (o.women, o.total) for o in observations if o.iso3 == "NOR"}
    assert norway == {"2020-12": (11, 58), "2022-01": (10, 62)}  # SOURCE.md's quick checks


def test_rank_rows_with_nobody_deployed_make_no_observation(data_dir):
    path = data_dir / pk.RANKS_DIR / "odp_contributionranks_2022-01-31.csv"
    with path.open("ab") as out:  # a row as the file has it for Papua New Guinea
        out.write(b"PNG,598,Papua New Guinea,122,0,0,0,31-Jan-22\r\n")
    observations, errors, report = run(pk.read_odp_ranks, data_dir, "un-odp-contribution-ranks")
    assert not errors.errors
    assert not [o for o in observations if o.iso3 == "PNG"]
    assert "no personnel" in reasons(report)


def write_odp(data_dir: Path, rows: list[str]) -> None:
    folder = data_dir / pk.ODP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # As the UN publishes it: a byte order mark and CRLF line ends.
    (folder / "odp_contributionsbygender.csv").write_bytes(
        ("\ufeff" + "\r\n".join([ODP_HEADER, *rows]) + "\r\n").encode("utf-8")
    )


def test_official_file_sample(data_dir):
    write_odp(
        data_dir,
        [
            "1,NOR,578,Norway,UNMISS ,Individual Police,9,13,31-Jan-22",
            "2,NOR,578,Norway,UNMISS,Staff Officer,4,19,31-Jan-22",
            "3,#N/A,,,UNMISS,Troops,1,2,31-Jan-22",
            "4,NOR,578,Norway,UNTSO,Experts on Mission,0,0,31-Jan-22",
            "5,GHA,288,Ghana,UNIFIL,Troops,50,800,30-Jul-03",
            "6,GHA,288,Ghana,UNIFIL,Troops,52,810,31-Jul-03",
        ],
    )
    observations, errors, report = run(
        pk.read_odp_by_gender, data_dir, "un-odp-contributions-by-gender"
    )
    assert not errors.errors
    by_key = {(o.iso3, o.month, o.mission, o.category): (o.women, o.total) for o in observations}
    assert by_key[("NOR", "2022-01", "UNMISS", "individual-police")] == (9, 22)
    assert by_key[("NOR", "2022-01", "UNMISS", "staff-officers")] == (4, 23)
    skipped = reasons(report)
    assert skipped["no ISO 3166 code for the country (#N/A)"] == 1
    assert skipped["no personnel"] == 1


def test_official_file_takes_its_months_and_keeps_the_latest_report(data_dir):
    write_odp(
        data_dir,
        [
            "1,NOR,578,Norway,UNMISS,Individual Police,5,20,28-Feb-14",
            "2,GHA,288,Ghana,UNIFIL,Troops,50,800,30-Jul-03",
            "3,GHA,288,Ghana,UNIFIL,Troops,52,810,31-Jul-03",
        ],
    )
    report = ImportReport()
    result = import_peacekeeping(data_dir, ErrorCollector(), report)
    february = [o for o in result.by_mission if o.month == "2014-02"]
    assert {o.source for o in february} == {"un-odp-contributions-by-gender"}
    assert [(o.women, o.total) for o in february] == [(5, 25)]
    july = [o for o in result.by_mission if o.month == "2003-07"]
    assert [(o.women, o.total) for o in july] == [(52, 862)]
    assert reasons(report)["an earlier report of the same month was replaced by a later one"] == 1


def test_official_file_malformed_value_names_line_and_field(data_dir):
    write_odp(
        data_dir,
        [
            "1,NOR,578,Norway,UNMISS,Individual Police,nine,13,31-Jan-22",
            "2,NOR,578,Norway,UNMISS,Sailors,1,13,31-Jan-22",
            "3,NOR,578,Norway,UNMISS,Troops,1,13,2022/01/31",
        ],
    )
    errors = ErrorCollector()
    pk.read_odp_by_gender(data_dir, "x", errors, ImportReport())
    messages = [str(e) for e in errors.errors]
    file = "data/peacekeeping/un-odp-contributions-by-gender/odp_contributionsbygender.csv"
    assert f"{file}:2: field 'Female_Personnel': expected a whole number, got 'nine'" in messages
    assert any(m.startswith(f"{file}:3: field 'Personnel_Type': expected one of") for m in messages)
    assert (
        f"{file}:4: field 'Last_Reporting_Date': expected a date as dd-Mon-yy (31-Jan-22), got '2022/01/31'"
        in messages
    )


def test_malformed_json_is_reported(data_dir):
    path = data_dir / pk.IPI_DIR / "PPP_Loader_update_archive_20140831.json"
    items = json.loads(path.read_text())
    index = next(i for i, item in enumerate(items) if item["mission"] != "all")
    key = next(k for k in pk.JSON_CATEGORIES if items[index].get(k))
    items[index][f"{key}_f"] = "three"
    path.write_text(json.dumps(items))
    errors = ErrorCollector()
    pk.read_ipi_json(data_dir, "x", errors, ImportReport(), {})
    assert [str(e) for e in errors.errors] == [
        f"data/{pk.IPI_DIR}/PPP_Loader_update_archive_20140831.json[{index}]: field '{key}': "
        f"expected whole numbers, got {items[index][key]}, 'three', {items[index][key + '_m']}"
    ]


def test_missing_column_is_an_error(data_dir):
    path = data_dir / "nap-facts" / "plans.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0].replace("start_year", "start")] + lines[1:]) + "\n")
    errors = ErrorCollector()
    with pytest.raises(SourceErrors, match="plans.csv:1: field 'start_year': missing column"):
        read_nap_sources(data_dir, Vocabulary.load(ONTOLOGY).notations, errors, ImportReport())


def test_nap_facts_real_rows(data_dir):
    sources = read_nap_sources(
        data_dir, Vocabulary.load(ONTOLOGY).notations, ErrorCollector(), ImportReport()
    )
    norway_second = [c for c in sources.plan_claims if c.iso3 == "NOR" and c.edition == 2]
    assert {(c.start, c.end) for c in norway_second} == {(2011, 2013), (2011, 2015)}
    assert len(sources.curated_focus) == 5
    assert [f.title for f in sources.curated_focus] == [
        "Peace and reconciliation processes",
        "Implementation of peace agreements",
        "Operations and missions",
        "Humanitarian efforts",
        "Sustaining Peace",
    ]


def test_every_real_file_imports_cleanly():
    """The files in data/ as they are: no malformed record."""
    errors = ErrorCollector()
    import_peacekeeping(REAL, errors, ImportReport())
    read_nap_sources(REAL, Vocabulary.load(ONTOLOGY).notations, errors, ImportReport())
    assert not errors.errors, errors.errors[:5]


def test_two_different_reports_of_one_date_are_an_error(data_dir):
    write_odp(
        data_dir,
        [
            "1,NOR,578,Norway,UNMISS,Troops,1,10,31-Jan-22",
            "2,NOR,578,Norway,UNMISS,Troops,2,10,31-Jan-22",
        ],
    )
    errors = ErrorCollector()
    import_peacekeeping(data_dir, errors, ImportReport())
    file = "data/peacekeeping/un-odp-contributions-by-gender/odp_contributionsbygender.csv"
    assert [str(e) for e in errors.errors] == [
        f"{file}:3: a second, different report of troops for NOR in UNMISS, 2022-01-31 (the first is at {file}:2)"
    ]


def test_an_earlier_report_after_a_later_one_is_still_replaced(data_dir):
    write_odp(
        data_dir,
        [
            "1,GHA,288,Ghana,UNIFIL,Troops,52,810,31-Jul-03",
            "2,GHA,288,Ghana,UNIFIL,Troops,50,800,30-Jul-03",
        ],
    )
    result = import_peacekeeping(data_dir, ErrorCollector(), ImportReport())
    assert [(o.women, o.total) for o in result.by_mission if o.month == "2003-07"] == [(52, 862)]


def test_codes_that_would_make_invalid_iris_are_errors(data_dir):
    """Review finding: "UN MISS" once crashed the build with a traceback."""
    write_odp(data_dir, ["1,NOR,578,Norway,UN MISS,Troops,1,10,31-Jan-22"])
    errors = ErrorCollector()
    import_peacekeeping(data_dir, errors, ImportReport())
    assert any(
        "field 'Mission_Acronym': expected a mission acronym of letters, digits and hyphens, got 'UN MISS'"
        in str(e)
        for e in errors.errors
    )
    plans = data_dir / "nap-facts" / "plans.csv"
    plans.write_text(plans.read_text() + "Norway,N O,5,,2023,2030,https://example.org/x,\n")
    errors = ErrorCollector()
    read_nap_sources(data_dir, Vocabulary.load(ONTOLOGY).notations, errors, ImportReport())
    assert any(
        "field 'iso3': expected a country code of three capital letters" in str(e)
        for e in errors.errors
    )


def test_records_are_named_by_the_line_where_they_start(tmp_path):
    """Review finding: blank lines once shifted the reported line numbers."""
    from nap_graph.sources.records import read_csv

    path = tmp_path / "data" / "x.csv"
    path.parent.mkdir()
    path.write_text('a,b\n1,2\n\n\nx,y\n"two\nlines",z\n\nlast,1\n')
    assert [r.origin.line for r in read_csv(path, tmp_path / "data", ErrorCollector())] == [
        2,
        5,
        6,
        9,
    ]
