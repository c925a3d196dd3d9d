"""Regenerate tests/data/sources/: a small copy of data/ made of real rows.

Run from the project root: python tests/data/make_sources.py. The rows are copied byte for
byte (BOM, CRLF, NA and apostrophes included), so the importers meet the quirks they meet in
data/. The golden graphs tests/expected/ISO3.ttl must be reviewed and regenerated after.
"""

import csv
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
OUT = ROOT / "tests" / "data" / "sources"
COUNTRIES = {"NOR", "NLD", "COD", "USA", "SWE", "GBR", "FJI", "NGA", "LTU", "CHE", "GHA", "CMR"}
# From the update harvest and the curators' newer files: an extension (POL), a conflict kept
# only in a note (TUN), a plan stated without years (MRT), a plan only in development (KHM),
# no plan (THA) and a search that found none (URY).
COUNTRIES |= {"POL", "TUN", "MRT", "KHM", "THA", "URY"}


def copy_rows(name: str, keep) -> None:
    """Copy the header and the kept lines of a CSV file, bytes unchanged."""
    source, target = DATA / name, OUT / name
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = source.read_bytes().splitlines(keepends=True)
    target.write_bytes(
        b"".join([lines[0]] + [line for line in lines[1:] if keep(line.decode("utf-8-sig"))])
    )


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    shutil.copyfile(DATA / "sources.csv", OUT / "sources.csv")
    (OUT / "reference").mkdir()
    for name in ("countries.csv", "country_aliases.csv"):
        shutil.copyfile(DATA / "reference" / name, OUT / "reference" / name)
    for harvest in ("nap-facts", "nap-facts-update"):
        for name in ("plans.csv", "focus_areas.csv", "peacekeeping.csv"):
            column = 1 if name == "plans.csv" else 0
            copy_rows(
                f"{harvest}/{name}",
                lambda line, c=column: next(csv.reader([line]))[c] in COUNTRIES,
            )
    copy_rows("curated/plan_claims.csv", lambda line: next(csv.reader([line]))[1] in COUNTRIES)
    for name in (
        "plan_attributes.csv",
        "plan_assignments.csv",
        "decisions.csv",
        "focus_areas.csv",
        "contexts.csv",
        "stated_statuses.csv",
        "extensions.csv",
        "research_coverage.csv",
    ):
        copy_rows(f"curated/{name}", lambda line: line[:3] in COUNTRIES)
    for name in ("source_organisations.csv", "theme_rules.csv"):
        shutil.copyfile(DATA / "curated" / name, OUT / "curated" / name)
    # The rows that tests add to break the data cite example.org.
    with (OUT / "curated" / "source_organisations.csv").open("a") as organisations:
        organisations.write("example.org,example.org,the host of the rows that tests add\n")
    ipi = "peacekeeping/ipi-gender-by-category"
    # Norway and Albania in two months of the scraper file.
    copy_rows(
        f"{ipi}/TCC-DataScraper_Gender.Full.csv",
        lambda line: (
            any(f'"{c}"' in line for c in ("NOR", "ALB"))
            and ("2013-12-31" in line or "2014-02-28" in line)
        ),
    )
    # The loader file: grand totals and Norway, in a month the scraper has and in March 2014,
    # whose rows carry the stray apostrophes; and Egypt's rows whose women + men break the total.
    copy_rows(
        f"{ipi}/PPP_Loader_full_gender_data.csv",
        lambda line: (
            line.split(",")[0] in ("2014-02-28", "2014-03-31")
            and line.split(",")[2].rstrip("'") in ("NOR", "all")
            or line.startswith("2009-11-30,Egypt,EGY,UNMIS,")
        ),
    )
    for month in ("20140331", "20140831"):
        name = f"{ipi}/PPP_Loader_update_archive_{month}.json"
        items = json.loads((DATA / name).read_text())
        kept = [i for i in items if i.get("tcc_country_id") in ("NOR", "all")]
        (OUT / name).write_text(json.dumps(kept, indent=4))
    ranks = "peacekeeping/un-odp-contribution-ranks"
    for month in ("2020-12-31", "2022-01-31"):
        copy_rows(
            f"{ranks}/odp_contributionranks_{month}.csv",
            lambda line: line[:3] in ("NOR", "BGD", "GHA") or not line.strip(),
        )
    for folder, name in (
        ("un-gender-parity-targets", "targets.csv"),
        ("un-ugps-yearly-targets", "targets_by_year.csv"),
    ):
        (OUT / "peacekeeping" / folder).mkdir(parents=True)
        shutil.copyfile(DATA / "peacekeeping" / folder / name, OUT / "peacekeeping" / folder / name)
    # The DPO import's rows: Norway, Ghana and Bangladesh in months that show each case (a
    # flagged police unit, a month without missions, the Norway check of May 2020, a month
    # whose gender split is flagged, a month of the UN's country totals, a month without
    # gender, the latest), and Morocco's contingent printed as women.
    dpo = "peacekeeping/un-dpo-monthly-gender-pdfs/contributions.csv"
    months = ("2015-08", "2018-03", "2020-05", "2020-08", "2020-12", "2023-09", "2025-07")
    copy_rows(
        dpo,
        lambda line: (
            line[:7] in months
            and line[19:22] in ("NOR", "GHA", "BGD")
            or line.startswith("2016-01,2016-01-31,MAR,")
        ),
    )


if __name__ == "__main__":
    main()
