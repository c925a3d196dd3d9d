"""The importer of the UN DPO monthly reports, on real pages of every layout and on broken ones.

The pages in tests/data/dpo-pages/ are cut from the project's copy of the reports
(tests/data/make_dpo_pages.py); what the importer reads from them must be what the committed
CSV holds for the same file and page. Broken input is made from those pages: a number or a
name changed in the page's own text, or a file cut short.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from nap_graph.cli import cli
from nap_graph.errors import ImportFailed, ReportRefused
from nap_graph.sources import dpo_import
from nap_graph.sources.dpo_reports import read_report

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PAGES = Path(__file__).parent / "data" / "dpo-pages"
FOLDER = DATA / dpo_import.FOLDER
LAYOUTS = sorted(p.name for p in PAGES.iterdir() if p.is_dir())
FIRST_A = PAGES / "A" / "UN_country_contributions_2015_01.pdf"


def committed_rows() -> list[dict]:
    with (DATA / dpo_import.ROWS_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def committed_files() -> dict[str, dict]:
    with (DATA / dpo_import.FILES_FILE).open(encoding="utf-8", newline="") as handle:
        return {f["file"]: f for f in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def rows_by_file() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in committed_rows():
        found.setdefault(row["file"], []).append(row)
    return found


def the_page(layout: str) -> Path:
    (path,) = (PAGES / layout).glob("*.pdf")
    return path


def test_every_layout_has_a_page():
    assert LAYOUTS == sorted({f["layout"] for f in committed_files().values()})
    assert len(LAYOUTS) == 15  # the 14 layouts of files.csv, and 2022-09's separator lines


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_page_of_each_layout_reads_as_the_import_wrote_it(layout, rows_by_file):
    path = the_page(layout)
    report = read_report(path)
    assert report.layout == layout
    assert report.report_date == committed_files()[path.name]["report_date"]
    pages = {r.page for r in report.records}
    expected = [
        (r["country_printed"], r["mission"], r["personnel_type"], r["female"], r["male"])
        + (r["total"], int(r["page"]), int(r["line"]))
        for r in rows_by_file[path.name]
        if int(r["page"]) in pages
    ]
    # 2015-05 drops zero repeats after reading; no page here has any.
    read = [
        (r.country, r.mission, r.personnel_type)
        + ("" if r.female is None else str(r.female), "" if r.male is None else str(r.male))
        + (str(r.total), r.page, r.line)
        for r in report.records
    ]
    assert sorted(read) == sorted(expected)
    assert all(check.passes for check in report.checks)
    if layout not in ("D1", "D7"):  # the two xlsx exports print no sums
        assert report.checks


def retext(source: Path, target: Path, old: str, new: str, count: int = 0) -> None:
    """Write a copy of a one-page PDF whose text `old`, drawn as one string, reads `new`."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, NameObject

    reader = PdfReader(source)
    page = reader.pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    found = 0

    def replace(match: re.Match) -> str:
        nonlocal found
        if "".join(re.findall(r"\((.*?)\)", match.group(1))) != old:
            return match.group(0)
        found += 1
        if count and found > count:
            return match.group(0)
        return f"[({new})]TJ"

    changed = re.sub(r"\[(.*?)\]TJ", replace, content)
    assert found, f"{old!r} is not drawn as one string on {source.name}"
    stream = ContentStream(None, reader)
    stream.set_data(changed.encode("latin-1"))
    page[NameObject("/Contents")] = stream
    writer = PdfWriter()
    writer.add_page(page)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        writer.write(out)


def test_a_wrong_sum_is_refused_with_the_file_page_and_line(tmp_path):
    # Armenia's 33 troops in UNIFIL, January 2015: print the mission's total as 34.
    broken = tmp_path / FIRST_A.name
    retext(FIRST_A, broken, "33", "34", count=1)
    with pytest.raises(ReportRefused) as refused:
        read_report(broken)
    assert str(refused.value) == (
        f"{FIRST_A.name}, page 1, line 33: the mission total of UNIFIL is printed as -/-/34 "
        "(men/women/all) but its rows add up to 33/0/33"
    )


def test_a_truncated_file_is_refused(tmp_path):
    broken = tmp_path / FIRST_A.name
    broken.write_bytes(FIRST_A.read_bytes()[: FIRST_A.stat().st_size // 2])
    with pytest.raises(ReportRefused, match=rf"^{re.escape(FIRST_A.name)}: not a readable PDF"):
        read_report(broken)


def data_folder(tmp_path: Path, layouts: list[str]) -> Path:
    """A data folder with the curated files the importer reads and some real pages."""
    data = tmp_path / "data"
    for name in (dpo_import.NAMES_FILE, dpo_import.ANOMALIES_FILE):
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / name, data / name)
    (data / "reference").mkdir()
    shutil.copyfile(DATA / "reference" / "countries.csv", data / "reference" / "countries.csv")
    (data / dpo_import.PDF_FOLDER).mkdir(parents=True)
    for layout in layouts:
        shutil.copy(the_page(layout), data / dpo_import.PDF_FOLDER)
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_unknown_country_name_stops_the_import_and_writes_nothing(tmp_path):
    data = data_folder(tmp_path, ["A", "B1"])
    dpo_import.import_dpo(data, workers=1)
    before = snapshot(data)
    newer = tmp_path / "new" / "UN_country_contributions_2015_02.pdf"
    retext(FIRST_A, newer, "Armenia", "Atlantis")
    retext(newer, newer, "31-Jan-15", "28-Feb-15")
    with pytest.raises(ImportFailed) as failed:
        dpo_import.import_dpo(data, [newer], workers=1)
    message = str(failed.value)
    assert "nothing was written" in message
    assert re.search(
        r"UN_country_contributions_2015_02\.pdf, page 1, line \d+: the country 'Atlantis'", message
    )
    assert snapshot(data) == before  # neither CSV changed, and the new report was not kept


def test_a_new_report_is_imported_with_one_command_and_copies_are_set_aside(tmp_path):
    from click.testing import CliRunner

    data = data_folder(tmp_path, ["A", "B1", "D7"])
    # A copy of January 2015 under February's name, as the UN's archive has such copies.
    copy = tmp_path / "new" / "UN_country_contributions_2015_02.pdf"
    copy.parent.mkdir()
    shutil.copyfile(FIRST_A, copy)
    newer = tmp_path / "new" / the_page("D2").name
    shutil.copyfile(the_page("D2"), newer)
    result = CliRunner().invoke(
        cli, ["import-dpo", "--data-dir", str(data), str(newer), str(copy)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "1 copy set aside" in result.output
    assert (data / dpo_import.PDF_FOLDER / newer.name).read_bytes() == newer.read_bytes()
    with (data / dpo_import.FILES_FILE).open(encoding="utf-8", newline="") as handle:
        files = {f["file"]: f for f in csv.DictReader(handle)}
    assert files[copy.name]["status"] == "duplicate"
    assert "the same bytes as UN_country_contributions_2015_01.pdf" in files[copy.name]["note"]
    assert files[newer.name]["note"] == "no date printed: the month is taken from the file name"
    with (data / dpo_import.ROWS_FILE).open(encoding="utf-8", newline="") as handle:
        months = {r["month"] for r in csv.DictReader(handle)}
    assert months == {"2015-01", "2017-05", "2019-10", "2024-10"}


@pytest.mark.full
@pytest.mark.timeout(1200)
def test_the_committed_csv_is_what_the_importer_reads_from_every_report(tmp_path):
    """Every report read again: the same rows and files, and every printed sum holds."""
    data = tmp_path / "data"
    shutil.copytree(FOLDER, data / dpo_import.FOLDER)
    (data / "reference").mkdir()
    shutil.copyfile(DATA / "reference" / "countries.csv", data / "reference" / "countries.csv")
    result = dpo_import.import_dpo(data, workers=2)
    for name in (dpo_import.ROWS_FILE, dpo_import.FILES_FILE):
        assert (data / name).read_bytes() == (DATA / name).read_bytes(), name
    # The reference parse (SOURCE.md) passed 29,100 printed sums; these are those and more:
    # the per-type sums of 2019-10, the row counts, and 2023-09's totals without gender.
    assert result.checks >= 29_100
    imported = [f for f in result.files if f["status"] == "imported"]
    assert len(imported) == 122 and len(result.files) == 126
