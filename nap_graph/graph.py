"""Turn records into quads: the reconciled view, every claim, and the statistics as a Data Cube."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from nap_graph import ntriples as t
from nap_graph.country_status import CountryStatus
from nap_graph.iris import Iris, short_hash
from nap_graph.namespaces import DCAT, FOAF, PROV, QB, WPS
from nap_graph.reconcile import DERIVED, Claim, FocusArea, Naps, Plan, Reconciliation, ThemeRow
from nap_graph.sources.countries import Country
from nap_graph.sources.naps import CURATION, CoverageRow, ExtensionRow
from nap_graph.sources.peacekeeping import Headcount, Mission, Observation, ParityTarget
from nap_graph.sources.records import Origin
from nap_graph.vocabulary import Vocabulary

GRAPHS = ("naps", "peacekeeping", "vocabulary")
DATASETS = {
    "contributions-by-mission": (
        WPS.ContributionsByMissionStructure,
        "UN peacekeeping contributions by country, mission, month and category",
        "Uniformed personnel, women and all, that each country contributed to each UN "
        "peacekeeping mission at the end of each month, per personnel category. Only the "
        "categories in which a country had personnel are listed. Until April 2017 staff "
        "officers are counted among the experts on mission. The UN's reports of March 2018 "
        "to August 2019 give no breakdown by mission: those months are in the dataset by country.",
    ),
    "contributions-by-country": (
        WPS.ContributionsByCountryStructure,
        "UN peacekeeping contributions by country and month, all missions",
        "Uniformed personnel, women and all, that each country contributed to all UN "
        "peacekeeping missions together at the end of a month: per category for the months "
        "whose report gives no breakdown by mission (March 2018 to August 2019), and for all "
        "categories together from the UN's open-data snapshots.",
    ),
    "headcounts-by-country": (
        WPS.HeadcountByCountryStructure,
        "UN peacekeeping personnel by country and month, without gender",
        "All uniformed personnel per contributing country, month and category, for the months "
        "whose report gives no figures by gender (September 2023). The number of women in "
        "these months is not known.",
    ),
    "stated-contributions": (
        WPS.StatedContributionsStructure,
        "UN peacekeeping contributions as stated on NAP review pages",
        "Women and all uniformed personnel per category as web pages about national action "
        "plans state them, often without a date.",
    ),
    "parity-targets": (
        WPS.ParityTargetStructure,
        "UN Uniformed Gender Parity Strategy targets",
        "The share of women that the UN Uniformed Gender Parity Strategy 2018-2028 sets as "
        "its target for each category of uniformed personnel.",
    ),
}
# The slices (qb:Slice) of each dataset whose observations have a contributor or a mission,
# by the dimension they fix: "country" (wps:contributor) or "mission" (wps:mission). They link
# a country and a mission to their observations; their keys are in the ontology.
SLICE_KEYS = {
    "contributions-by-mission": {
        "country": WPS.ContributionsByMissionContributorKey,
        "mission": WPS.ContributionsByMissionMissionKey,
    },
    "contributions-by-country": {"country": WPS.ContributionsByCountryContributorKey},
    "headcounts-by-country": {"country": WPS.HeadcountByCountryContributorKey},
    "stated-contributions": {"country": WPS.StatedContributionsContributorKey},
}
PLAN_PREDICATES = {
    "edition": WPS.edition,
    "adopted_year": WPS.adoptedYear,
    "start_year": WPS.startYear,
    "end_year": WPS.endYear,
    "extended_end_year": WPS.extendedEndYear,
    "status": WPS.status,
    "title": DCTERMS.title,
}


# The column of the plan files (data/*/plans.csv) behind each property made of them: so that a
# report on a plan or a claim names the field to correct, not only the line.
SOURCE_FIELDS = {
    str(prop): column
    for column, props in {
        "edition": (WPS.edition, WPS.statedEdition),
        "adopted_year": (WPS.adoptedYear, WPS.statedAdoptedYear),
        "start_year": (WPS.startYear, WPS.statedStartYear),
        "end_year": (WPS.endYear, WPS.statedEndYear),
    }.items()
    for prop in props
}


@dataclass
class Source:
    """A source dataset of data/sources.csv."""

    id: str
    title: str
    publisher: str
    landing_page: str | None
    license: str | None
    rights: str | None  # the terms as the source states them, or that it states none
    retrieved_from: str | None
    files: str
    note: str | None
    origin: Origin


class Quads:
    """Triples as N-Triples text, grouped by named graph and by country, with the source
    record behind each resource."""

    def __init__(self, iris: Iris):
        self.iris = iris
        self.parts: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        self.origins: dict[str, Origin] = {}
        self.graphs = {name: iris.graph(name) for name in GRAPHS}
        self._by_graph: dict[str, list[bytes]] | None = None

    def add(self, graph: str, country: str | None, s, p, o) -> None:
        """Add a triple; terms are N-Triples text, or IRIs (str or rdflib) for `s` and `p`.

        An object of None adds nothing, so that optional values need no test at the call.
        """
        if o is None:
            return
        if s[0] != "<" and s[0] != "_":
            s = f"<{s}>"
        if p[0] != "<":
            p = f"<{p}>"
        if o[0] not in '<"_':
            o = f"<{o}>"
        self.parts[(graph, country)].append(f"{s} {p} {o}")

    def origin(self, iri: str, origin: Origin) -> None:
        self.origins.setdefault(iri, origin)

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts.values())

    def countries(self) -> list[str]:
        return sorted({country for _, country in self.parts if country is not None})

    def triples(self, country: str | None = None) -> list[bytes]:
        """Return the distinct triples of all graphs (or of one country) as sorted UTF-8 lines.

        UTF-8 keeps the order of code points, so the bytes sort as the text would.
        """
        if country is None:
            merged = sorted(line for lines in self.by_graph().values() for line in lines)
            return [line for i, line in enumerate(merged) if i == 0 or line != merged[i - 1]]
        lines = set()
        for (_, part_country), part in self.parts.items():
            if part_country == country:
                lines.update(part)
        return sorted(line.encode() for line in lines)

    def by_graph(self) -> dict[str, list[bytes]]:
        """Return each named graph's distinct triples as sorted UTF-8 lines (computed once)."""
        if self._by_graph is None:
            self._by_graph = {}
            for name in sorted(self.graphs, key=self.graphs.get):
                triples = set()
                for (part_graph, _), part in self.parts.items():
                    if part_graph == name:
                        triples.update(part)
                self._by_graph[name] = sorted(line.encode() for line in triples)
        return self._by_graph

    def nquads(self) -> bytes:
        """Return the distinct quads as N-Quads, sorted by graph, then by triple."""
        chunks = []
        for name, lines in self.by_graph().items():
            graph = f" <{self.graphs[name]}> .\n".encode()
            chunks.append(graph.join(lines) + graph if lines else b"")
        return b"".join(chunks)


class GraphBuilder:
    """Write records into `Quads` under an IRI scheme."""

    def __init__(self, iris: Iris, vocabulary: Vocabulary):
        self.iris = iris
        self.vocabulary = vocabulary
        self.quads = Quads(iris)
        self._agents: set[tuple[str, str | None]] = set()
        self._pages: set[tuple[str, str]] = set()
        self._slices: set[str] = set()
        self.organisations = None  # the publisher of each source page, set by add_naps

    def concept(self, scheme: str, notation: str) -> str:
        return t.iri(self.vocabulary.concept(scheme, notation))

    # ------------------------------------------------------------- vocabulary and sources

    def add_vocabulary(self) -> None:
        for s, p, o in self.vocabulary.graph:
            self.quads.add("vocabulary", None, t.from_rdflib(s), t.from_rdflib(p), t.from_rdflib(o))

    def add_sources(self, sources: Iterable[Source]) -> None:
        add = self.quads.add
        for source in sources:
            iri = self.iris.source(source.id)
            self.quads.origin(iri, source.origin)
            add("naps", None, iri, RDF.type, t.iri(DCAT.Dataset))
            add("naps", None, iri, RDF.type, t.iri(PROV.Entity))
            add("naps", None, iri, DCTERMS.title, t.literal(source.title, "en"))
            add("naps", None, iri, RDFS.label, t.literal(source.title, "en"))
            add("naps", None, iri, DCTERMS.publisher, t.iri(self.agent(source.publisher)))
            if source.landing_page:
                add("naps", None, iri, DCAT.landingPage, t.iri(source.landing_page))
            if source.license:
                add("naps", None, iri, DCTERMS.license, t.iri(source.license))
            if source.rights:
                rights = f"{iri}/rights"
                add("naps", None, iri, DCTERMS.rights, t.iri(rights))
                add("naps", None, rights, RDF.type, t.iri(DCTERMS.RightsStatement))
                add("naps", None, rights, RDFS.label, t.literal(source.rights, "en"))
            if source.retrieved_from:
                add(
                    "naps",
                    None,
                    iri,
                    SKOS.note,
                    t.literal(f"Retrieved from {source.retrieved_from}.", "en"),
                )
            if source.note:
                add("naps", None, iri, DCTERMS.description, t.literal(source.note, "en"))

    def agent(self, name: str, country: str | None = None) -> str:
        iri = self.iris.agent(name)
        if (iri, country) not in self._agents:
            self._agents.add((iri, country))
            self.quads.add("naps", country, iri, RDF.type, t.iri(FOAF.Agent))
            self.quads.add("naps", country, iri, FOAF.name, t.literal(name))
        return iri

    def page(self, iso3: str, url: str) -> str:
        """Return a source page as a term, saying once per country who publishes it."""
        if self.organisations is not None and (iso3, url) not in self._pages:
            self._pages.add((iso3, url))
            publisher = self.agent(self.organisations.of(url), iso3)
            self.quads.add("naps", iso3, url, DCTERMS.publisher, t.iri(publisher))
        return t.iri(url)

    def claim_source(self, iso3: str, claim: Claim) -> str:
        """Return a claim's source: its page, or the source dataset for a harvest's search."""
        if isinstance(claim.row, CoverageRow):
            return t.iri(self.iris.source(claim.row.source))
        return self.page(iso3, claim.source)

    # ------------------------------------------------------------- countries

    def add_countries(self, countries: dict[str, Country]) -> None:
        add = self.quads.add
        regions = {}
        reference = t.iri(self.iris.source("country-reference"))
        for iso3, c in sorted(countries.items()):
            iri = self.iris.country(iso3)
            self.quads.origin(iri, c.origin)
            add("naps", iso3, iri, RDF.type, t.iri(WPS.Country))
            for lang, name in c.names:
                add("naps", iso3, iri, RDFS.label, t.literal(name, lang))
            add("naps", iso3, iri, SKOS.prefLabel, t.literal(c.name, "en"))
            if c.iso_name_en:
                add("naps", iso3, iri, SKOS.altLabel, t.literal(c.iso_name_en, "en"))
            add("naps", iso3, iri, WPS.iso3166Alpha3, t.literal(iso3))
            add("naps", iso3, iri, WPS.iso3166Alpha2, _text(c.iso2))
            add("naps", iso3, iri, WPS.unM49, _text(c.m49))
            if c.un_member_since:
                add("naps", iso3, iri, WPS.unMemberSince, t.gyear(c.un_member_since))
            if c.un_observer:
                add("naps", iso3, iri, WPS.unObserverState, t.boolean(True))
            if c.geonames_id:
                add(
                    "naps",
                    iso3,
                    iri,
                    OWL.sameAs,
                    t.iri(f"https://sws.geonames.org/{c.geonames_id}/"),
                )
            if c.region:
                region = self.iris.region(c.region)
                add("naps", iso3, iri, WPS.region, t.iri(region))
                regions[region] = c.region
            add("naps", iso3, iri, DCTERMS.source, reference)
        for region, name in sorted(regions.items()):
            add("naps", None, region, RDF.type, t.iri(WPS.Region))
            add("naps", None, region, RDFS.label, t.literal(name, "en"))
            add("naps", None, region, SKOS.prefLabel, t.literal(name, "en"))
            add("naps", None, region, SKOS.inScheme, t.iri(WPS.UNGeoscheme))

    # ------------------------------------------------------------- plans

    def add_naps(self, naps: Naps, countries: dict[str, Country]) -> None:
        add = self.quads.add
        self.organisations = naps.organisations
        for _, plan in sorted(naps.plans.items()):
            self._plan(plan, countries)
        for claim in naps.status_claims:
            self._status_claim(claim)
        for claim in naps.unassigned_focus:
            country = self.iris.country(claim.row.iso3)
            self._focus_claim(claim, self.iris.claim(country, claim.id), country, None)
        for context in naps.contexts:
            iri, iso3 = self.iris.context(context.iso3, context.plan), context.iso3
            self.quads.origin(iri, context.origin)
            add("naps", iso3, iri, RDF.type, t.iri(WPS.ContextStatement))
            add("naps", iso3, iri, WPS.country, t.iri(self.iris.country(iso3)))
            if context.plan:
                plan = self.iris.plan(iso3, context.plan)
                add("naps", iso3, iri, WPS.plan, t.iri(plan))
                add("naps", iso3, plan, WPS.contextStatement, t.iri(iri))
            add("naps", iso3, iri, RDF.value, t.literal(context.text))
            add("naps", iso3, iri, DCTERMS.source, self.page(iso3, context.source))
            add("naps", iso3, iri, SKOS.note, _text(context.note))

    def add_country_statuses(
        self, statuses: dict[str, CountryStatus], countries: dict[str, Country]
    ) -> None:
        """Give each country its NAP status and the record that says why."""
        add = self.quads.add
        for iso3, status in sorted(statuses.items()):
            country = self.iris.country(iso3)
            iri = self.iris.country_status(iso3)
            concept = self.concept("country_status", status.status)
            add("naps", iso3, country, WPS.napStatus, concept)
            add("naps", iso3, country, WPS.napStatusRecord, t.iri(iri))
            add("naps", iso3, iri, RDF.type, t.iri(WPS.CountryStatus))
            add("naps", iso3, iri, WPS.country, t.iri(country))
            add("naps", iso3, iri, WPS.napStatus, concept)
            name = countries[iso3].name if iso3 in countries else iso3
            label = self.vocabulary.label("country_status", status.status)
            add("naps", iso3, iri, RDFS.label, t.literal(f"{name}: {label.lower()}", "en"))
            for plan in status.plans:
                add("naps", iso3, iri, PROV.wasDerivedFrom, t.iri(self.iris.plan(iso3, plan.key)))
            for claim in status.claims:
                add(
                    "naps",
                    iso3,
                    iri,
                    PROV.wasDerivedFrom,
                    t.iri(self.iris.claim(country, claim.id)),
                )
            add("naps", iso3, iri, WPS.evidenceDate, _date(status.date))
            for source in status.sources:
                if source.startswith(("http://", "https://")):
                    add("naps", iso3, iri, DCTERMS.source, self.page(iso3, source))
                else:
                    add("naps", iso3, iri, DCTERMS.source, t.iri(self.iris.source(source)))
            add("naps", iso3, iri, RDFS.comment, t.literal(status.comment, "en"))

    def _plan(self, plan: Plan, countries: dict[str, Country]) -> None:
        add = self.quads.add
        iso3 = plan.iso3
        iri = self.iris.plan(iso3, plan.key)
        self.quads.origin(iri, plan.origin)
        add("naps", iso3, iri, RDF.type, t.iri(WPS.NationalActionPlan))
        country = self.iris.country(iso3)
        add("naps", iso3, iri, WPS.country, t.iri(country))
        add("naps", iso3, iri, WPS.planOf, t.iri(country))
        add("naps", iso3, country, WPS.hasPlan, t.iri(iri))
        add("naps", iso3, iri, RDFS.label, t.literal(plan_label(plan, countries.get(iso3)), "en"))
        if plan.edition is not None:
            add("naps", iso3, iri, WPS.edition, t.integer(plan.edition))
        for value, predicate in (
            (plan.adopted, WPS.adoptedYear),
            (plan.start, WPS.startYear),
            (plan.end, WPS.endYear),
        ):
            if value is not None:
                add("naps", iso3, iri, predicate, t.gyear(value))
        if plan.extended is not None:
            add("naps", iso3, iri, WPS.extendedEndYear, t.gyear(plan.extended))
        if plan.last_year_in_force is not None:
            add("naps", iso3, iri, WPS.lastYearInForce, t.gyear(plan.last_year_in_force))
        add("naps", iso3, iri, WPS.status, self.concept("status", plan.status))
        for theme in plan.themes:
            add("naps", iso3, iri, WPS.theme, self.concept("theme", theme))
        for scope in plan.scopes:
            add("naps", iso3, iri, WPS.scope, self.concept("scope", scope))
        if plan.previous is not None:
            add("naps", iso3, iri, WPS.succeeds, t.iri(self.iris.plan(iso3, plan.previous.key)))
        for source in plan.sources:
            add("naps", iso3, iri, DCTERMS.source, self.page(iso3, source))
        for claim in plan.claims + plan.extension_claims + plan.theme_claims:
            add("naps", iso3, iri, WPS.claim, t.iri(self.iris.claim(iri, claim.id)))
        for area in plan.focus_areas:
            add(
                "naps",
                iso3,
                iri,
                WPS.focusArea,
                t.iri(self.iris.focus_area(iso3, plan.key, area.position)),
            )
        for record in plan.reconciliations:
            add(
                "naps",
                iso3,
                iri,
                WPS.reconciliation,
                t.iri(self.iris.reconciliation(iri, record.property)),
            )
        for claim in plan.claims:
            self._plan_claim(claim, self.iris.claim(iri, claim.id), iri)
        for claim in plan.extension_claims:
            self._extension_claim(claim, self.iris.claim(iri, claim.id), iri)
        for claim in plan.theme_claims:
            self._theme_claim(claim, self.iris.claim(iri, claim.id), iri)
        for record in plan.reconciliations:
            self._reconciliation(record, iri, iso3)
        for area in plan.focus_areas:
            self._focus_area(area, plan, iri)

    def _plan_claim(self, claim: Claim, iri: str, plan_iri: str) -> None:
        add = self.quads.add
        row = claim.row
        self.quads.origin(iri, row.origin)
        add("naps", row.iso3, iri, RDF.type, t.iri(WPS.PlanClaim))
        add("naps", row.iso3, iri, WPS.claimAbout, t.iri(plan_iri))
        add("naps", row.iso3, iri, WPS.statedCountryName, _text(row.country_name))
        if row.edition is not None:
            add("naps", row.iso3, iri, WPS.statedEdition, t.integer(row.edition))
        for value, predicate in (
            (row.adopted, WPS.statedAdoptedYear),
            (row.start, WPS.statedStartYear),
            (row.end, WPS.statedEndYear),
        ):
            if value is not None:
                add("naps", row.iso3, iri, predicate, t.gyear(value))
        if claim.is_draft:
            add("naps", row.iso3, iri, WPS.statedStatus, self.concept("status", claim.status))
        add("naps", row.iso3, iri, WPS.statedDate, _date(claim.as_of))
        add("naps", row.iso3, iri, DCTERMS.source, self.page(row.iso3, row.source))
        add("naps", row.iso3, iri, WPS.dataSource, t.iri(self.iris.source(row.dataset)))
        add("naps", row.iso3, iri, SKOS.note, _text(row.note))

    def _extension_claim(self, claim: Claim, iri: str, plan_iri: str) -> None:
        add = self.quads.add
        row: ExtensionRow = claim.row
        self.quads.origin(iri, row.origin)
        add("naps", row.iso3, iri, RDF.type, t.iri(WPS.ExtensionClaim))
        add("naps", row.iso3, iri, WPS.claimAbout, t.iri(plan_iri))
        add("naps", row.iso3, iri, WPS.statedExtendedEndYear, t.gyear(row.extended_to))
        add("naps", row.iso3, iri, DCTERMS.source, self.page(row.iso3, row.source))
        add("naps", row.iso3, iri, WPS.dataSource, t.iri(self.iris.source(CURATION)))
        add("naps", row.iso3, iri, SKOS.note, _text(row.note))

    def _theme_claim(self, claim: Claim, iri: str, plan_iri: str) -> None:
        add = self.quads.add
        row: ThemeRow = claim.row
        self.quads.origin(iri, row.origin)
        add("naps", row.iso3, iri, RDF.type, t.iri(WPS.ThemeClaim))
        add("naps", row.iso3, iri, WPS.claimAbout, t.iri(plan_iri))
        add("naps", row.iso3, iri, WPS.statedTheme, self.concept("theme", row.theme))
        add("naps", row.iso3, iri, WPS.method, self.concept("theme_method", row.method))
        add("naps", row.iso3, iri, DCTERMS.source, self.page(row.iso3, row.source))
        add("naps", row.iso3, iri, WPS.dataSource, t.iri(self.iris.source(CURATION)))
        if row.method == DERIVED:
            position, claim_id = row.derived_from
            area = self.iris.focus_area(row.iso3, row.plan, position)
            add("naps", row.iso3, iri, PROV.wasDerivedFrom, t.iri(self.iris.claim(area, claim_id)))
            add("naps", row.iso3, iri, WPS.matchedText, t.literal(row.matched))
            add("naps", row.iso3, iri, WPS.keywordPattern, t.literal(row.pattern))
        add("naps", row.iso3, iri, SKOS.note, _text(row.note))

    def _status_claim(self, claim: Claim) -> None:
        add = self.quads.add
        row = claim.row
        country = self.iris.country(row.iso3)
        iri = self.iris.claim(country, claim.id)
        self.quads.origin(iri, row.origin)
        add("naps", row.iso3, country, WPS.claim, t.iri(iri))
        add("naps", row.iso3, iri, RDF.type, t.iri(WPS.StatusClaim))
        add("naps", row.iso3, iri, WPS.claimAbout, t.iri(country))
        add("naps", row.iso3, iri, WPS.statedCountryName, _text(getattr(row, "country_name", None)))
        add(
            "naps",
            row.iso3,
            iri,
            SKOS.note,
            t.literal(row.note or "The source names no dated plan."),
        )
        add("naps", row.iso3, iri, WPS.statedStatus, self.concept("country_status", claim.status))
        add("naps", row.iso3, iri, WPS.statedDate, _date(claim.as_of))
        add("naps", row.iso3, iri, DCTERMS.source, self.claim_source(row.iso3, claim))
        dataset = row.source if isinstance(row, CoverageRow) else row.dataset
        add("naps", row.iso3, iri, WPS.dataSource, t.iri(self.iris.source(dataset)))

    def _reconciliation(self, record: Reconciliation, parent: str, iso3: str) -> None:
        add = self.quads.add
        iri = self.iris.reconciliation(parent, record.property)
        if record.origin is not None:
            self.quads.origin(iri, record.origin)
        add("naps", iso3, iri, RDF.type, t.iri(WPS.Reconciliation))
        add("naps", iso3, iri, WPS.onProperty, t.iri(PLAN_PREDICATES[record.property]))
        add("naps", iso3, iri, WPS.method, self.concept("method", record.method))
        if record.chosen is not None:
            add("naps", iso3, iri, WPS.chosenValue, _value(record.property, record.chosen))
        for claim in record.supporting:
            add("naps", iso3, iri, WPS.supportingClaim, t.iri(self.iris.claim(parent, claim.id)))
        for claim in record.conflicting:
            add("naps", iso3, iri, WPS.conflictingClaim, t.iri(self.iris.claim(parent, claim.id)))
        add("naps", iso3, iri, RDFS.comment, t.literal(record.comment, "en"))

    def _focus_area(self, area: FocusArea, plan: Plan, plan_iri: str) -> None:
        add = self.quads.add
        iso3 = plan.iso3
        iri = self.iris.focus_area(iso3, plan.key, area.position)
        self.quads.origin(iri, area.origin)
        add("naps", iso3, iri, RDF.type, t.iri(WPS.FocusArea))
        add("naps", iso3, iri, WPS.isFocusAreaOf, t.iri(plan_iri))
        add("naps", iso3, iri, WPS.position, t.integer(area.position))
        if area.title is not None:
            add("naps", iso3, iri, DCTERMS.title, t.literal(area.title))
            add("naps", iso3, iri, RDFS.label, t.literal(area.title))
        add("naps", iso3, iri, DCTERMS.description, _text(area.description))
        for pillar in area.pillars:
            add("naps", iso3, iri, WPS.pillar, self.concept("pillar", pillar))
        for source in area.sources:
            add("naps", iso3, iri, DCTERMS.source, self.page(iso3, source))
        for claim in area.claims:
            add("naps", iso3, iri, WPS.claim, t.iri(self.iris.claim(iri, claim.id)))
        for record in area.reconciliations:
            add(
                "naps",
                iso3,
                iri,
                WPS.reconciliation,
                t.iri(self.iris.reconciliation(iri, record.property)),
            )
        for claim in area.claims:
            self._focus_claim(claim, self.iris.claim(iri, claim.id), iri, plan_iri)
        for record in area.reconciliations:
            self._reconciliation(record, iri, iso3)

    def _focus_claim(self, claim: Claim, iri: str, about: str, plan_iri: str | None) -> None:
        add = self.quads.add
        row = claim.row
        iso3 = row.iso3
        self.quads.origin(iri, row.origin)
        if plan_iri is None:
            add("naps", iso3, about, WPS.claim, t.iri(iri))
        add("naps", iso3, iri, RDF.type, t.iri(WPS.FocusAreaClaim))
        add("naps", iso3, iri, WPS.claimAbout, t.iri(about))
        add("naps", iso3, iri, WPS.statedPosition, t.integer(row.position))
        add("naps", iso3, iri, WPS.statedTitle, t.literal(row.title))
        pillars = getattr(row, "pillars", None) or (
            [row.pillar] if getattr(row, "pillar", None) else []
        )
        for pillar in pillars:
            add("naps", iso3, iri, WPS.statedPillar, self.concept("pillar", pillar))
        add("naps", iso3, iri, WPS.statedDescription, _text(getattr(row, "description", None)))
        add("naps", iso3, iri, SKOS.note, _text(getattr(row, "note", None)))
        add("naps", iso3, iri, DCTERMS.source, self.page(iso3, row.source))
        dataset = getattr(row, "dataset", CURATION)
        add("naps", iso3, iri, WPS.dataSource, t.iri(self.iris.source(dataset)))

    # ------------------------------------------------------------- statistics

    def add_datasets(
        self,
        sources_by_dataset: dict[str, list[str]],
        months_by_dataset: dict[str, Iterable[str]],
    ) -> None:
        """Describe the datasets: structure, titles, sources and, for the monthly ones, the
        months they cover (dcterms:temporal), which lets a query find the latest month by a
        lookup rather than by a scan of every observation."""
        add = self.quads.add
        for name, months in months_by_dataset.items():
            months = sorted(set(months))
            if not months:
                continue
            iri = self.iris.dataset(name)
            period = f"{iri}/period"
            add("peacekeeping", None, iri, DCTERMS.temporal, t.iri(period))
            add("peacekeeping", None, period, RDF.type, t.iri(DCTERMS.PeriodOfTime))
            add("peacekeeping", None, period, DCAT.startDate, t.gyearmonth(months[0]))
            add("peacekeeping", None, period, DCAT.endDate, t.gyearmonth(months[-1]))
            add(
                "peacekeeping",
                None,
                period,
                RDFS.label,
                t.literal(f"{months[0]} to {months[-1]}", "en"),
            )
        for name, (structure, title, description) in DATASETS.items():
            iri = self.iris.dataset(name)
            add("peacekeeping", None, iri, RDF.type, t.iri(QB.DataSet))
            add("peacekeeping", None, iri, RDF.type, t.iri(DCAT.Dataset))
            add("peacekeeping", None, iri, QB.structure, t.iri(structure))
            add("peacekeeping", None, iri, RDFS.label, t.literal(title, "en"))
            add("peacekeeping", None, iri, DCTERMS.title, t.literal(title, "en"))
            add("peacekeeping", None, iri, DCTERMS.description, t.literal(description, "en"))
            for source in sorted(sources_by_dataset.get(name, [])):
                add("peacekeeping", None, iri, DCTERMS.source, t.iri(self.iris.source(source)))

    def add_missions(self, missions: dict[str, Mission]) -> None:
        add = self.quads.add
        for acronym, mission in sorted(missions.items()):
            iri = self.iris.mission(acronym)
            add("peacekeeping", None, iri, RDF.type, t.iri(WPS.Mission))
            add("peacekeeping", None, iri, SKOS.notation, t.literal(acronym))
            add("peacekeeping", None, iri, RDFS.label, t.literal(acronym))
            if mission.host_iso3:
                add(
                    "peacekeeping",
                    None,
                    iri,
                    WPS.hostCountry,
                    t.iri(self.iris.country(mission.host_iso3)),
                )
            add("peacekeeping", None, iri, WPS.headquarters, _text(mission.headquarters))
            add("peacekeeping", None, iri, DCTERMS.source, t.iri(self.iris.source(mission.source)))

    def slice(self, dataset: str, dimension: str, value: str) -> str:
        """Return the slice of a dataset that fixes the contributor (`dimension` "country",
        `value` its ISO3 code) or the mission (its acronym); the first time, describe it and
        link it from its dataset and from its country or mission."""
        iri = self.iris.slice(dataset, dimension, value)
        if iri in self._slices:
            return iri
        self._slices.add(iri)
        add = self.quads.add
        if dimension == "country":
            country, about = value, self.iris.country(value)
            fixed, inverse, link = WPS.contributor, WPS.sliceContributor, WPS.contributorSlice
        else:
            country, about = None, self.iris.mission(value)
            fixed, inverse, link = WPS.mission, WPS.sliceMission, WPS.missionSlice
        add("peacekeeping", country, iri, RDF.type, t.iri(QB.Slice))
        add("peacekeeping", country, iri, QB.sliceStructure, t.iri(SLICE_KEYS[dataset][dimension]))
        add("peacekeeping", country, iri, fixed, t.iri(about))
        add("peacekeeping", country, iri, inverse, t.iri(about))
        add(
            "peacekeeping",
            country,
            iri,
            RDFS.label,
            t.literal(f"{DATASETS[dataset][1]}: {value}", "en"),
        )
        add("peacekeeping", country, self.iris.dataset(dataset), QB.slice, t.iri(iri))
        add("peacekeeping", country, about, link, t.iri(iri))
        return iri

    def add_observations(self, dataset: str, observations: Iterable[Observation]) -> None:
        """Add observations; the hot loop of the build, so its terms are made once and reused."""
        parts = self.quads.parts
        origins = self.quads.origins
        prefix = self.iris.observation(dataset, "")
        head = (
            f"<{RDF.type}> <{QB.Observation}>",
            f"<{QB.dataSet}> <{self.iris.dataset(dataset)}>",
        )
        category = {
            n: f"<{WPS.personnelCategory}> <{i}>"
            for n, i in self.vocabulary.notations["category"].items()
        }
        country_prefix, mission_prefix = self.iris.country(""), self.iris.mission("")
        source_prefix = self.iris.source("")
        p_contributor, p_month, p_mission = (
            f"<{WPS.contributor}> ",
            f"<{WPS.refMonth}> ",
            f"<{WPS.mission}> ",
        )
        p_women, p_total, p_source = (
            f"<{WPS.womenCount}> ",
            f"<{WPS.personnelCount}> ",
            f"<{WPS.dataSource}> ",
        )
        status = {
            n: f"<{WPS.observationStatus}> <{i}>"
            for n, i in self.vocabulary.notations["observation_status"].items()
        }
        # Each observation is listed by the slice of its country and that of its mission.
        slice_keys = SLICE_KEYS.get(dataset, {})
        slices: dict[tuple[str, str], str] = {}
        missions = parts[("peacekeeping", None)]

        def listed_by(dimension: str, value: str) -> str:
            start = slices.get((dimension, value))
            if start is None:
                start = slices[(dimension, value)] = (
                    f"<{self.slice(dataset, dimension, value)}> <{QB.observation}> "
                )
            return start

        for o in observations:
            path = (
                f"{o.iso3}/{o.month}/{o.mission}/{o.category}"
                if o.mission
                else f"{o.iso3}/{o.month}/{o.category}"
            )
            iri = prefix + path
            origins.setdefault(iri, o.origin)
            s = f"<{iri}> "
            part = parts[("peacekeeping", o.iso3)]
            part.append(s + head[0])
            part.append(s + head[1])
            part.append(f"{s}{p_contributor}<{country_prefix}{o.iso3}>")
            part.append(f"{s}{p_month}{t.gyearmonth(o.month)}")
            if o.mission:
                part.append(f"{s}{p_mission}<{mission_prefix}{o.mission}>")
            part.append(s + category[o.category])
            part.append(f"{s}{p_women}{t.integer(o.women)}")
            part.append(f"{s}{p_total}{t.integer(o.total)}")
            part.append(f"{s}{p_source}<{source_prefix}{o.source}>")
            if o.status:
                part.append(s + status[o.status])
            if "country" in slice_keys:
                part.append(f"{listed_by('country', o.iso3)}<{iri}>")
            if o.mission and "mission" in slice_keys:
                missions.append(f"{listed_by('mission', o.mission)}<{iri}>")

    def _observation(self, iri: str, dataset: str, iso3: str | None, category: str) -> None:
        """The triples every observation of the smaller datasets starts with (the monthly
        ones, many more, are written by add_observations' own loop)."""
        add = self.quads.add
        add("peacekeeping", iso3, iri, RDF.type, t.iri(QB.Observation))
        add("peacekeeping", iso3, iri, QB.dataSet, t.iri(self.iris.dataset(dataset)))
        if iso3 is not None:
            add("peacekeeping", iso3, iri, WPS.contributor, t.iri(self.iris.country(iso3)))
            if "country" in SLICE_KEYS.get(dataset, {}):
                slice_iri = self.slice(dataset, "country", iso3)
                add("peacekeeping", iso3, slice_iri, QB.observation, t.iri(iri))
        add("peacekeeping", iso3, iri, WPS.personnelCategory, self.concept("category", category))

    def add_headcounts(self, headcounts: Iterable[Headcount]) -> None:
        add = self.quads.add
        dataset = "headcounts-by-country"
        for h in headcounts:
            iri = self.iris.observation(dataset, h.iso3, h.month, h.category)
            self.quads.origin(iri, h.origin)
            self._observation(iri, dataset, h.iso3, h.category)
            add("peacekeeping", h.iso3, iri, WPS.refMonth, t.gyearmonth(h.month))
            add("peacekeeping", h.iso3, iri, WPS.personnelCount, t.integer(h.total))
            add("peacekeeping", h.iso3, iri, WPS.dataSource, t.iri(self.iris.source(h.source)))

    def add_stated_figures(self, figures) -> None:
        add = self.quads.add
        dataset = "stated-contributions"
        minted: set[str] = set()
        for f in figures:
            iri = self.iris.observation(dataset, f.iso3, f.category, short_hash(f.source))
            # Two rows for one country, category and page get two observations, so that the
            # duplicate check (Data Cube IC-12) names both rather than merging them.
            n = 1
            while iri in minted:
                n += 1
                iri = self.iris.observation(
                    dataset, f.iso3, f.category, short_hash(f.source), str(n)
                )
            minted.add(iri)
            self.quads.origin(iri, f.origin)
            self._observation(iri, dataset, f.iso3, f.category)
            add("peacekeeping", f.iso3, iri, WPS.statedIn, t.iri(f.source))
            add("peacekeeping", f.iso3, iri, WPS.womenCount, t.integer(f.women))
            add("peacekeeping", f.iso3, iri, WPS.personnelCount, t.integer(f.total))
            add("peacekeeping", f.iso3, iri, WPS.asOf, _date(f.as_of))
            add("peacekeeping", f.iso3, iri, WPS.dataSource, t.iri(self.iris.source(f.dataset)))
            note = "; ".join(
                x for x in (f"label on the page: {f.label}" if f.label else None, f.note) if x
            )
            add("peacekeeping", f.iso3, iri, SKOS.note, _text(note or None))

    def add_parity_targets(self, targets: Iterable[ParityTarget]) -> None:
        add = self.quads.add
        dataset = "parity-targets"
        for target in targets:
            iri = self.iris.observation(dataset, target.category, str(target.year))
            self.quads.origin(iri, target.origin)
            self._observation(iri, dataset, None, target.category)
            add("peacekeeping", None, iri, WPS.targetYear, t.gyear(target.year))
            add("peacekeeping", None, iri, WPS.targetShareOfWomen, t.decimal(target.share))
            add(
                "peacekeeping",
                None,
                iri,
                WPS.dataSource,
                t.iri(self.iris.source(target.dataset)),
            )
            add("peacekeeping", None, iri, DCTERMS.source, t.iri(target.source))
            add("peacekeeping", None, iri, SKOS.note, _text(target.note))


def _text(value: str | None) -> str | None:
    return None if value is None else t.literal(value)


def _date(value: str | None) -> str | None:
    """Return a date at the precision given (YYYY, YYYY-MM, YYYY-MM-DD) as a typed literal."""
    if value is None:
        return None
    if len(value) == 4:
        return t.gyear(int(value))
    return t.gyearmonth(value) if len(value) == 7 else t.date(value)


def _value(prop: str, value) -> str:
    if prop == "edition":
        return t.integer(value)
    if prop == "status":
        return t.iri(str(WPS) + ("Adopted" if value == "adopted" else "InDevelopment"))
    if prop == "title":
        return t.literal(value)
    return t.gyear(value)


def plan_label(plan: Plan, country: Country | None) -> str:
    """Return a readable name for a plan, such as "Norway, national action plan 4 (2019-2022)"."""
    name = country.name if country is not None else plan.iso3
    what = f"national action plan {plan.edition}" if plan.edition else "national action plan"
    if plan.status == "in-development":
        what += " in development"
    if plan.start and plan.end:
        when = f" ({plan.start}-{plan.end}"
        when += f", extended to {plan.extended})" if plan.extended else ")"
    elif plan.start:
        when = f" ({plan.start})"
    elif plan.adopted and plan.last_year_in_force:
        when = f" (adopted {plan.adopted}, until {plan.last_year_in_force})"
    elif plan.adopted:
        when = f" ({plan.adopted})"
    else:
        when = ""
    return f"{name}, {what}{when}"
