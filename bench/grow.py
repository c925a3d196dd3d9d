"""Grow the peacekeeping statistics to a target size, deterministically, for benchmarks.

This writes a copy of data/ with an `odp_contributionsbygender.csv` of synthetic months after
the last real one (after July 2025 for the data on hand), in the UN file's own layout, so that
the real importer reads it and no real month is replaced. Each synthetic month repeats
the country x mission x category pattern of August 2014, the last real month, with counts
drawn around the real ones from a seeded generator; beyond 100 months it adds synthetic
missions (UNMISS-S01, ...). The numbers are made up: they serve to measure, never to publish.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from nap_graph.sources.peacekeeping import DPO_FILE, IPI_DIR, JSON_CATEGORIES, ODP_DIR

TRIPLES_PER_OBSERVATION = 9
MAX_MONTHS = 100
ODP_TYPES = {
    "troops": "Troops",
    "experts-on-mission": "Experts on Mission",
    "individual-police": "Individual Police",
    "formed-police-units": "Formed Police Units",
}
HEADER = [
    "Contribution_ID",
    "ISOCode3",
    "M49_Code",
    "Contributing_Country",
    "Mission_Acronym",
    "Personnel_Type",
    "Female_Personnel",
    "Male_Personnel",
    "Last_Reporting_Date",
]


def base_pattern(data_dir: Path) -> list[tuple[str, str, str, int, int]]:
    """Return (iso3, mission, category, women, total) of the last real month, August 2014."""
    items = json.loads((data_dir / IPI_DIR / "PPP_Loader_update_archive_20140831.json").read_text())
    rows = []
    for item in items:
        if item.get("mission") == "all" or item.get("tcc_country_id") == "all":
            continue
        for key, category in JSON_CATEGORIES.items():
            if item.get(key):
                rows.append(
                    (item["tcc_country_id"], item["mission"], category, item[f"{key}_f"], item[key])
                )
    return sorted(rows)


def first_synthetic_month(data_dir: Path) -> tuple[int, int]:
    """The month after the last real one: of the DPO reports' CSV, else of the IPI archives."""
    last = "2014-08"
    if (data_dir / DPO_FILE).exists():
        with (data_dir / DPO_FILE).open(encoding="utf-8", newline="") as handle:
            last = max([last, *(row["month"] for row in csv.DictReader(handle))])
    year, month = int(last[:4]), int(last[5:7])
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_ends(count: int, start: tuple[int, int] = (2014, 9)) -> list[date]:
    """Return the last days of `count` months from `start` (year, month)."""
    ends, (year, month) = [], start
    for _ in range(count):
        first_of_next = date(year + month // 12, month % 12 + 1, 1)
        ends.append(first_of_next - timedelta(days=1))
        year, month = year + month // 12, month % 12 + 1
    return ends


def synthetic_rows(pattern, months: int, copies: int, seed: int, start=(2014, 9)):
    rng = random.Random(seed)
    serial = 0
    for end in month_ends(months, start):
        stamp = end.strftime("%d-%b-%y")
        for copy in range(copies):
            for iso3, mission, category, women, total in pattern:
                name = mission if copy == 0 else f"{mission}-S{copy:02d}"
                total_now = max(1, round(total * rng.uniform(0.8, 1.2)))
                women_now = min(
                    total_now, max(0, round(women * rng.uniform(0.7, 1.4) + rng.random()))
                )
                # A share of troops as staff officers, the category the IPI files lack.
                kind = ODP_TYPES[category]
                if category == "troops" and rng.random() < 0.15:
                    kind = "Staff Officer"
                serial += 1
                yield [serial, iso3, "", "", name, kind, women_now, total_now - women_now, stamp]


def grow(data_dir: Path, target: Path, triples: int, real_triples: int, seed: int = 1325) -> dict:
    """Copy data_dir to target and add synthetic months until about `triples` triples."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(data_dir, target, ignore=shutil.ignore_patterns("*.pdf"))
    pattern = base_pattern(data_dir)
    missing = max(0, triples - real_triples) // TRIPLES_PER_OBSERVATION
    per_month = len(pattern)
    months = min(MAX_MONTHS, -(-missing // per_month)) if missing else 0
    copies = max(1, -(-missing // (per_month * MAX_MONTHS))) if missing else 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    written = 0
    for row in synthetic_rows(pattern, months, copies, seed, first_synthetic_month(data_dir)):
        if written >= missing:
            break
        writer.writerow(row)
        written += 1
    folder = target / ODP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "odp_contributionsbygender.csv").write_text(
        "\ufeff" + buffer.getvalue(), encoding="utf-8"
    )
    return {"synthetic_observations": written, "months": months, "mission_copies": copies}
