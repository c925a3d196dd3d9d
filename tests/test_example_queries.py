"""The example queries of the query editor (server/examples/*.rq).

Each example is run through the real server over HTTP (SPARQLWrapper) on a build of all the
data on hand, and its whole answer is compared with the same answer worked out in plain Python
from the published files: the N-Triples dump walked with rdflib (no SPARQL) and the statistics
tables. Where the sources state a fact (Norway's fourth plan was in force in 2021, its police
contribution was 9 women of 22), the answer is checked against it too.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import TIMEOUT
from rdflib import RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from server.examples import Example, example_queries, read_example

WPS = Namespace("https://w3id.org/nap-graph/def/wps#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
QB = Namespace("http://purl.org/linked-data/cube#")
ID = "https://w3id.org/nap-graph/id/"
BY_MISSION = "<https://w3id.org/nap-graph/id/observation/contributions-by-mission/"

EXAMPLES = example_queries()

Row = dict[str, str | None]


# ---------------------------------------------------------------- the examples as files


def test_there_are_at_least_ten_examples_with_title_and_description():
    assert len(EXAMPLES) >= 10
    assert [e.name for e in EXAMPLES] == sorted(e.name for e in EXAMPLES)
    assert [e.name[:2] for e in EXAMPLES] == [f"{n:02d}" for n in range(1, len(EXAMPLES) + 1)]
    assert len({e.title for e in EXAMPLES}) == len(EXAMPLES)
    for example in EXAMPLES:
        assert example.title and example.description, example.name
        assert "\n" not in example.title + example.description, example.name
        assert example.query.lstrip().startswith("PREFIX"), example.name
        assert "ORDER BY" in example.query, example.name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_parses(example: Example):
    ox.Store().query(example.query)  # Oxigraph, the server's engine: raises SyntaxError
    prepareQuery(example.query)  # rdflib, another SPARQL 1.1 parser


def test_a_malformed_header_names_the_file(tmp_path):
    good = "# title: T\n# description: D\n\nSELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n"
    (tmp_path / "01-good.rq").write_text(good)
    assert example_queries(tmp_path) == [
        Example("01-good", "T", "D", "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n")
    ]
    for text in (
        "# titel: T\n# description: D\n\nSELECT * {}\n",
        "# title: T\n\nSELECT * {}\n",
        "# title: T\n# description: \n\nSELECT * {}\n",
        "# title: T\n# description: D\nSELECT * {}\n",
        "# title: T\n# description: D\n\n\n",
    ):
        bad = tmp_path / "02-bad.rq"
        bad.write_text(text)
        with pytest.raises(ValueError, match="02-bad.rq"):
            read_example(bad)
        with pytest.raises(ValueError, match="02-bad.rq"):
            example_queries(tmp_path)


# ---------------------------------------------------------------- the server and the dump


@dataclass
class Answer:
    rows: list[Row]
    truncated: bool


@pytest.fixture(scope="module")
def answers(full_server):
    """Ask the server each example once, over HTTP with SPARQLWrapper, and keep the answers."""
    cache: dict[str, Answer] = {}

    def ask(example: Example) -> Answer:
        if example.name not in cache:
            client = SPARQLWrapper(full_server.url + "/sparql")
            client.setTimeout(TIMEOUT)
            client.setReturnFormat(JSON)
            client.setMethod(POST)
            client.setQuery(example.query)
            result = client.query()
            try:
                document = result.convert()
            finally:
                result.response.close()
            names = document["head"]["vars"]
            rows = [
                {n: b[n]["value"] if n in b else None for n in names}
                for b in document["results"]["bindings"]
            ]
            headers = result.info()  # lower-cased names
            assert "nap-graph-result-limit" in headers  # the server's limit applied to this answer
            truncated = headers.get("nap-graph-truncated") == "true"
            cache[example.name] = Answer(rows, truncated)
        return cache[example.name]

    return ask


@dataclass
class Dump:
    """The published files, read without SPARQL."""

    graph: Graph  # nap-graph.nt.gz but the 49,000 observations by mission
    by_mission: list[dict]  # statistics/contributions-by-mission.csv
    by_country: list[dict]  # statistics/contributions-by-country.csv

    def value(self, subject, predicate):
        return self.graph.value(subject, predicate)

    def label(self, node) -> str:
        label = self.value(node, SKOS.prefLabel) or self.value(node, RDFS.label)
        assert label is not None, node
        return str(label)

    def text(self, subject, predicate) -> str | None:
        value = self.value(subject, predicate)
        return None if value is None else str(value)

    def integer(self, subject, predicate) -> int | None:
        value = self.value(subject, predicate)
        return None if value is None else int(str(value))

    def country(self, iso3: str) -> URIRef:
        return URIRef(f"{ID}country/{iso3}")

    def plans(self, adopted_only: bool = False) -> list[URIRef]:
        plans = list(self.graph.subjects(RDF.type, WPS.NationalActionPlan))
        if adopted_only:
            plans = [p for p in plans if (p, WPS.status, WPS.InDevelopment) not in self.graph]
        return plans

    def in_force(self, plan, year: int) -> bool:
        """In force from its start to its last year in force, which counts an extension."""
        start = self.integer(plan, WPS.startYear)
        end = self.integer(plan, WPS.extendedEndYear) or self.integer(plan, WPS.endYear)
        return start is not None and end is not None and start <= year <= end

    def status(self, country) -> URIRef | None:
        return self.value(country, WPS.napStatus)

    def plan_years(self, plan) -> list[int]:
        """The years in which an adopted plan was adopted or began."""
        return [
            y for y in (self.integer(plan, WPS.adoptedYear), self.integer(plan, WPS.startYear)) if y
        ]

    def observations(self, dataset: str) -> list[URIRef]:
        return list(self.graph.subjects(QB.dataSet, URIRef(f"{ID}dataset/{dataset}")))


@pytest.fixture(scope="module")
def dump(full_build) -> Dump:
    out = full_build.settings.out_dir
    with gzip.open(out / "nap-graph.nt.gz", "rt", encoding="utf-8") as lines:
        kept = [line for line in lines if not line.startswith(BY_MISSION)]
    graph = Graph().parse(data="".join(kept), format="nt")
    return Dump(
        graph,
        read_csv(out / "statistics" / "contributions-by-mission.csv"),
        read_csv(out / "statistics" / "contributions-by-country.csv"),
    )


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- comparing answers


def s(value) -> str | None:
    """A value as the SPARQL JSON results give it: a string, or None when unbound."""
    return None if value is None else str(value)


def assert_table(rows: list[Row], columns: str, expected: list[tuple], shares: str = "") -> None:
    """The answer's rows, cut to `columns`, are `expected` in order; shares are within 0.0005."""
    names, share_names = columns.split(), shares.split()
    exact = [n for n in names if n not in share_names]
    assert [tuple(r[n] for n in exact) for r in rows] == [
        tuple(s(v) for n, v in zip(names, want, strict=True) if n not in share_names)
        for want in expected
    ]
    for row, want in zip(rows, expected, strict=True):
        for name, value in zip(names, want, strict=True):
            if name in share_names:
                assert row[name] is not None and abs(float(row[name]) - value) <= 0.0005 + 1e-9, (
                    row,
                    want,
                )


def uses(example_name: str, *texts: str) -> None:
    """The checks below follow the examples' parameters: fail plainly if an example changed them."""
    query = next(e.query for e in EXAMPLES if e.name == example_name)
    for text in texts:
        assert text in query, f"{example_name} no longer asks about {text}; update its check"


# ---------------------------------------------------------------- one check per example

NORWAY_PERIODS = [
    (1, 2006, 2011),
    (2, 2011, 2013),
    (3, 2015, 2018),
    (4, 2019, 2022),
    (5, 2023, 2030),
]


def check_plans_of_a_country(rows: list[Row], dump: Dump) -> None:
    uses("01-plans-of-a-country", "VALUES ?country { country:NOR }")
    norway = dump.country("NOR")
    plans = [p for p in dump.plans() if dump.value(p, WPS.country) == norway]
    plans.sort(
        key=lambda p: (
            str(dump.value(p, WPS.startYear) or dump.value(p, WPS.adoptedYear) or ""),
            dump.integer(p, WPS.edition) or 0,
        )
    )
    expected = [
        (
            dump.label(p),
            dump.integer(p, WPS.edition),
            dump.label(dump.value(p, WPS.status)),
            dump.integer(p, WPS.adoptedYear),
            dump.integer(p, WPS.startYear),
            dump.integer(p, WPS.endYear),
            dump.integer(p, WPS.extendedEndYear),
            dump.label(dump.value(p, WPS.succeeds)) if dump.value(p, WPS.succeeds) else None,
        )
        for p in plans
    ]
    assert_table(rows, "planLabel edition status adopted start end extendedTo replaces", expected)
    # The sources: five plans, the first launched in 2006, each replacing the one before.
    assert [(int(r["edition"]), int(r["start"]), int(r["end"])) for r in rows] == NORWAY_PERIODS
    assert rows[0]["adopted"] == "2006" and rows[0]["replaces"] is None
    assert all(r["replaces"] == p["planLabel"] for p, r in zip(rows, rows[1:], strict=False))
    assert {r["status"] for r in rows} == {"Adopted"}


def check_focus_areas_of_a_plan(rows: list[Row], dump: Dump) -> None:
    uses("02-focus-areas-of-a-plan", "plan/NOR/4>")
    plan = URIRef(f"{ID}plan/NOR/4")
    areas = sorted(
        dump.graph.objects(plan, WPS.focusArea), key=lambda a: dump.integer(a, WPS.position)
    )
    expected = [
        (
            dump.integer(a, WPS.position),
            dump.text(a, DCTERMS.title),
            dump.label(dump.value(a, WPS.pillar)) if dump.value(a, WPS.pillar) else None,
            dump.text(a, DCTERMS.description),
        )
        for a in areas
    ]
    assert_table(rows, "position title pillar description", expected)
    # The plan's five focus areas, as the seed page and the plan itself list them.
    assert [r["title"] for r in rows] == [
        "Peace and reconciliation processes",
        "Implementation of peace agreements",
        "Operations and missions",
        "Humanitarian efforts",
        "Sustaining Peace",
    ]
    assert rows[0]["description"].startswith("Create a space for women to enter")


def in_force_rows(dump: Dump, year: int, theme=None) -> list[tuple]:
    """(country, plan label, start, plan) of the adopted plans in force in a year."""
    plans = [
        p
        for p in dump.plans(adopted_only=True)
        if dump.in_force(p, year) and (theme is None or (p, WPS.theme, theme) in dump.graph)
    ]
    return sorted(
        (
            (
                dump.label(dump.value(p, WPS.country)),
                dump.label(p),
                dump.integer(p, WPS.startYear),
                p,
            )
            for p in plans
        ),
        key=lambda r: (r[0], r[2], r[1]),
    )


def check_plans_in_force_in_a_year(rows: list[Row], dump: Dump) -> None:
    uses("03-plans-in-force-in-a-year", "VALUES ?year { 2021 }")
    expected = [
        (country, label, start, dump.integer(p, WPS.lastYearInForce))
        for country, label, start, p in in_force_rows(dump, 2021)
    ]
    assert_table(rows, "countryLabel planLabel start lastInForce", expected)
    # The sources: in 2021 Norway's plan in force was its fourth, 2019-2022.
    norway = [r for r in rows if r["countryLabel"] == "Norway"]
    assert norway == [
        {
            "countryLabel": "Norway",
            "planLabel": "Norway, national action plan 4 (2019-2022)",
            "start": "2019",
            "lastInForce": "2022",
        }
    ]
    # An extension is part of the period, and its label says so: Poland's 2018-2021 plan was
    # extended to 2023.
    assert "Poland, national action plan 1 (2018-2021, extended to 2023)" in {
        r["planLabel"] for r in rows
    }


def check_climate_security_plans(rows: list[Row], dump: Dump) -> None:
    uses(
        "04-climate-security-plans",
        "VALUES ?year { 2021 }",
        "VALUES ?theme { wps:ClimateSecurity }",
    )
    theme = dump.label(WPS.ClimateSecurity)
    expected = set()
    for country, label, _, plan in in_force_rows(dump, 2021, WPS.ClimateSecurity):
        for claim in dump.graph.objects(plan, WPS.claim):
            if (claim, RDF.type, WPS.ThemeClaim) in dump.graph and dump.value(
                claim, WPS.statedTheme
            ) == WPS.ClimateSecurity:
                how = dump.label(dump.value(claim, WPS.method))
                expected.add((country, label, theme, how, dump.text(claim, WPS.matchedText)))
    expected = sorted(expected, key=lambda r: (r[0], r[1], r[3], r[4] or ""))
    assert_table(rows, "countryLabel planLabel themeLabel how words", expected)
    # The seed page: Norway's fourth plan takes in the security aspects of climate change.
    assert (
        "Norway",
        "Norway, national action plan 4 (2019-2022)",
        theme,
        "Recorded from a source",
    ) in [(r["countryLabel"], r["planLabel"], r["themeLabel"], r["how"]) for r in rows]


def check_plans_per_pillar(rows: list[Row], dump: Dump) -> None:
    plans, countries = defaultdict(set), defaultdict(set)
    pillars = list(dump.graph.subjects(SKOS.inScheme, WPS.PillarScheme))
    for area, pillar in dump.graph.subject_objects(WPS.pillar):
        plan = dump.value(area, WPS.isFocusAreaOf)
        plans[pillar].add(plan)
        countries[pillar].add(dump.value(plan, WPS.country))
    expected = sorted(
        ((dump.label(p), len(plans[p]), len(countries[p])) for p in pillars),
        key=lambda r: (-r[1], r[0]),
    )
    assert_table(rows, "pillarLabel plans countries", expected)
    assert {r["pillarLabel"] for r in rows} == {
        "Participation",
        "Prevention",
        "Protection",
        "Relief and recovery",
    }
    assert all(int(r["plans"]) > 0 for r in rows)


def check_first_plans_in_a_decade(rows: list[Row], dump: Dump) -> None:
    uses("06-first-plans-in-a-decade", "VALUES ?decade { 2010 }")
    first: dict[URIRef, int] = {}
    for plan in dump.plans(adopted_only=True):
        country = dump.value(plan, WPS.country)
        for year in dump.plan_years(plan):
            first[country] = min(first.get(country, year), year)
    expected = sorted(
        ((dump.label(c), y) for c, y in first.items() if 2010 <= y < 2020),
        key=lambda r: (r[1], r[0]),
    )
    assert_table(rows, "countryLabel firstYear", expected)
    # The sources: the United States' first plan came in 2011; Norway's (2006) and
    # Denmark's (2005) came before the decade.
    found = {r["countryLabel"]: r["firstYear"] for r in rows}
    assert found["United States"] == "2011"
    assert "Norway" not in found and "Denmark" not in found


def check_gaps_between_plans(rows: list[Row], dump: Dump) -> None:
    expected = []
    adopted = set(dump.plans(adopted_only=True))
    for later, earlier in dump.graph.subject_objects(WPS.succeeds):
        if later not in adopted or earlier not in adopted:
            continue
        began = dump.integer(later, WPS.startYear)
        ended = dump.integer(earlier, WPS.lastYearInForce)
        if began is not None and ended is not None and began - ended - 1 > 0:
            country = dump.label(dump.value(later, WPS.country))
            row = (country, dump.label(earlier), ended, dump.label(later), began, began - ended - 1)
            expected.append(row)
    expected.sort(key=lambda r: (-r[5], r[0], r[4]))
    assert_table(rows, "countryLabel earlierPlan ended nextPlan began yearsWithout", expected)
    # The sources: Norway's second plan ran to 2013 and its third began in 2015.
    assert {
        "countryLabel": "Norway",
        "earlierPlan": "Norway, national action plan 2 (2011-2013)",
        "ended": "2013",
        "nextPlan": "Norway, national action plan 3 (2015-2018)",
        "began": "2015",
        "yearsWithout": "1",
    } in rows
    # The Netherlands' third plan was extended to 2020 and its fourth began in 2021: no gap.
    assert "Netherlands" not in {r["countryLabel"] for r in rows}


def check_plans_per_region(rows: list[Row], dump: Dump) -> None:
    counts = defaultdict(lambda: defaultdict(set))
    for country, region in dump.graph.subject_objects(WPS.region):
        status = dump.status(country)
        if status is None:
            continue
        counts[region]["countries"].add(country)
        counts[region][status].add(country)
    for plan in dump.plans(adopted_only=True):
        country = dump.value(plan, WPS.country)
        region = dump.value(country, WPS.region)
        if dump.status(country) is not None:
            counts[region]["plans"].add(plan)
    expected = sorted(
        (
            (
                dump.label(r),
                len(c["countries"]),
                len(c[WPS.HasAdoptedPlan]),
                len(c[WPS.PlanInDevelopment]),
                len(c[WPS.NoPlanFound]),
                len(c[WPS.NotResearched]),
                len(c["plans"]),
            )
            for r, c in counts.items()
        ),
        key=lambda r: (-r[6], r[0]),
    )
    columns = "regionLabel countries withPlan inDevelopment noPlanFound notResearched plans"
    assert_table(rows, columns, expected)
    # Every country with a status lies in one region and has one status.
    assert all(
        int(r["countries"])
        == sum(int(r[k]) for k in ("withPlan", "inDevelopment", "noPlanFound", "notResearched"))
        for r in rows
    )


def check_countries_without_a_plan(rows: list[Row], dump: Dump) -> None:
    uses("09-countries-without-a-plan", "VALUES ?region { region:western-asia }")
    region = URIRef(f"{ID}region/western-asia")
    countries = list(dump.graph.subjects(WPS.region, region))
    expected = []
    for country in countries:
        status = dump.status(country)
        if status not in (WPS.PlanInDevelopment, WPS.NoPlanFound):
            continue
        record = dump.value(country, WPS.napStatusRecord)
        expected.append(
            (
                dump.label(country),
                dump.label(status),
                dump.text(record, WPS.evidenceDate),
                dump.text(record, RDFS.comment),
            )
        )
    expected.sort(key=lambda r: (r[1], r[0]))
    unknown = sum(1 for c in countries if dump.status(c) == WPS.NotResearched)
    assert_table(
        rows,
        "countryLabel status evidenceDate why notResearchedInRegion",
        [(*e, unknown) for e in expected],
    )
    # Researched countries only: none has an adopted plan, and none was left unresearched.
    listed = {r["countryLabel"] for r in rows}
    assert "Jordan" not in listed and "Türkiye" not in listed and "Turkey" not in listed
    assert {"Kuwait", "Qatar"} <= listed and unknown > 0


def check_where_sources_disagree(rows: list[Row], dump: Dump) -> None:
    disputes = {WPS.MajorityOfSources, WPS.CuratorDecision, WPS.Unresolved}
    expected = []
    for about, record in dump.graph.subject_objects(WPS.reconciliation):
        conflicting = set(dump.graph.objects(record, WPS.conflictingClaim))
        if not conflicting or dump.value(record, WPS.method) not in disputes:
            continue
        prop = dump.value(record, WPS.onProperty)
        plan = dump.value(about, WPS.isFocusAreaOf)
        area = (
            (dump.text(about, DCTERMS.title) or f"focus area {dump.integer(about, WPS.position)}")
            if plan
            else None
        )
        expected.append(
            (
                dump.label(plan or about),
                area,
                dump.text(prop, RDFS.label) or str(prop).rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                dump.text(record, WPS.chosenValue),
                dump.label(dump.value(record, WPS.method)),
                len(set(dump.graph.objects(record, WPS.supportingClaim))),
                len(conflicting),
                dump.text(record, RDFS.comment),
            )
        )
    expected.sort(key=lambda r: (r[0], r[1] or "", r[2]))
    columns = "planLabel focusArea property published method supporting conflicting comment"
    assert_table(rows, columns, expected)
    # The data model's example: Norway's second plan ended in 2013 by a majority of
    # organisations, against one that says 2015.
    norway = [r for r in rows if r["planLabel"].startswith("Norway, national action plan 2 ")]
    assert [(r["property"], r["published"], r["method"], r["conflicting"]) for r in norway] == [
        ("end year", "2013", "Majority of sources", "1")
    ]
    assert "2015" in norway[0]["comment"]
    # An extension is not a disagreement: the Netherlands' third plan's end year is not listed.
    assert not [
        r
        for r in rows
        if r["planLabel"].startswith("Netherlands, national action plan 3 ")
        and r["property"] == "end year"
    ]


def check_claims_about_a_plan(rows: list[Row], dump: Dump) -> None:
    uses("11-claims-about-a-plan", "plan/NOR/2>")
    plan = URIRef(f"{ID}plan/NOR/2")
    claims = sorted(
        (
            c
            for c in dump.graph.subjects(WPS.claimAbout, plan)
            if (c, RDF.type, WPS.PlanClaim) in dump.graph
        ),
        key=lambda c: (str(dump.value(c, DCTERMS.source)), str(c)),
    )
    expected = [
        (
            dump.text(c, DCTERMS.source),
            dump.integer(c, WPS.statedEdition),
            dump.integer(c, WPS.statedAdoptedYear),
            dump.integer(c, WPS.statedStartYear),
            dump.integer(c, WPS.statedEndYear),
            dump.text(c, SKOS.note),
        )
        for c in claims
    ]
    assert_table(rows, "source edition adopted start end note", expected)
    # The sources: 1325naps.peacewomen.org gives 2011-2015, the others 2011-2013.
    assert {(r["source"].split("/")[2], r["end"]) for r in rows} == {
        ("1325naps.peacewomen.org", "2015"),
        ("www.norway-un.org", "2013"),
        ("securitywomen.org", "2013"),
        ("www.securitywomen.org", "2013"),
    }


def check_stated_peacekeeping_figures(rows: list[Row], dump: Dump) -> None:
    expected = []
    for obs in dump.observations("stated-contributions"):
        women, personnel = dump.integer(obs, WPS.womenCount), dump.integer(obs, WPS.personnelCount)
        expected.append(
            (
                dump.label(dump.value(obs, WPS.contributor)),
                dump.label(dump.value(obs, WPS.personnelCategory)),
                women,
                personnel,
                women / personnel,
                dump.text(obs, WPS.asOf),
                dump.text(obs, WPS.statedIn),
            )
        )
    expected.sort(key=lambda r: (r[0], r[1], r[6]))
    columns = "countryLabel category women personnel shareOfWomen asOf page"
    assert_table(rows, columns, expected, shares="shareOfWomen")
    # The seed page: Norway's police contribution, 9 women of 22.
    police = [r for r in rows if (r["countryLabel"], r["category"]) == ("Norway", "Police")]
    assert [(r["women"], r["personnel"], r["shareOfWomen"]) for r in police] == [
        ("9", "22", "0.409")
    ]


def usable(row: dict) -> bool:
    """A row whose count of women can be used: not from a report that mixes up the genders."""
    return row["status"] != "gender-split-unreliable"


def check_women_in_individual_police(rows: list[Row], dump: Dump) -> None:
    sums = defaultdict(lambda: [set(), 0, 0])
    for r in dump.by_mission + dump.by_country:
        if r["category"] == "individual-police" and usable(r):
            entry = sums[(r["iso3"], int(r["month"][:4]))]
            entry[0].add(r["month"])
            entry[1] += int(r["women"])
            entry[2] += int(r["personnel"])
    expected = sorted(
        (dump.label(dump.country(iso3)), year, len(months), women, personnel, women / personnel)
        for (iso3, year), (months, women, personnel) in sums.items()
    )
    columns = "countryLabel year months women personnel shareOfWomen"
    assert_table(rows, columns, expected, shares="shareOfWomen")
    assert {r["year"] for r in rows} == {str(y) for y in range(2009, 2026)}
    # The months without a breakdown by mission count: 2018 and 2019 have twelve.
    norway = {r["year"]: r["months"] for r in rows if r["countryLabel"] == "Norway"}
    assert norway["2018"] == norway["2019"] == "12"


def latest_by_country(dump: Dump) -> tuple[str, dict[str, tuple[int, int]]]:
    """The latest month by mission, and each country's (women, personnel) in it."""
    latest = max(r["month"] for r in dump.by_mission)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in dump.by_mission:
        if r["month"] == latest and usable(r):
            sums[r["iso3"]][0] += int(r["women"])
            sums[r["iso3"]][1] += int(r["personnel"])
    return latest, {iso3: (w, n) for iso3, (w, n) in sums.items()}


def check_top_contributors_of_women(rows: list[Row], dump: Dump) -> None:
    uses("14-top-contributors-of-women", "dcterms:temporal/dcat:endDate ?month", "LIMIT 10")
    latest, sums = latest_by_country(dump)
    # The statistics issue's bar: the latest month is of 2025, not January 2022.
    assert latest == "2025-07"
    month = [(latest, dump.label(dump.country(iso3)), w, n, w / n) for iso3, (w, n) in sums.items()]
    expected = sorted(month, key=lambda r: (-r[2], r[1]))[:10]
    columns = "month countryLabel women personnel shareOfWomen"
    assert_table(rows, columns, expected, "shareOfWomen")


def check_plan_or_not_women_in_uniform(rows: list[Row], dump: Dump) -> None:
    first: dict[URIRef, int] = {}
    undated: set[URIRef] = set()
    for plan in dump.plans(adopted_only=True):
        country = dump.value(plan, WPS.country)
        years = dump.plan_years(plan)
        if not years:
            undated.add(country)
        for year in years:
            first[country] = min(first.get(country, year), year)
    groups = defaultdict(list)
    month, sums = latest_by_country(dump)
    for iso3, (women, personnel) in sums.items():
        country = dump.country(iso3)
        status = dump.status(country)
        if country in first and first[country] <= int(month[:4]):
            group = "with a plan"
        elif (
            status in (None, WPS.NotResearched)
            or country in undated
            or (status == WPS.HasAdoptedPlan and country not in first)
        ):
            group = "not known"
        else:
            group = "without a plan"
        groups[group].append((women, personnel))
    expected = [
        (
            month,
            group,
            len(pairs),
            sum(w for w, _ in pairs),
            sum(n for _, n in pairs),
            sum(w for w, _ in pairs) / sum(n for _, n in pairs),
            sum(w / n for w, n in pairs) / len(pairs),
        )
        for group, pairs in sorted(groups.items())
    ]
    columns = "month group countries women personnel pooledShare averageShare"
    assert_table(rows, columns, expected, shares="pooledShare averageShare")
    assert [(r["month"], r["group"]) for r in rows] == [
        ("2025-07", g) for g in ("not known", "with a plan", "without a plan")
    ]


def check_parity_targets(rows: list[Row], dump: Dump) -> None:
    months = sorted({r["month"] for r in dump.by_mission})
    expected = []
    for goal in dump.observations("parity-targets"):
        category = dump.value(goal, WPS.personnelCategory)
        year = dump.integer(goal, WPS.targetYear)
        compared = max(m for m in months if int(m[:4]) <= year)
        counted = {category, *dump.graph.objects(category, SKOS.related)}
        notations = {str(dump.value(c, SKOS.notation)) for c in counted}
        month = [
            r
            for r in dump.by_mission
            if r["month"] == compared and r["category"] in notations and usable(r)
        ]
        women = sum(int(r["women"]) for r in month)
        personnel = sum(int(r["personnel"]) for r in month)
        expected.append(
            (
                dump.label(category),
                year,
                float(dump.value(goal, WPS.targetShareOfWomen)),
                compared,
                women,
                personnel,
                women / personnel,
            )
        )
    expected.sort()
    columns = "category targetYear target month women personnel shareOfWomen"
    assert_table(rows, columns, expected, shares="target shareOfWomen")
    # The strategy's targets for 2028, and the three of one year that a source states.
    assert {(r["category"], r["targetYear"], float(r["target"]), r["month"]) for r in rows} == {
        ("Troops", "2028", 0.15, "2025-07"),
        ("Formed police units", "2028", 0.20, "2025-07"),
        ("Staff officers and military observers", "2028", 0.25, "2025-07"),
        ("Individual police", "2028", 0.30, "2025-07"),
        ("Troops", "2021", 0.08, "2021-12"),
        ("Staff officers and military observers", "2021", 0.18, "2021-12"),
        ("Formed police units", "2022", 0.12, "2022-12"),
    }
    assert all(int(r["personnel"]) > 0 for r in rows)


def check_what_is_known_of_each_country(rows: list[Row], dump: Dump) -> None:
    counts, dates = defaultdict(int), defaultdict(list)
    for country in dump.graph.subjects(RDF.type, WPS.Country):
        status = dump.status(country)
        if status is None:
            continue
        counts[status] += 1
        date = dump.text(dump.value(country, WPS.napStatusRecord), WPS.evidenceDate)
        if date:
            dates[status].append(date)
    expected = sorted(
        (
            (
                dump.label(s),
                n,
                min(dates[s]) if dates[s] else None,
                max(dates[s]) if dates[s] else None,
            )
            for s, n in counts.items()
        ),
        key=lambda r: (-r[1], r[0]),
    )
    assert_table(rows, "status countries earliestEvidence latestEvidence", expected)
    found = {r["status"]: int(r["countries"]) for r in rows}
    # The knowledge issue's bar: over 105 countries with a plan, and every UN member and
    # observer state (193 and 2) with a status.
    assert found["A plan has been adopted"] >= 105
    assert sum(found.values()) >= 195 and found["Not researched"] > 0


def check_extended_plans(rows: list[Row], dump: Dump) -> None:
    expected = []
    for plan, extended in dump.graph.subject_objects(WPS.extendedEndYear):
        claims = [
            c
            for c in dump.graph.objects(plan, WPS.claim)
            if (c, RDF.type, WPS.ExtensionClaim) in dump.graph
        ]
        expected.append(
            (dump.label(plan), dump.integer(plan, WPS.endYear), int(str(extended)), len(claims))
        )
    expected.sort()
    assert_table(rows, "planLabel end extendedTo sources", expected)
    # The extensions that the sources state: the Netherlands to 2020, Poland to 2023,
    # Switzerland to 2024, Liberia to 2025, Brazil by four years to 2023.
    found = {r["planLabel"].split(",")[0]: r["extendedTo"] for r in rows}
    assert {
        "Netherlands": "2020",
        "Poland": "2023",
        "Switzerland": "2024",
        "Liberia": "2025",
        "Brazil": "2023",
    }.items() <= found.items()


def check_themes_recorded_or_derived(rows: list[Row], dump: Dump) -> None:
    uses("19-themes-recorded-or-derived", "VALUES ?year { 2026 }")
    themes = list(dump.graph.subjects(SKOS.inScheme, WPS.ThemeScheme))
    plans = defaultdict(lambda: defaultdict(set))
    for claim in dump.graph.subjects(RDF.type, WPS.ThemeClaim):
        theme, plan = dump.value(claim, WPS.statedTheme), dump.value(claim, WPS.claimAbout)
        plans[theme][dump.value(claim, WPS.method)].add(plan)
        if (plan, WPS.status, WPS.Adopted) in dump.graph and dump.in_force(plan, 2026):
            plans[theme]["in force"].add(plan)
    expected = sorted(
        (
            (
                dump.label(t),
                len(plans[t][WPS.StatedBySource]),
                len(plans[t][WPS.DerivedFromFocusAreas]),
                len(plans[t]["in force"]),
            )
            for t in themes
        ),
    )
    assert_table(rows, "themeLabel recorded derived inForce", expected)
    # The knowledge issue's themes are all in the scheme, whether or not a plan names them.
    assert {
        "Security aspects of climate change",
        "Violent extremism",
        "Disarmament and small arms",
        "Trafficking in persons",
        "Cyber and digital security",
        "Sexual and reproductive health and rights",
    } <= {r["themeLabel"] for r in rows}


CHECKS = {
    "01-plans-of-a-country": check_plans_of_a_country,
    "02-focus-areas-of-a-plan": check_focus_areas_of_a_plan,
    "03-plans-in-force-in-a-year": check_plans_in_force_in_a_year,
    "04-climate-security-plans": check_climate_security_plans,
    "05-plans-per-pillar": check_plans_per_pillar,
    "06-first-plans-in-a-decade": check_first_plans_in_a_decade,
    "07-gaps-between-plans": check_gaps_between_plans,
    "08-plans-per-region": check_plans_per_region,
    "09-countries-without-a-plan": check_countries_without_a_plan,
    "10-where-sources-disagree": check_where_sources_disagree,
    "11-claims-about-a-plan": check_claims_about_a_plan,
    "12-stated-peacekeeping-figures": check_stated_peacekeeping_figures,
    "13-women-in-individual-police": check_women_in_individual_police,
    "14-top-contributors-of-women": check_top_contributors_of_women,
    "15-plan-or-not-women-in-uniform": check_plan_or_not_women_in_uniform,
    "16-parity-targets": check_parity_targets,
    "17-what-is-known-of-each-country": check_what_is_known_of_each_country,
    "18-extended-plans": check_extended_plans,
    "19-themes-recorded-or-derived": check_themes_recorded_or_derived,
}


def test_every_example_has_its_check():
    assert sorted(CHECKS) == [e.name for e in EXAMPLES]


# ---------------------------------------------------------------- through the server


@pytest.mark.full
@pytest.mark.live
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_runs_on_the_full_data_and_returns_rows(example: Example, answers):
    answer = answers(example)
    assert answer.rows, f"{example.name} returned no rows"
    assert not answer.truncated


@pytest.mark.full
@pytest.mark.live
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_answer_matches_the_dump(example: Example, answers, dump):
    CHECKS[example.name](answers(example).rows, dump)
