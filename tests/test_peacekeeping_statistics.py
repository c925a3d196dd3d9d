"""The statistics issue's checks, over the graph built from all the data on hand.

The graph's sums are compared with the importer's CSV, with the grand totals the reports
print, with the UN's open-data country totals, and with the figures of the reference parse
that the source folder's SOURCE.md records.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from helpers import select

from nap_graph.build import PROJECT_ROOT
from nap_graph.sources.dpo_import import FILES_FILE, ROWS_FILE
from nap_graph.sources.peacekeeping import ODP_CATEGORIES

pytestmark = pytest.mark.full

DPO = "<https://w3id.org/nap-graph/id/source/un-dpo-monthly-reports>"
DATASET = "https://w3id.org/nap-graph/id/dataset/"


def read(name: str) -> list[dict]:
    with (PROJECT_ROOT / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graph_sums(full_build) -> dict[tuple, list[int]]:
    """(month, country, category) -> [women, personnel] of the DPO's observations."""
    rows = select(
        full_build,
        f"""SELECT ?month ?iso ?category (SUM(?w) AS ?women) (SUM(?t) AS ?total) WHERE {{
            ?o wps:dataSource {DPO} ; wps:refMonth ?month ; wps:contributor/wps:iso3166Alpha3 ?iso ;
               wps:personnelCategory/skos:notation ?category ; wps:womenCount ?w ; wps:personnelCount ?t .
        }} GROUP BY ?month ?iso ?category""",
    )
    return {(m, iso, c): [int(w), int(t)] for m, iso, c, w, t in rows}


def test_the_graph_sums_equal_the_imported_rows_for_every_country_and_category(graph_sums):
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in read(ROWS_FILE):
        if row["female"] and int(row["total"]):
            key = (row["month"], row["iso3"], ODP_CATEGORIES[row["personnel_type"]])
            expected[key][0] += int(row["female"])
            expected[key][1] += int(row["total"])
    assert graph_sums == dict(expected)
    # The reference parse of SOURCE.md: 108,339 rows, of which 4,067 are 0/0/0, and 51 more
    # zero rows in 2015-05 that repeat a printed row.
    rows = [r for r in read(ROWS_FILE) if r["female"]]
    assert len(rows) == 108_339 - 51
    assert sum(1 for r in rows if r["total"] == "0") == 4_067 - 51
    assert len({key[0] for key in graph_sums}) == 121  # every month on hand with gender


def test_each_months_totals_equal_the_grand_totals_printed(graph_sums, full_build):
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (month, _, _), (women, total) in graph_sums.items():
        months[month][0] += women
        months[month][1] += total
    headcounts = select(
        full_build,
        f"""SELECT ?month (SUM(?t) AS ?total) WHERE {{ ?o wps:dataSource {DPO} ;
            qb:dataSet <{DATASET}headcounts-by-country> ; wps:refMonth ?month ; wps:personnelCount ?t }}
            GROUP BY ?month""",
    )
    assert [m for m, _ in headcounts] == ["2023-09"]
    compared = 0
    for f in read(FILES_FILE):
        if f["status"] != "imported" or not f["grand_all"]:
            continue
        month = f["report_date"][:7]
        if month == "2023-09":
            assert int(headcounts[0][1]) == int(f["grand_all"])
        else:
            assert months[month][1] == int(f["grand_all"]), month
            if f["grand_women"]:
                assert months[month][0] == int(f["grand_women"]), month
        compared += 1
    assert compared >= 90
    # The two reports that print no total, against the sums the reference parse recorded.
    assert months["2019-09"][1] == 85_676
    assert months["2024-10"][1] == 61_247


def test_norway_in_may_2020(graph_sums):
    norway = {
        c: tuple(v) for (m, iso, c), v in graph_sums.items() if (m, iso) == ("2020-05", "NOR")
    }
    police = [norway.pop("individual-police"), norway.pop("formed-police-units", (0, 0))]
    assert norway == {"troops": (2, 15), "staff-officers": (4, 23), "experts-on-mission": (1, 11)}
    assert tuple(map(sum, zip(*police, strict=True))) == (9, 22)


def test_the_reports_agree_with_the_uns_country_totals_in_each_month_of_both(
    graph_sums, full_build
):
    ranks = select(
        full_build,
        """SELECT ?month ?iso ?w ?t WHERE { ?o qb:dataSet ?d ; wps:personnelCategory wps:AllUniformedPersonnel ;
            wps:refMonth ?month ; wps:contributor/wps:iso3166Alpha3 ?iso ; wps:womenCount ?w ;
            wps:personnelCount ?t ;
            wps:dataSource <https://w3id.org/nap-graph/id/source/un-odp-contribution-ranks> }""",
    )
    both: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (month, iso, _), (women, total) in graph_sums.items():
        if month in ("2020-12", "2021-01", "2022-01"):
            both[(month, iso)][0] += women
            both[(month, iso)][1] += total
    kept = {(m, iso): [int(w), int(t)] for m, iso, w, t in ranks if int(t)}
    assert kept == dict(both)
    assert sum(1 for m, _ in kept if m == "2021-01") == 122
    totals = {m: [0, 0] for m in ("2020-12", "2021-01", "2022-01")}
    for (m, _), (women, total) in kept.items():
        totals[m][0] += women
        totals[m][1] += total
    assert totals == {
        "2020-12": [5_795, 81_832],
        "2021-01": [5_763, 81_932],
        "2022-01": [5_831, 75_252],
    }


def test_months_without_missions_are_observations_by_country(full_build):
    rows = select(
        full_build,
        f"""SELECT ?d (MIN(STR(?m)) AS ?first) (MAX(STR(?m)) AS ?last) (COUNT(*) AS ?n) WHERE {{
            ?o wps:dataSource {DPO} ; qb:dataSet ?d ; wps:refMonth ?m }} GROUP BY ?d ORDER BY ?d""",
    )
    found = {d.rsplit("/", 1)[1]: (first, last, int(n)) for d, first, last, n in rows}
    assert found["contributions-by-country"][:2] == ("2018-03", "2019-08")
    assert found["contributions-by-mission"][:2] == ("2015-01", "2025-07")
    missions = select(
        full_build,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?o wps:dataSource {DPO} ; wps:mission ?x ; wps:refMonth ?m .
            FILTER (STR(?m) >= "2018-03" && STR(?m) <= "2019-08") }}""",
    )
    assert missions == [("0",)]


def test_one_series_per_country_category_and_mission_from_2009_to_2025(full_build):
    rows = select(
        full_build,
        """SELECT (MIN(STR(?m)) AS ?first) (MAX(STR(?m)) AS ?last) (COUNT(DISTINCT ?m) AS ?months) WHERE {
            ?o qb:dataSet <https://w3id.org/nap-graph/id/dataset/contributions-by-mission> ;
               wps:contributor country:NOR ; wps:mission ?mission ; wps:refMonth ?m }""",
    )
    assert rows == [("2009-11", "2025-07", str(58 + 121 - 18))]


def test_flags_are_data_cube_attributes_where_the_reports_are_doubtful(full_build):
    rows = select(
        full_build,
        """SELECT ?status (MIN(STR(?m)) AS ?first) (MAX(STR(?m)) AS ?last) (COUNT(*) AS ?n) WHERE {
            ?o wps:observationStatus ?status ; wps:refMonth ?m } GROUP BY ?status ORDER BY ?status""",
    )
    flagged = {s.rsplit("#", 1)[1]: (first, last, int(n)) for s, first, last, n in rows}
    august = select(
        full_build,
        """SELECT (COUNT(*) AS ?n) WHERE { ?o wps:refMonth "2020-08"^^xsd:gYearMonth ; wps:womenCount ?w }""",
    )
    assert flagged["GenderSplitUnreliable"] == ("2020-08", "2020-08", int(august[0][0]))
    assert flagged["PrintedAsIs"] == ("2015-08", "2016-05", 4)
    morocco = select(
        full_build,
        """SELECT ?w ?t WHERE { ?o wps:contributor country:MAR ; wps:refMonth "2016-01"^^xsd:gYearMonth ;
            wps:mission <https://w3id.org/nap-graph/id/mission/UNOCI> ; wps:personnelCategory wps:Troops ;
            wps:womenCount ?w ; wps:personnelCount ?t ; wps:observationStatus wps:PrintedAsIs }""",
    )
    assert morocco == [("718", "718")]  # as printed, and flagged


def test_the_targets_of_one_year_join_the_2028_ones(full_build):
    rows = select(
        full_build,
        """SELECT ?c ?y ?share ?source WHERE { ?o qb:dataSet <https://w3id.org/nap-graph/id/dataset/parity-targets> ;
            wps:personnelCategory/skos:notation ?c ; wps:targetYear ?y ; wps:targetShareOfWomen ?share ;
            wps:dataSource ?source } ORDER BY ?c ?y""",
    )
    years = {(c, y, float(s)) for c, y, s, _ in rows}
    assert {
        ("troops", "2021", 0.08),
        ("staff-officers-and-military-observers", "2021", 0.18),
        ("formed-police-units", "2022", 0.12),
        ("troops", "2028", 0.15),
    } <= years
    assert len(rows) == 7
    assert {s.rsplit("/", 1)[1] for *_, s in rows} == {
        "un-gender-parity-targets",
        "un-ugps-yearly-targets",
    }


def test_the_uns_figures_are_not_offered_under_cc_by(full_build):
    rows = select(
        full_build,
        f"""SELECT ?licence ?rights WHERE {{ {DPO} dcterms:rights/rdfs:label ?rights .
            OPTIONAL {{ {DPO} dcterms:license ?licence }} }}""",
    )
    ((licence, rights),) = rows
    assert licence is None
    assert "No licence stated" in rights and "not offered under CC BY" in rights
