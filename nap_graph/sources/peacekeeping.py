"""Import UN peacekeeping contributions by gender from the files as they were published.

Each reader handles its file's known quirks (a byte order mark, CRLF line ends, `NA` for
none, aggregate rows, the stray apostrophes of the IPI loader's March 2014 rows, the
loader's zero totals) and reports what it skipped and why. Malformed values stop the
build with the file, line and field.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nap_graph.sources.records import (
    ACRONYM,
    ACRONYM_TEXT,
    ISO3,
    ISO3_TEXT,
    ErrorCollector,
    ImportReport,
    Origin,
    Row,
    _relative,
    read_csv,
)

IPI_DIR = "peacekeeping/ipi-gender-by-category"
TCC_FILE = f"{IPI_DIR}/TCC-DataScraper_Gender.Full.csv"
PPP_FILE = f"{IPI_DIR}/PPP_Loader_full_gender_data.csv"
JSON_GLOB = "PPP_Loader_update_archive_*.json"
RANKS_DIR = "peacekeeping/un-odp-contribution-ranks"
ODP_DIR = "peacekeeping/un-odp-contributions-by-gender"
ODP_FILE = f"{ODP_DIR}/odp_contributionsbygender.csv"
TARGETS_FILE = "peacekeeping/un-gender-parity-targets/targets.csv"
YEARLY_TARGETS_FILE = "peacekeeping/un-ugps-yearly-targets/targets_by_year.csv"
DPO_DIR = "peacekeeping/un-dpo-monthly-gender-pdfs"
DPO_FILE = f"{DPO_DIR}/contributions.csv"
# The flags that the DPO import gives a row (anomalies.csv), as notations of the
# observation status scheme.
DPO_FLAGS = ("gender-split-unreliable", "printed-as-is")

# IPI column prefixes and JSON keys -> notations of the personnel category concepts.
IPI_CATEGORIES = {
    "Individual Police": "individual-police",
    "Formed Police Units": "formed-police-units",
    "Experts on Mission": "experts-on-mission",
    "Troops": "troops",
}
JSON_CATEGORIES = {
    "ip": "individual-police",
    "fpu": "formed-police-units",
    "eom": "experts-on-mission",
    "troops": "troops",
}
ODP_CATEGORIES = {
    "Troops": "troops",
    "Staff Officer": "staff-officers",
    "Experts on Mission": "experts-on-mission",
    "Individual Police": "individual-police",
    "Formed Police Units": "formed-police-units",
}
TARGET_CATEGORIES = {
    "contingent_troops": "troops",
    "formed_police_units": "formed-police-units",
    "individual_police": "individual-police",
    "staff_officers_and_military_observers": "staff-officers-and-military-observers",
}


@dataclass(frozen=True, slots=True)
class Observation:
    """Women and all personnel of one country, month, mission (or none) and category."""

    iso3: str
    month: str  # YYYY-MM
    mission: str | None
    category: str
    women: int
    total: int
    source: str  # the id of the source dataset in data/sources.csv
    origin: Origin
    date: str = ""  # the reporting date, to keep the latest of two reports in one month
    status: str = ""  # a notation of the observation status scheme, for flagged values


@dataclass(frozen=True)
class Mission:
    acronym: str
    host_iso3: str | None
    headquarters: str | None
    source: str


@dataclass(frozen=True)
class ParityTarget:
    category: str
    year: int
    share: str
    source: str  # the page that states the target
    note: str | None
    origin: Origin
    dataset: str = "un-gender-parity-targets"  # the id of the source dataset


@dataclass(frozen=True, slots=True)
class Headcount:
    """All personnel of one country, month and category, from a report that gives no gender."""

    iso3: str
    month: str
    category: str
    total: int
    source: str
    origin: Origin


@dataclass
class DpoRows:
    """The rows of the DPO import's CSV, by the dataset each belongs in."""

    by_mission: list[Observation]
    by_country: list[Observation]  # months whose report has no breakdown by mission
    headcounts: list[Headcount]  # months whose report has no gender


@dataclass
class Peacekeeping:
    by_mission: list[Observation]
    by_country: list[Observation]
    missions: dict[str, Mission]
    targets: list[ParityTarget]
    months_by_source: dict[str, list[str]]
    headcounts: list[Headcount]


_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _month(row: Row, name: str, value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        row.errors.add(row.origin, name, f"expected a date as YYYY-MM-DD, got {value!r}")
        return None
    return f"{match.group(1)}-{match.group(2)}", value


def _strip_apostrophe(row: Row, names: tuple[str, ...], report: ImportReport) -> None:
    """Remove the trailing apostrophe that the IPI loader left in its March 2014 rows."""
    stripped = False
    for name in names:
        value = row.get(name) or ""
        if value.endswith("'"):
            row[name] = value[:-1]
            stripped = True
    if stripped:
        report.note(row.origin, "stray trailing apostrophe removed from country and mission")


def _category_counts(
    row: Row, prefix: str, sep: str, missing: tuple[str, ...], report: ImportReport
) -> tuple[int, int] | None:
    male = row.integer(f"{prefix}{sep}Male", missing=missing)
    female = row.integer(f"{prefix}{sep}Female", missing=missing)
    total = row.integer(f"{prefix}{sep}Total", missing=missing)
    if total is None or total == 0:
        return None
    if female is None or male is None or female + male != total:
        report.skip(row.origin, f"{prefix}: women + men differ from the total")
        return None
    return female, total


def read_ipi_csv(
    data_dir: Path, name: str, source: str, errors: ErrorCollector, report: ImportReport
) -> list[Observation]:
    """Read an IPI gender CSV (TCC scraper or PPP loader layout) into observations."""
    path = data_dir / name
    if not path.exists():
        return []
    loader = "PPP_Loader" in name
    sep = "_" if loader else " "
    iso_column = "Contributor_ISO-3" if loader else "Contributor ISO-3"
    missing = ("NA",)
    observations = []
    for row in read_csv(path, data_dir, errors, ["Date", "Contributor", iso_column, "Mission"]):
        report.read[row.origin.file] += 1
        if loader:
            _strip_apostrophe(row, ("Contributor", iso_column, "Mission"), report)
        if row.get("Mission") == "all" or row.get("Contributor") == "all":
            report.skip(
                row.origin,
                "aggregate row (a sum over missions or countries): "
                "derivable from the per-mission rows",
            )
            continue
        month = _month(row, "Date", row.text("Date", required=True))
        iso3 = row.code(iso_column, ISO3, ISO3_TEXT)
        mission = row.code("Mission", ACRONYM, ACRONYM_TEXT)
        if month is None or iso3 is None or mission is None:
            continue
        kept = 0
        for prefix, category in IPI_CATEGORIES.items():
            counts = _category_counts(row, prefix.replace(" ", sep), sep, missing, report)
            if counts is not None:
                observations.append(
                    Observation(
                        iso3, month[0], mission, category, *counts, source, row.origin, month[1]
                    )
                )
                kept += 1
        if kept:
            report.kept[row.origin.file] += 1
        else:
            report.skip(row.origin, "no personnel in any category")
    return observations


def read_ipi_json(
    data_dir: Path,
    source: str,
    errors: ErrorCollector,
    report: ImportReport,
    missions: dict[str, Mission],
) -> list[Observation]:
    """Read the IPI loader's monthly JSON archives (2014) into observations."""
    observations = []
    for path in sorted((data_dir / IPI_DIR).glob(JSON_GLOB)):
        relative = _relative(path, data_dir)
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            errors.add(Origin(relative, exc.lineno), None, f"not valid JSON: {exc.msg}")
            continue
        for index, item in enumerate(items):
            origin = Origin(relative, item=index)
            report.read[relative] += 1
            iso3, mission = item.get("tcc_country_id"), item.get("mission")
            if iso3 == "all" or mission == "all":
                report.skip(
                    origin,
                    "aggregate object (a sum over missions or countries): "
                    "derivable from the per-mission objects",
                )
                continue
            stamp = item.get("date") or item.get("cont_date")
            match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})T\d{6}", stamp or "")
            if not match:
                errors.add(origin, "date", f"expected a date as YYYYMMDDT000000, got {stamp!r}")
                continue
            if not ISO3.fullmatch(str(iso3 or "")):
                errors.add(origin, "tcc_country_id", f"expected {ISO3_TEXT}, got {iso3!r}")
                continue
            if not ACRONYM.fullmatch(str(mission or "")):
                errors.add(origin, "mission", f"expected {ACRONYM_TEXT}, got {mission!r}")
                continue
            month = f"{match.group(1)}-{match.group(2)}"
            date = f"{month}-{match.group(3)}"
            if mission not in missions:
                host = (item.get("mission_country_id") or "").rstrip("'") or None
                if host is not None and not ISO3.fullmatch(host):
                    errors.add(origin, "mission_country_id", f"expected {ISO3_TEXT}, got {host!r}")
                    host = None
                missions[mission] = Mission(mission, host, item.get("mission_hq") or None, source)
            kept = 0
            for key, category in JSON_CATEGORIES.items():
                total, women, men = item.get(key), item.get(f"{key}_f"), item.get(f"{key}_m")
                if total in (None, 0):
                    continue
                if not all(isinstance(v, int) for v in (total, women, men)):
                    errors.add(
                        origin, key, f"expected whole numbers, got {total!r}, {women!r}, {men!r}"
                    )
                    continue
                if women + men != total:
                    report.skip(origin, f"{key}: women + men differ from the total")
                    continue
                observations.append(
                    Observation(iso3, month, mission, category, women, total, source, origin, date)
                )
                kept += 1
            if kept:
                report.kept[relative] += 1
            else:
                report.skip(origin, "no personnel in any category")
    return observations


def _odp_date(row: Row, name: str) -> str | None:
    """Parse the ODP files' reporting date, dd-Mon-yy (31-Jan-22), or an ISO date."""
    value = row.text(name, required=True)
    if value is None:
        return None
    for pattern in ("%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    row.errors.add(row.origin, name, f"expected a date as dd-Mon-yy (31-Jan-22), got {value!r}")
    return None


def read_odp_by_gender(
    data_dir: Path, source: str, errors: ErrorCollector, report: ImportReport
) -> list[Observation]:
    """Read the UN's official odp_contributionsbygender.csv, where a user has put it."""
    path = data_dir / ODP_FILE
    if not path.exists():
        return []
    observations = []
    columns = [
        "ISOCode3",
        "Mission_Acronym",
        "Personnel_Type",
        "Female_Personnel",
        "Male_Personnel",
        "Last_Reporting_Date",
    ]
    for row in read_csv(path, data_dir, errors, columns):
        report.read[row.origin.file] += 1
        iso3 = (row.text("ISOCode3") or "").strip()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            report.skip(row.origin, f"no ISO 3166 code for the country ({iso3 or 'blank'})")
            continue
        text = row.text("Mission_Acronym", required=True)
        mission = (
            row.code("Mission_Acronym", ACRONYM, ACRONYM_TEXT, value=text.strip()) if text else None
        )
        category = row.choice("Personnel_Type", ODP_CATEGORIES, required=True)
        women = row.integer("Female_Personnel", required=True)
        men = row.integer("Male_Personnel", required=True)
        date = _odp_date(row, "Last_Reporting_Date")
        if None in (mission, category, women, men, date):
            continue
        if women + men == 0:
            report.skip(row.origin, "no personnel")
            continue
        observations.append(
            Observation(
                iso3,
                date[:7],
                mission,
                ODP_CATEGORIES[category],
                women,
                women + men,
                source,
                row.origin,
                date,
            )
        )
        report.kept[row.origin.file] += 1
    return observations


def read_odp_ranks(
    data_dir: Path, source: str, errors: ErrorCollector, report: ImportReport
) -> list[Observation]:
    """Read the ODP contribution-rank snapshots: women and all per country, all categories."""
    observations = []
    columns = [
        "ISOCode3",
        "Female_Personnel",
        "Male_Personnel",
        "Total_Uniformed_Personnel",
        "Last_Reporting_Date",
    ]
    for path in sorted((data_dir / RANKS_DIR).glob("*.csv")):
        for row in read_csv(path, data_dir, errors, columns):
            report.read[row.origin.file] += 1
            iso3 = row.code("ISOCode3", ISO3, ISO3_TEXT)
            women = row.integer("Female_Personnel", required=True)
            men = row.integer("Male_Personnel", required=True)
            total = row.integer("Total_Uniformed_Personnel", required=True)
            date = _odp_date(row, "Last_Reporting_Date")
            if None in (iso3, women, men, total, date):
                continue
            if women + men != total:
                report.skip(row.origin, "women + men differ from the total")
                continue
            if total == 0:  # listed with nobody deployed: no observation, as elsewhere
                report.skip(row.origin, "no personnel")
                continue
            observations.append(
                Observation(
                    iso3, date[:7], None, "all-uniformed", women, total, source, row.origin, date
                )
            )
            report.kept[row.origin.file] += 1
    return observations


def read_parity_targets(
    data_dir: Path,
    errors: ErrorCollector,
    report: ImportReport,
    name: str = TARGETS_FILE,
    dataset: str = "un-gender-parity-targets",
) -> list[ParityTarget]:
    """Read targets of the UN Uniformed Gender Parity Strategy: the 2028 ones, or a year's."""
    path = data_dir / name
    if dataset != "un-gender-parity-targets" and not path.exists():
        return []
    targets = []
    for row in read_csv(
        path,
        data_dir,
        errors,
        ["category", "year", "target_share_women", "source_url", "note"],
        ("category", "year"),  # one target per category and year
    ):
        report.read[row.origin.file] += 1
        category = row.choice("category", TARGET_CATEGORIES, required=True)
        year, share = (
            row.year("year", required=True),
            row.decimal("target_share_women", required=True),
        )
        source = row.iri("source_url", required=True)
        if None in (category, year, share, source):
            continue
        if not 0 <= float(share) <= 1:
            errors.add(
                row.origin, "target_share_women", f"expected a share from 0 to 1, got {share}"
            )
            continue
        note = "; ".join(x for x in (row.text("quote_summary"), row.text("note")) if x)
        targets.append(
            ParityTarget(
                TARGET_CATEGORIES[category], year, share, source, note or None, row.origin, dataset
            )
        )
        report.kept[row.origin.file] += 1
    return targets


def read_dpo_rows(
    data_dir: Path, source: str, errors: ErrorCollector, report: ImportReport
) -> DpoRows:
    """Read the CSV that `nap-graph import-dpo` wrote from the UN DPO monthly reports.

    The import has checked every printed sum; this reader checks each row again, since
    the CSV is also a file that curators may edit, and sorts the rows by dataset.
    """
    rows = DpoRows([], [], [])
    path = data_dir / DPO_FILE
    if not path.exists():
        return rows
    columns = ["month", "report_date", "iso3", "mission", "personnel_type"]
    columns += ["female", "male", "total", "flag"]
    for row in read_csv(path, data_dir, errors, columns):
        report.read[row.origin.file] += 1
        month = row.text("month", required=True)
        if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            errors.add(row.origin, "month", f"expected a month as YYYY-MM, got {month!r}")
            month = None
        date = row.date("report_date", required=True)
        iso3 = row.code("iso3", ISO3, ISO3_TEXT)
        mission = row.code("mission", ACRONYM, ACRONYM_TEXT, required=False)
        category = row.choice("personnel_type", ODP_CATEGORIES, required=True)
        women, men = row.integer("female"), row.integer("male")
        total = row.integer("total", required=True)
        flag = row.choice("flag", DPO_FLAGS)
        if None in (month, date, iso3, category, total):
            continue
        if (women is None) != (men is None):
            errors.add(row.origin, "female", "women and men are both given or both left empty")
            continue
        if women is not None and women + men != total:
            errors.add(
                row.origin, "total", f"women {women} + men {men} differ from the total {total}"
            )
            continue
        if total == 0:
            report.skip(row.origin, "no personnel (a 0/0/0 row)")
            continue
        category = ODP_CATEGORIES[category]
        if women is None:
            rows.headcounts.append(Headcount(iso3, month, category, total, source, row.origin))
            report.note(row.origin, "no gender in this report: published as a headcount only")
        else:
            o = Observation(
                iso3, month, mission, category, women, total, source, row.origin, date, flag or ""
            )
            (rows.by_mission if mission else rows.by_country).append(o)
            if flag:
                report.note(row.origin, f"published with the status {flag}")
        report.kept[row.origin.file] += 1
    return rows


def merge_by_month(
    sources: list[tuple[str, list[Observation]]], report: ImportReport, errors: ErrorCollector
) -> tuple[list[Observation], dict[str, list[str]]]:
    """Merge sources that cover overlapping months, the first source winning each month.

    Whole months are taken from one source so that the categories of one month are never
    mixed between sources. The rows of the other sources for that month are skipped, and
    the report says whether their values agree with the chosen source's. Within a source,
    a later report of a month replaces an earlier one and a repeated row is skipped; two
    different reports of the same date are an error, since nothing says which is right.
    """
    owner: dict[str, str] = {}
    for source, observations in sources:
        for month in sorted({o.month for o in observations}):
            owner.setdefault(month, source)
    chosen: dict[tuple, Observation] = {}
    for source, observations in sources:
        for o in observations:
            if owner[o.month] != source:
                continue
            key = (o.iso3, o.month, o.mission, o.category)
            previous = chosen.get(key)
            if previous is None:
                chosen[key] = o
            elif o.date != previous.date:
                later, earlier = (o, previous) if o.date > previous.date else (previous, o)
                chosen[key] = later
                report.skip(
                    earlier.origin,
                    "an earlier report of the same month was replaced by a later one",
                )
            elif (previous.women, previous.total) == (o.women, o.total):
                report.skip(o.origin, "the same observation again")
            else:
                errors.add(
                    o.origin,
                    None,
                    f"a second, different report of {o.category} for {o.iso3} in {o.mission or 'all missions'}, "
                    f"{o.date} (the first is at {previous.origin})",
                )
    for source, observations in sources:
        for o in observations:
            if owner[o.month] == source:
                continue
            kept = chosen.get((o.iso3, o.month, o.mission, o.category))
            if kept is not None and (kept.women, kept.total) == (o.women, o.total):
                reason = f"month {o.month} is taken from {owner[o.month]}, which agrees"
            else:
                reason = f"month {o.month} is taken from {owner[o.month]}, which differs here"
            report.skip(o.origin, re.sub(r"month \d{4}-\d{2}", "month", reason))
    months = defaultdict(list)
    for month, source in sorted(owner.items()):
        months[source].append(month)
    merged = sorted(chosen.values(), key=lambda o: (o.iso3, o.month, o.mission or "", o.category))
    return merged, dict(months)


def unique_keys(observations: list[Observation], errors: ErrorCollector) -> list[Observation]:
    """Return the observations sorted, with an error for two that share a key (IC-12)."""
    seen: dict[tuple, Observation] = {}
    for o in observations:
        key = (o.iso3, o.month, o.mission, o.category)
        if key in seen:
            errors.add(
                o.origin,
                None,
                f"a second observation of {o.category} for {o.iso3} in {o.month} "
                f"(the first is at {seen[key].origin})",
            )
        else:
            seen[key] = o
    return sorted(seen.values(), key=lambda o: (o.iso3, o.month, o.mission or "", o.category))
