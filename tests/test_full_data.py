"""What the knowledge-graph issue checks over the dump of all the data on hand, by SPARQL."""

from __future__ import annotations

import pytest
from helpers import select

pytestmark = pytest.mark.full


def test_norway_plans_editions_periods_and_adoption(full_build):
    rows = select(
        full_build,
        """
        SELECT ?edition ?adopted ?start ?end WHERE {
            ?plan a wps:NationalActionPlan ; wps:country country:NOR ; wps:edition ?edition .
            OPTIONAL { ?plan wps:adoptedYear ?adopted } OPTIONAL { ?plan wps:startYear ?start }
            OPTIONAL { ?plan wps:endYear ?end }
        } ORDER BY ?edition""",
    )
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0][1] == "2006"  # first launched 2006
    assert [(r[2], r[3]) for r in rows[1:]] == [
        ("2011", "2013"),
        ("2015", "2018"),
        ("2019", "2022"),
        ("2023", "2030"),
    ]
    succession = select(full_build, "SELECT ?p WHERE { plan:NOR\\/5 wps:succeeds+ ?p }")
    assert len(succession) == 4


def test_norway_fourth_plan_focus_areas_in_order_with_the_seed_titles(full_build):
    rows = select(
        full_build,
        """
        SELECT ?position ?title ?description WHERE {
            plan:NOR\\/4 wps:focusArea ?area .
            ?area wps:position ?position ; dcterms:title ?title ; dcterms:description ?description .
        } ORDER BY ?position""",
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("1", "Peace and reconciliation processes"),
        ("2", "Implementation of peace agreements"),
        ("3", "Operations and missions"),
        ("4", "Humanitarian efforts"),
        ("5", "Sustaining Peace"),
    ]
    assert rows[0][2].startswith("Create a space for women to enter, remain and contribute")


def test_norway_police_nine_women_of_twenty_two(full_build):
    rows = select(
        full_build,
        """
        SELECT ?category ?women ?total WHERE {
            ?o a qb:Observation ; wps:contributor country:NOR ; wps:statedIn ?page ;
               wps:personnelCategory ?c ; wps:womenCount ?women ; wps:personnelCount ?total .
            ?c skos:notation ?category .
        } ORDER BY ?category""",
    )
    assert rows == [
        ("experts-on-mission", "1", "11"),
        ("police", "9", "22"),
        ("staff-officers", "4", "23"),
        ("troops", "2", "8"),
    ]


def test_norway_fourth_plan_themes_scope_and_context(full_build):
    themes = select(
        full_build, "SELECT ?n WHERE { plan:NOR\\/4 wps:theme/skos:notation ?n } ORDER BY ?n"
    )
    assert themes == [("climate-security",), ("violent-extremism",)]
    scopes = select(
        full_build, "SELECT ?n WHERE { plan:NOR\\/4 wps:scope/skos:notation ?n } ORDER BY ?n"
    )
    assert scopes == [("domestic",), ("international",)]
    context = select(
        full_build, "SELECT ?text WHERE { ?c wps:plan plan:NOR\\/4 ; rdf:value ?text }"
    )
    assert context[0][0].startswith("Norway does not have a recent history of conflict")


def test_disputed_plan_of_another_country_keeps_both_claims_with_sources(full_build):
    rows = select(
        full_build,
        """
        SELECT ?start ?end ?source WHERE {
            plan:NLD\\/1 wps:claim ?claim .
            ?claim wps:statedStartYear ?start ; wps:statedEndYear ?end ; dcterms:source ?source .
        } ORDER BY ?start ?source""",
    )
    periods = {(r[0], r[1]) for r in rows}
    assert periods == {("2007", "2011"), ("2008", "2011")}
    assert (
        "2007",
        "2011",
        "https://securitywomen.org/unscr-1325-and-national-action-plans-nap/netherlands",
    ) in rows
    chosen = select(
        full_build,
        """
        SELECT ?start ?method WHERE { plan:NLD\\/1 wps:startYear ?start ; wps:reconciliation ?r .
            ?r wps:onProperty wps:startYear ; wps:method/skos:notation ?method }""",
    )
    assert chosen == [("2008", "majority-of-sources")]


def test_every_row_of_the_nap_facts_is_kept_as_a_claim(full_build):
    """Each row of both harvests and of the curators' claims is one claim, but for the rows
    that repeat another's source and values, which the import report counts."""
    import csv

    from nap_graph.build import PROJECT_ROOT

    def count(path):
        with path.open(encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))

    data = PROJECT_ROOT / "data"
    plan_rows = sum(count(data / h / "plans.csv") for h in ("nap-facts", "nap-facts-update"))
    plan_rows += count(data / "curated" / "plan_claims.csv")
    focus_rows = sum(count(data / h / "focus_areas.csv") for h in ("nap-facts", "nap-facts-update"))
    focus_rows += count(data / "curated" / "focus_areas.csv")
    repeated = sum(
        n
        for (_, reason), n in full_build.imports.skipped.items()
        if reason.startswith("the same claim")
    )

    def claims(cls):
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a wps:{cls} }}"
        return int(select(full_build, query)[0][0])

    coverage = count(data / "curated" / "research_coverage.csv")
    assert claims("PlanClaim") + claims("StatusClaim") == plan_rows - repeated + coverage
    assert claims("FocusAreaClaim") == focus_rows
    assert claims("ExtensionClaim") == count(data / "curated" / "extensions.csv")
    assert repeated < 10  # the update harvest dropped the rows repeating nap-facts exactly


def test_statistics_of_the_sources_tables(full_build):
    """Figures that the sources' SOURCE.md tables give, summed from the observations."""

    def month(m):
        rows = select(
            full_build,
            f"""
            SELECT ?n (SUM(?w) AS ?women) (SUM(?t) AS ?total) WHERE {{
                ?o wps:contributor country:NOR ; wps:refMonth "{m}"^^xsd:gYearMonth ; wps:mission ?mission ;
                   wps:personnelCategory/skos:notation ?n ; wps:womenCount ?w ; wps:personnelCount ?t .
            }} GROUP BY ?n""",
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    assert month("2009-11")["troops"] == (42, 181)
    assert month("2012-06")["experts-on-mission"] == (3, 24)
    assert month("2014-08")["troops"] == (3, 32)
    ranks = select(
        full_build,
        """SELECT ?w ?t WHERE { ?o wps:contributor country:NOR ;
        wps:refMonth "2022-01"^^xsd:gYearMonth ; wps:personnelCategory wps:AllUniformedPersonnel ;
        wps:womenCount ?w ; wps:personnelCount ?t }""",
    )
    assert ranks == [("10", "62")]


def test_gyearmonth_range_filter(full_build):
    """The FILTER over an xsd:gYearMonth range that rdflib 7.6 answers with no rows."""
    rows = select(
        full_build,
        """SELECT (COUNT(*) AS ?n) WHERE { ?o wps:refMonth ?m .
        FILTER (?m >= "2014-03"^^xsd:gYearMonth && ?m <= "2014-08"^^xsd:gYearMonth) }""",
    )
    assert int(rows[0][0]) > 3000


def test_the_full_build_conforms_and_is_about_half_a_million_triples(full_build):
    assert full_build.report.conforms
    assert full_build.triple_count > 400_000


@pytest.mark.live
def test_iris_of_the_full_dump_dereference(full_build, tmp_path):
    """A seeded sample of every kind of IRI in the full dump, as a page and as Turtle."""
    import random

    import requests
    from helpers import LiveServer
    from rdflib import Graph

    out = full_build.settings.out_dir
    subjects = sorted(
        {
            q.subject.value
            for q in full_build.store.quads_for_pattern(None, None, None, None)
            if q.subject.value.startswith("https://w3id.org/nap-graph/id/")
        }
    )
    by_kind = {}
    for iri in subjects:
        by_kind.setdefault(iri.split("/id/", 1)[1].split("/", 1)[0], []).append(iri)
    rng = random.Random(1325)
    sample = [iri for iris in by_kind.values() for iri in rng.sample(iris, min(40, len(iris)))]
    server = LiveServer(
        ["--out", str(out)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache")},
        tmp_path / "server.log",
    )
    try:
        for iri in sample:
            path = server.url + "/" + iri.split("https://w3id.org/nap-graph/", 1)[1]
            page = requests.get(path, headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 200, iri
            data = requests.get(path, headers={"Accept": "text/turtle"}, timeout=30)
            assert data.status_code == 200, iri
            assert len(Graph().parse(data=data.text, format="turtle")) > 0, iri
    finally:
        server.stop()
    assert {"country", "plan", "observation", "mission", "region", "source", "dataset"} <= set(
        by_kind
    )
