"""Import the DPO monthly reports into the reviewable CSV that the build reads.

`nap-graph import-dpo` reads every report of data/peacekeeping/un-dpo-monthly-gender-pdfs/pdf/
(and any new one it is given, which it copies there), and writes, only when every report
reads cleanly and every printed sum holds:

- `contributions.csv`: one row per month, country, mission and personnel type, with women,
  men, the total, and the file, page and line each came from;
- `imported-files.csv`: per file, its checksum, the date printed in it, its layout, what was
  taken from it and what was not, how many of its printed sums were recomputed, and its
  grand total as printed (so that the built graph can be checked against it).

Files that copy another month are found by checksum and by the date printed inside, not by
their names. The printed country names are mapped to ISO codes through the country table,
the curated names of `country-names.csv` (names the PDFs cut off), and country_converter.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nap_graph.errors import ImportFailed, ReportRefused
from nap_graph.sources.dpo_reports import Report, read_report

FOLDER = "peacekeeping/un-dpo-monthly-gender-pdfs"
PDF_FOLDER = f"{FOLDER}/pdf"
ROWS_FILE = f"{FOLDER}/contributions.csv"
FILES_FILE = f"{FOLDER}/imported-files.csv"
NAMES_FILE = f"{FOLDER}/country-names.csv"
ANOMALIES_FILE = f"{FOLDER}/anomalies.csv"
ROW_COLUMNS = [
    "month",
    "report_date",
    "iso3",
    "country_printed",
    "mission",
    "personnel_type",
    "female",
    "male",
    "total",
    "flag",
    "file",
    "page",
    "line",
    "layout",
]
FILE_COLUMNS = [
    "file",
    "sha256",
    "report_date",
    "date_printed",
    "layout",
    "has_mission",
    "has_gender",
    "rows_read",
    "rows_written",
    "checks",
    "grand_men",
    "grand_women",
    "grand_all",
    "status",
    "note",
]


@dataclass
class Imported:
    rows: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)

    @property
    def checks(self) -> int:
        return sum(int(f["checks"]) for f in self.files if f["status"] == "imported")


def _read(path: str) -> Report | str:
    try:
        return read_report(Path(path))
    except ReportRefused as exc:
        return str(exc)


def read_reports(paths: list[Path], workers: int = 2, progress=None) -> list[Report]:
    """Read the reports, in parallel; ImportFailed lists every report that was refused."""
    reports, refused = [], []
    with ProcessPoolExecutor(workers) as pool:
        for result in pool.map(_read, [str(p) for p in paths]):
            if isinstance(result, str):
                refused.append(result)
            else:
                reports.append(result)
            if progress is not None:
                progress()
    if refused:
        raise ImportFailed("reports refused, nothing was written:\n" + "\n".join(refused))
    return reports


class Names:
    """Printed country names to ISO 3166-1 alpha-3 codes."""

    def __init__(self, data_dir: Path):
        self.curated: dict[tuple[str, str], str] = {}
        with (data_dir / NAMES_FILE).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                self.curated[(row["printed"], row["file"] or "")] = row["iso3"]
        self.table: dict[str, str] = {}
        with (data_dir / "reference" / "countries.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for column in ("name_en", "iso_name_en", "name_fr", "name_es"):
                    if row.get(column):
                        self.table.setdefault(row[column].casefold(), row["iso3"])
        self._converter = None

    def iso3(self, printed: str, file: str) -> str | None:
        for key in ((printed, file), (printed, "")):
            if key in self.curated:
                return self.curated[key]
        found = self.table.get(printed.casefold())
        if found:
            return found
        return self._convert(printed)

    def _convert(self, printed: str) -> str | None:
        if self._converter is None:
            try:
                import logging

                import country_converter

                logging.getLogger("country_converter").setLevel(logging.ERROR)
                self._converter = country_converter.CountryConverter()
            except ImportError as exc:
                raise ImportFailed(
                    f"{printed!r} is not in the country table; matching other spellings needs "
                    "country_converter: pip install -e '.[reference]'"
                ) from exc
        found = self._converter.convert(printed, to="ISO3", not_found=None)
        return found if isinstance(found, str) and len(found) == 3 else None


def _anomalies(data_dir: Path) -> list[dict]:
    with (data_dir / ANOMALIES_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(anomalies: list[dict], month: str, iso3: str, mission: str, kind: str) -> str:
    for a in anomalies:
        if a["month"] == month and all(
            not a[k] or a[k] == v
            for k, v in (("iso3", iso3), ("mission", mission), ("personnel_type", kind))
        ):
            return a["flag"]
    return ""


def _grand_total(report: Report) -> dict:
    """The grand total as the report prints it (the last one printed), for later checks."""
    grand = [c for c in report.checks if c.kind == "grand"]
    men, women, total = grand[-1].printed if grand else (None, None, None)
    return {
        "grand_men": "" if men is None else men,
        "grand_women": "" if women is None else women,
        "grand_all": "" if total is None else total,
    }


def combine(reports: list[Report], data_dir: Path) -> Imported:
    """Turn read reports into CSV rows: copies set aside, names mapped, anomalies flagged."""
    names, anomalies = Names(data_dir), _anomalies(data_dir)
    result = Imported()
    by_checksum: dict[str, Report] = {}
    by_date: dict[str, Report] = {}
    unknown: list[str] = []
    # A file named for the month it prints comes first, so that a copy under another month's
    # name (2015_03, a copy of April) is the one set aside.
    for report in sorted(reports, key=lambda r: (r.month.replace("-", "_") not in r.file, r.file)):
        entry = {
            "file": report.file,
            "sha256": report.sha256,
            "report_date": report.report_date,
            "date_printed": "yes" if report.date_printed else "no",
            "layout": report.layout,
            "has_mission": "yes" if report.has_mission else "no",
            "has_gender": "yes" if report.has_gender else "no",
            "rows_read": len(report.records),
            "rows_written": 0,
            "checks": len(report.checks),
            **_grand_total(report),
            "status": "imported",
            "note": "",
        }
        result.files.append(entry)
        original = by_checksum.get(report.sha256) or by_date.get(report.report_date)
        if original is not None:
            same = "the same bytes as" if original.sha256 == report.sha256 else "the same date as"
            entry["status"] = "duplicate"
            entry["note"] = (
                f"{same} {original.file}: a copy of the report of {report.report_date}, "
                f"whatever its name says"
            )
            result.notes[
                f"a copy of another month's report (by checksum and printed date): {report.file}"
            ] += 1
            continue
        by_checksum[report.sha256] = report
        by_date[report.report_date] = report
        notes = []
        if not report.date_printed:
            notes.append("no date printed: the month is taken from the file name")
        if not report.has_gender:
            notes.append("totals without gender: written with women and men empty")
        # 2015-05 prints some rows twice, once as 0/0/0: the zero row repeats the other.
        keyed = defaultdict(list)
        for record in report.records:
            keyed[(record.country, record.mission, record.personnel_type)].append(record)
        repeats = set()
        for records in keyed.values():
            if len(records) > 1:
                nonzero = [r for r in records if r.total]
                zeros = [r for r in records if not r.total]
                if len(nonzero) > 1:
                    first = nonzero[1]
                    raise ImportFailed(
                        f"{report.file}, page {first.page}, line {first.line}: "
                        f"{first.country} {first.mission} {first.personnel_type} is printed "
                        "twice with different figures"
                    )
                repeats.update(id(r) for r in (zeros[1:] if not nonzero else zeros))
        if repeats:
            notes.append(f"{len(repeats)} rows printed twice, once as 0/0/0: the zero rows dropped")
        written = 0
        for record in report.records:
            if id(record) in repeats:
                continue
            iso3 = names.iso3(record.country, report.file)
            if iso3 is None:
                unknown.append(
                    f"{report.file}, page {record.page}, line {record.line}: the country "
                    f"{record.country!r} is not in the country table nor in {NAMES_FILE}"
                )
                continue
            month = report.month
            flag = _flag(anomalies, month, iso3, record.mission, record.personnel_type)
            result.rows.append(
                {
                    "month": month,
                    "report_date": report.report_date,
                    "iso3": iso3,
                    "country_printed": record.country,
                    "mission": record.mission,
                    "personnel_type": record.personnel_type,
                    "female": "" if record.female is None else record.female,
                    "male": "" if record.male is None else record.male,
                    "total": record.total,
                    "flag": flag,
                    "file": report.file,
                    "page": record.page,
                    "line": record.line,
                    "layout": report.layout,
                }
            )
            written += 1
        entry["rows_written"] = written
        entry["note"] = "; ".join(notes)
    if unknown:
        raise ImportFailed("unknown country names, nothing was written:\n" + "\n".join(unknown))
    result.rows.sort(
        key=lambda r: (
            r["month"],
            r["mission"],
            r["iso3"],
            r["personnel_type"],
            r["page"],
            r["line"],
        )
    )
    return result


def _csv(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(result: Imported, data_dir: Path) -> None:
    """Write both files, each replaced at once, so that a failure leaves the old ones."""
    for name, columns, rows in (
        (ROWS_FILE, ROW_COLUMNS, result.rows),
        (FILES_FILE, FILE_COLUMNS, result.files),
    ):
        path = data_dir / name
        temporary = path.with_suffix(".csv.tmp")
        temporary.write_text(_csv(columns, rows), encoding="utf-8")
        os.replace(temporary, path)


def import_dpo(data_dir: Path, new: list[Path] = (), workers: int = 2, progress=None) -> Imported:
    """Copy any new reports into the data folder, read them all, and write the CSV files.

    Nothing is written, and no new report is kept, unless every report reads and adds up.
    """
    folder = data_dir / PDF_FOLDER
    copied = []
    for path in new:
        target = folder / path.name
        if target.exists() and target.read_bytes() != path.read_bytes():
            raise ImportFailed(f"{target} exists with other content: rename the new report")
        if not target.exists():
            shutil.copyfile(path, target)
            copied.append(target)
    try:
        paths = sorted(folder.glob("*.pdf"))
        if progress is not None:
            progress(len(paths))
        reports = read_reports(paths, workers, progress)
        result = combine(reports, data_dir)
        write(result, data_dir)
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        raise
    return result
