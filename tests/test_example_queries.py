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
        start, end = self.integer(plan, WPS.startYear), self.integer(plan, WPS.endYear)
        return start is not None and end is not None and start <= year <= end

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
    return Dump(graph, read_csv(out / "statistics" / "contributions-by-mission.csv"))


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
            dump.integer(p, WPS.adoptedYear),
            dump.integer(p, WPS.startYear),
            dump.integer(p, WPS.endYear),
            dump.label(dump.value(p, WPS.succeeds)) if dump.value(p, WPS.succeeds) else None,
        )
        for p in plans
    ]
    assert_table(rows, "planLabel edition adopted start end replaces", expected)
    # The sources: five plans, the first launched in 2006, each replacing the one before.
    assert [(int(r["edition"]), int(r["start"]), int(r["end"])) for r in rows] == NORWAY_PERIODS
    assert rows[0]["adopted"] == "2006" and rows[0]["replaces"] is None
    assert all(r["replaces"] == p["planLabel"] for p, r in zip(rows, rows[1:], strict=False))


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
    plans = [
        p
        for p in dump.plans(adopted_only=True)
        if dump.in_force(p, year) and (theme is None or (p, WPS.theme, theme) in dump.graph)
    ]
    return sorted(
        (dump.label(dump.value(p, WPS.country)), dump.label(p), dump.integer(p, WPS.startYear), p)
        for p in plans
    )


def check_plans_in_force_in_a_year(rows: list[Row], dump: Dump) -> None:
    uses("03-plans-in-force-in-a-year", "VALUES ?year { 2021 }")
    expected = [
        (country, label, start, dump.integer(p, WPS.endYear))
        for country, label, start, p in in_force_rows(dump, 2021)
    ]
    assert_table(rows, "countryLabel planLabel start end", expected)
    # The sources: in 2021 Norway's plan in force was its fourth, 2019-2022.
    norway = [r for r in rows if r["countryLabel"] == "Norway"]
    assert norway == [
        {
            "countryLabel": "Norway",
            "planLabel": "Norway, national action plan 4 (2019-2022)",
            "start": "2019",
            "end": "2022",
        }
    ]


def check_climate_security_plans(rows: list[Row], dump: Dump) -> None:
    uses(
        "04-climate-security-plans",
        "VALUES ?year { 2021 }",
        "VALUES ?theme { wps:ClimateSecurity }",
    )
    theme = dump.label(WPS.ClimateSecurity)
    expected = [
        (country, label, theme)
        for country, label, _, _ in in_force_rows(dump, 2021, WPS.ClimateSecurity)
    ]
    assert_table(rows, "countryLabel planLabel themeLabel", expected)
    # The seed page: Norway's fourth plan takes in the security aspects of climate change.
    assert ("Norway", "Norway, national action plan 4 (2019-2022)", theme) in [
        (r["countryLabel"], r["planLabel"], r["themeLabel"]) for r in rows
    ]


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
    for later, earlier in dump.graph.subject_objects(WPS.succeeds):
        began, ended = dump.integer(later, WPS.startYear), dump.integer(earlier, WPS.endYear)
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


def check_plans_per_region(rows: list[Row], dump: Dump) -> None:
    members, plans = defaultdict(set), defaultdict(set)
    for country, region in dump.graph.subject_objects(WPS.region):
        members[region].add(country)
    for plan in dump.plans():
        country = dump.value(plan, WPS.country)
        plans[dump.value(country, WPS.region)].add((country, plan))
    regions = list(dump.graph.subjects(RDF.type, WPS.Region))
    expected = sorted(
        (
            (dump.label(r), len(members[r]), len({c for c, _ in plans[r]}), len(plans[r]))
            for r in regions
            if members[r]
        ),
        key=lambda r: (-r[3], r[0]),
    )
    assert_table(rows, "regionLabel countries countriesWithPlan plans", expected)
    # Every country lies in one region, and every plan is counted once.
    assert sum(int(r["countries"]) for r in rows) == len(
        set(dump.graph.subjects(RDF.type, WPS.Country))
    )
    assert sum(int(r["plans"]) for r in rows) == len(dump.plans())


def check_countries_without_a_plan(rows: list[Row], dump: Dump) -> None:
    uses("09-countries-without-a-plan", "VALUES ?region { region:western-africa }")
    region = URIRef(f"{ID}region/western-africa")
    with_plan = {dump.value(p, WPS.country) for p in dump.plans()}
    expected = []
    for country in dump.graph.subjects(WPS.region, region):
        if dump.value(country, WPS.unMemberSince) is None or country in with_plan:
            continue
        claims = [
            c
            for c in dump.graph.subjects(WPS.claimAbout, country)
            if (c, RDF.type, WPS.StatusClaim) in dump.graph
        ]
        notes = [(dump.text(c, SKOS.note), dump.text(c, DCTERMS.source)) for c in claims]
        expected += [(dump.label(country), *n) for n in sorted(notes)] or [
            (dump.label(country), None, None)
        ]
    expected.sort(key=lambda r: (r[0], r[1] or ""))
    assert_table(rows, "countryLabel sourceSays source", expected)
    # A source says that Togo has a plan, though none is recorded with a year.
    togo = [r for r in rows if r["countryLabel"] == "Togo"]
    assert len(togo) == 1 and togo[0]["sourceSays"].startswith("Togo has a NAP")
    assert "Ghana" not in {r["countryLabel"] for r in rows}


def check_where_sources_disagree(rows: list[Row], dump: Dump) -> None:
    expected = []
    for about, record in dump.graph.subject_objects(WPS.reconciliation):
        conflicting = set(dump.graph.objects(record, WPS.conflictingClaim))
        if not conflicting:
            continue
        prop = dump.value(record, WPS.onProperty)
        plan = dump.value(about, WPS.isFocusAreaOf)
        expected.append(
            (
                dump.label(plan or about),
                dump.text(about, DCTERMS.title) if plan else None,
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
    # The data model's example: Norway's second plan ended in 2013 by a majority of sites,
    # against one site that says 2015.
    norway = [r for r in rows if r["planLabel"].startswith("Norway, national action plan 2 ")]
    assert [(r["property"], r["published"], r["method"], r["conflicting"]) for r in norway] == [
        ("end year", "2013", "Majority of sources", "1")
    ]
    assert "2015" in norway[0]["comment"]


def check_claims_about_a_plan(rows: list[Row], dump: Dump) -> None:
    uses("11-claims-about-a-plan", "plan/NOR/2>")
    plan = URIRef(f"{ID}plan/NOR/2")
    claims = sorted(
        dump.graph.subjects(WPS.claimAbout, plan),
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


def check_women_in_individual_police(rows: list[Row], dump: Dump) -> None:
    sums = defaultdict(lambda: [set(), 0, 0])
    for r in dump.by_mission:
        if r["category"] == "individual-police":
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
    assert {r["year"] for r in rows} == {"2009", "2010", "2011", "2012", "2013", "2014"}


def by_country_rows(dump: Dump) -> list[tuple]:
    """(country, month, women, personnel) of the UN's totals of all uniformed personnel."""
    rows = []
    for obs in dump.observations("contributions-by-country"):
        assert dump.value(obs, WPS.personnelCategory) == WPS.AllUniformedPersonnel
        rows.append(
            (
                dump.value(obs, WPS.contributor),
                str(dump.value(obs, WPS.refMonth)),
                dump.integer(obs, WPS.womenCount),
                dump.integer(obs, WPS.personnelCount),
            )
        )
    return rows


def check_top_contributors_of_women(rows: list[Row], dump: Dump) -> None:
    uses("14-top-contributors-of-women", '"2022-01"^^xsd:gYearMonth', "LIMIT 10")
    month = [
        (dump.label(c), w, n, w / n if n else None)
        for c, m, w, n in by_country_rows(dump)
        if m == "2022-01"
    ]
    expected = sorted(month, key=lambda r: (-r[1], r[0]))[:10]
    assert_table(rows, "countryLabel women personnel shareOfWomen", expected, "shareOfWomen")


def check_plan_or_not_women_in_uniform(rows: list[Row], dump: Dump) -> None:
    first: dict[URIRef, int] = {}
    for plan in dump.plans(adopted_only=True):
        country = dump.value(plan, WPS.country)
        for year in dump.plan_years(plan):
            first[country] = min(first.get(country, year), year)
    groups = defaultdict(list)
    for country, month, women, personnel in by_country_rows(dump):
        if personnel > 0:
            has_plan = country in first and first[country] <= int(month[:4])
            groups[(month, "with a plan" if has_plan else "without a plan")].append(
                (women, personnel)
            )
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
        for (month, group), pairs in sorted(groups.items())
    ]
    columns = "month group countries women personnel pooledShare averageShare"
    assert_table(rows, columns, expected, shares="pooledShare averageShare")
    assert [(r["month"], r["group"]) for r in rows] == [
        (m, g) for m in ("2020-12", "2021-01", "2022-01") for g in ("with a plan", "without a plan")
    ]


def check_parity_targets(rows: list[Row], dump: Dump) -> None:
    latest = max(r["month"] for r in dump.by_mission)
    expected = []
    for goal in dump.observations("parity-targets"):
        category = dump.value(goal, WPS.personnelCategory)
        counted = {category, *dump.graph.objects(category, SKOS.related)}
        notations = {str(dump.value(c, SKOS.notation)) for c in counted}
        month = [r for r in dump.by_mission if r["month"] == latest and r["category"] in notations]
        women = sum(int(r["women"]) for r in month)
        personnel = sum(int(r["personnel"]) for r in month)
        expected.append(
            (
                dump.label(category),
                dump.integer(goal, WPS.targetYear),
                float(dump.value(goal, WPS.targetShareOfWomen)),
                latest,
                women,
                personnel,
                women / personnel,
            )
        )
    expected.sort()
    columns = "category targetYear target month women personnel shareOfWomen"
    assert_table(rows, columns, expected, shares="target shareOfWomen")
    # The UN Uniformed Gender Parity Strategy 2018-2028: its targets for 2028.
    assert {(r["category"], r["targetYear"], float(r["target"])) for r in rows} == {
        ("Troops", "2028", 0.15),
        ("Formed police units", "2028", 0.20),
        ("Staff officers and military observers", "2028", 0.25),
        ("Individual police", "2028", 0.30),
    }
    assert all(int(r["personnel"]) > 0 for r in rows)


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
}


def test_every_example_has_its_check():
    assert sorted(CHECKS) == [e.name for e in EXAMPLES]


# ---------------------------------------------------------------- through the server


@pytest.mark.full
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_runs_on_the_full_data_and_returns_rows(example: Example, answers):
    answer = answers(example)
    assert answer.rows, f"{example.name} returned no rows"
    assert not answer.truncated


@pytest.mark.full
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_answer_matches_the_dump(example: Example, answers, dump):
    CHECKS[example.name](answers(example).rows, dump)
