"""What the pages for people show, gathered from the graph by SPARQL and nothing else."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from server.charts import SMALL, share_chart, shared_top
from server.render import base
from server.store_access import select, served

PREFIXES = """PREFIX wps: <https://w3id.org/nap-graph/def/wps#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
WPS = "https://w3id.org/nap-graph/def/wps#"
# The categories charted, in the order of the seed page, each with the notation of the
# parity target that applies to it.
CHART_CATEGORIES = [
    ("troops", "Troops (contingent)", "troops"),
    ("experts-on-mission", "Experts on mission", "staff-officers-and-military-observers"),
    ("staff-officers", "Staff officers", "staff-officers-and-military-observers"),
    ("individual-police", "Individual police", "individual-police"),
    ("formed-police-units", "Formed police units", "formed-police-units"),
]


def rows(query: str) -> list[dict[str, str]]:
    """Run a SELECT with the pages' prefixes; return each row as plain values."""
    return [{k: v["value"] for k, v in b.items()} for b in select(PREFIXES + query, limit=100_000)]


def this_year() -> int:
    return datetime.date.today().year


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


@dataclass
class PlanSummary:
    iri: str
    label: str
    edition: int | None
    adopted: int | None
    start: int | None
    end: int | None
    status: str | None
    extended: int | None = None  # the last year of the period as extended
    last_in_force: int | None = None
    disputes: list[dict] = field(default_factory=list)
    gap_before: int | None = None  # years without a plan between the previous plan and this one

    @classmethod
    def of_row(cls, r: dict) -> PlanSummary:
        """A plan from a row of the plans query: plan, label, edition, adopted... last."""
        return cls(
            r["plan"],
            r["label"],
            _int(r.get("edition")),
            _int(r.get("adopted")),
            _int(r.get("start")),
            _int(r.get("end")),
            r.get("status"),
            _int(r.get("extended")),
            _int(r.get("last")),
        )

    @property
    def sort_key(self) -> tuple:
        return (self.start or self.adopted or 9999, self.edition or 99, self.iri)

    @property
    def adopted_plan(self) -> bool:
        return self.status != "in-development"

    def current_in(self, year: int) -> bool:
        return (
            self.adopted_plan
            and self.start is not None
            and self.last_in_force is not None
            and self.start <= year <= self.last_in_force
        )

    @property
    def period(self) -> str:
        """The period as a person reads it; an unknown end is said, never drawn as a gap."""
        if self.start and self.end:
            text = f"{self.start}-{self.end}"
            return f"{text}, extended to {self.extended}" if self.extended else text
        if self.start and self.extended:
            return f"{self.start}-{self.extended} (as extended)"
        if self.start:
            return f"from {self.start}, end not recorded"
        if self.adopted:
            return f"adopted {self.adopted}, period not recorded"
        return "period not recorded"


def plans_of(country: str) -> list[PlanSummary]:
    """Return a country's plans in date order, with their disputes and the gaps between them."""
    found = rows(f"""SELECT ?plan ?label ?edition ?adopted ?start ?end ?extended ?last ?status WHERE {{
        ?plan a wps:NationalActionPlan ; wps:country <{country}> ; rdfs:label ?label .
        OPTIONAL {{ ?plan wps:edition ?edition }} OPTIONAL {{ ?plan wps:adoptedYear ?adopted }}
        OPTIONAL {{ ?plan wps:startYear ?start }} OPTIONAL {{ ?plan wps:endYear ?end }}
        OPTIONAL {{ ?plan wps:extendedEndYear ?extended }} OPTIONAL {{ ?plan wps:lastYearInForce ?last }}
        OPTIONAL {{ ?plan wps:status/skos:notation ?status }} }}""")
    plans = {r["plan"]: PlanSummary.of_row(r) for r in found}
    for r in rows(f"""SELECT ?plan ?property ?label ?method ?comment WHERE {{
            ?plan wps:country <{country}> ; wps:reconciliation ?r .
            ?r wps:onProperty ?property ; wps:method/skos:notation ?method ; rdfs:comment ?comment .
            OPTIONAL {{ ?property rdfs:label ?label }} }} ORDER BY ?property"""):
        if r["plan"] in plans:
            plans[r["plan"]].disputes.append(r)
    ordered = sorted(plans.values(), key=lambda p: p.sort_key)
    mark_gaps(ordered)
    return ordered


def mark_gaps(ordered: list[PlanSummary]) -> None:
    """Set each plan's `gap_before`: the years without a plan since the last one in force.

    Years without a plan lie between the last year a plan was in force (its extension's end,
    where it was extended) and the next plan's start. After a plan whose end is not recorded
    nothing is known of the years that follow, so no gap is drawn until a later plan's end is
    known; plans in development cover no years.
    """
    previous_end, unknown = None, False
    for plan in ordered:
        if not plan.adopted_plan:
            continue
        begins = plan.start or plan.adopted
        if not unknown and previous_end is not None and begins is not None:
            if begins > previous_end + 1:
                plan.gap_before = begins - previous_end - 1
        if plan.last_in_force is None:
            unknown = True
        else:
            previous_end = max(previous_end or plan.last_in_force, plan.last_in_force)
            unknown = False


def current_plan(plans: list[PlanSummary], year: int) -> PlanSummary | None:
    current = [p for p in plans if p.current_in(year)]
    return current[-1] if current else None


def focus_areas(plan: str) -> list[dict]:
    areas = rows(f"""SELECT ?area ?position ?title ?description WHERE {{
        <{plan}> wps:focusArea ?area . ?area wps:position ?position .
        OPTIONAL {{ ?area dcterms:title ?title }} OPTIONAL {{ ?area dcterms:description ?description }}
        }} ORDER BY ?position""")
    pillars = defaultdict(list)
    for r in rows(f"""SELECT ?area ?label WHERE {{ <{plan}> wps:focusArea ?area .
            ?area wps:pillar/skos:prefLabel ?label }} ORDER BY ?label"""):
        pillars[r["area"]].append(r["label"])
    for area in areas:
        area["position"] = int(area["position"])
        area["pillars"] = pillars.get(area["area"], [])
    return sorted(areas, key=lambda a: a["position"])


def concepts(plan: str, prop: str) -> list[str]:
    return [
        r["label"]
        for r in rows(f"""SELECT ?label WHERE {{ <{plan}> wps:{prop}/skos:prefLabel ?label }}
        ORDER BY ?label""")
    ]


def claims_of(subject: str) -> list[dict]:
    """Return what each source says of a plan or a focus area: its plan or focus-area claims."""
    return rows(f"""SELECT ?claim ?source ?edition ?adopted ?start ?end ?position ?title ?note ?status ?date WHERE {{
        <{subject}> wps:claim ?claim . ?claim dcterms:source ?source .
        FILTER NOT EXISTS {{ ?claim a wps:ExtensionClaim }} FILTER NOT EXISTS {{ ?claim a wps:ThemeClaim }}
        OPTIONAL {{ ?claim wps:statedStatus/skos:notation ?status }} OPTIONAL {{ ?claim wps:statedDate ?date }}
        OPTIONAL {{ ?claim wps:statedEdition ?edition }} OPTIONAL {{ ?claim wps:statedAdoptedYear ?adopted }}
        OPTIONAL {{ ?claim wps:statedStartYear ?start }} OPTIONAL {{ ?claim wps:statedEndYear ?end }}
        OPTIONAL {{ ?claim wps:statedPosition ?position }} OPTIONAL {{ ?claim wps:statedTitle ?title }}
        OPTIONAL {{ ?claim skos:note ?note }} }} ORDER BY ?source ?claim""")


def extensions_of(plan: str) -> list[dict]:
    """Return each source's statement that the plan's period was extended."""
    return rows(f"""SELECT ?year ?source ?note WHERE {{ <{plan}> wps:claim ?c . ?c a wps:ExtensionClaim ;
        wps:statedExtendedEndYear ?year ; dcterms:source ?source . OPTIONAL {{ ?c skos:note ?note }} }}
        ORDER BY ?year ?source""")


def themes_of(plan: str) -> list[dict]:
    """Return the plan's themes, each with how it is known: recorded from a source, or derived
    from the words of a focus area, with those words."""
    themes: dict[str, dict] = {}
    for r in rows(f"""SELECT ?label ?how ?source ?matched WHERE {{ <{plan}> wps:claim ?c .
            ?c a wps:ThemeClaim ; wps:statedTheme/skos:prefLabel ?label ;
               wps:method/skos:notation ?how ; dcterms:source ?source .
            OPTIONAL {{ ?c wps:matchedText ?matched }} }} ORDER BY ?label ?how ?source"""):
        theme = themes.setdefault(r["label"], {"label": r["label"], "recorded": [], "derived": []})
        theme[r["how"]].append(r)
    return list(themes.values())


def contexts(country: str) -> list[dict]:
    return rows(f"""SELECT ?text ?plan ?planLabel ?source WHERE {{
        ?statement a wps:ContextStatement ; wps:country <{country}> ; rdf:value ?text ; dcterms:source ?source .
        OPTIONAL {{ ?statement wps:plan ?plan . ?plan rdfs:label ?planLabel }} }}""")


def country_facts(country: str) -> dict:
    facts = {
        "names": [],
        "iso3": None,
        "iso2": None,
        "m49": None,
        "region": None,
        "regionLabel": None,
        "sameAs": [],
        "member": None,
        "name": country.rsplit("/", 1)[-1],
    }
    for r in rows(
        f"""SELECT ?p ?o ?lang WHERE {{ <{country}> ?p ?o . BIND (LANG(?o) AS ?lang) }}"""
    ):
        p, o = r["p"], r["o"]
        if p == "http://www.w3.org/2004/02/skos/core#prefLabel":
            facts["name"] = o
        elif p == "http://www.w3.org/2000/01/rdf-schema#label" and r.get("lang") != "en":
            facts["names"].append((r.get("lang"), o))
        elif p == WPS + "iso3166Alpha3":
            facts["iso3"] = o
        elif p == WPS + "iso3166Alpha2":
            facts["iso2"] = o
        elif p == WPS + "unM49":
            facts["m49"] = o
        elif p == WPS + "unMemberSince":
            facts["member"] = o
        elif p == WPS + "region":
            facts["region"] = o
        elif p == "http://www.w3.org/2002/07/owl#sameAs":
            facts["sameAs"].append(o)
    if facts["region"]:
        labels = rows(f"SELECT ?l WHERE {{ <{facts['region']}> rdfs:label ?l }}")
        facts["regionLabel"] = labels[0]["l"] if labels else None
    facts["names"].sort()
    return facts


def status_claims(country: str) -> list[dict]:
    """Return what sources say of a country's plans without naming one, latest first."""
    found = rows(f"""SELECT ?note ?source ?status ?date WHERE {{ <{country}> wps:claim ?c .
        ?c a wps:StatusClaim ; skos:note ?note ; dcterms:source ?source .
        OPTIONAL {{ ?c wps:statedStatus/skos:prefLabel ?status }}
        OPTIONAL {{ ?c wps:statedDate ?date }} }}""")
    return sorted(found, key=lambda r: (r.get("date") or "", r["source"]), reverse=True)


def country_status(country: str) -> dict | None:
    """Return a country's NAP status: what the sources on hand say, when, and why."""
    found = rows(f"""SELECT ?notation ?label ?comment ?date WHERE {{
        <{country}> wps:napStatusRecord ?r . ?r wps:napStatus ?s ; rdfs:comment ?comment .
        ?s skos:notation ?notation ; skos:prefLabel ?label .
        OPTIONAL {{ ?r wps:evidenceDate ?date }} }}""")
    if not found:
        return None
    status = found[0]
    status["sources"] = [
        r["source"]
        for r in rows(f"""SELECT ?source WHERE {{ <{country}> wps:napStatusRecord ?r .
            ?r dcterms:source ?source }} ORDER BY ?source""")
    ]
    return status


def status_counts(year: int) -> dict:
    """Count the UN member and observer states (and others with a status) by what is known.

    A country with an adopted plan counts as in force in `year`, as having only expired
    plans, or as having plans whose end is not recorded; the others by their status.
    """
    statuses = {
        r["country"]: r["notation"]
        for r in rows("""SELECT ?country ?notation WHERE { ?country a wps:Country ;
            wps:napStatus/skos:notation ?notation }""")
    }
    plans = defaultdict(list)
    for r in rows("""SELECT ?country ?start ?adopted ?last WHERE {
            ?plan a wps:NationalActionPlan ; wps:country ?country ; wps:status wps:Adopted .
            OPTIONAL { ?plan wps:startYear ?start } OPTIONAL { ?plan wps:adoptedYear ?adopted }
            OPTIONAL { ?plan wps:lastYearInForce ?last } }"""):
        plans[r["country"]].append(
            (_int(r.get("start")) or _int(r.get("adopted")), _int(r.get("last")))
        )
    counts = Counter()
    for country, notation in statuses.items():
        if notation != "plan-adopted":
            counts[notation] += 1
            continue
        periods = plans.get(country, [])
        if any(s is not None and e is not None and s <= year <= e for s, e in periods):
            counts["in-force"] += 1
        elif periods and all(e is not None and e < year for _, e in periods):
            counts["expired"] += 1
        else:
            counts["end-not-recorded"] += 1
    counts["plan-adopted"] = counts["in-force"] + counts["expired"] + counts["end-not-recorded"]
    counts["all"] = len(statuses)
    counts["researched"] = counts["all"] - counts["not-researched"]
    return dict(counts)


def stated_figures(country: str) -> list[dict]:
    return rows(f"""SELECT ?category ?label ?women ?total ?page ?asOf WHERE {{
        ?o wps:statedIn ?page ; wps:contributor <{country}> ; wps:personnelCategory ?c ;
           wps:womenCount ?women ; wps:personnelCount ?total .
        ?c skos:notation ?category ; skos:prefLabel ?label . OPTIONAL {{ ?o wps:asOf ?asOf }} }}
        ORDER BY ?label""")


def parity_targets() -> dict[str, dict[int, float]]:
    """Return the targets of the UN Uniformed Gender Parity Strategy: category -> year -> share."""
    targets: dict[str, dict[int, float]] = defaultdict(dict)
    for r in rows(
        """SELECT ?category ?share ?year WHERE { ?o wps:targetShareOfWomen ?share ; wps:targetYear ?year ;
           wps:personnelCategory/skos:notation ?category }"""
    ):
        targets[r["category"]][int(r["year"][:4])] = float(r["share"])
    return targets


@dataclass
class Month:
    """One month of one category for a country, summed over missions."""

    month: str
    women: int | None  # None where the report gives no gender
    total: int
    status: str | None = None  # a notation of the observation status scheme

    @property
    def share(self) -> float | None:
        if self.women is None or not self.total or self.status == "gender-split-unreliable":
            return None
        return self.women / self.total


def monthly_contributions(country: str) -> dict[str, list[Month]]:
    """Return, per category, every month summed over missions, in order.

    Months whose report has no breakdown by mission come from the dataset by country; months
    whose report has no gender from the headcounts, with women unknown.
    """
    series: dict[str, dict[str, Month]] = defaultdict(dict)
    for r in rows(f"""SELECT ?category ?month (SUM(?w) AS ?women) (SUM(?t) AS ?total) WHERE {{
            ?o wps:contributor <{country}> ; wps:refMonth ?month ;
               wps:personnelCategory/skos:notation ?category ; wps:womenCount ?w ; wps:personnelCount ?t }}
            GROUP BY ?category ?month"""):
        series[r["category"]][r["month"]] = Month(r["month"], int(r["women"]), int(r["total"]))
    for r in rows(f"""SELECT ?category ?month ?total WHERE {{
            ?o wps:contributor <{country}> ; wps:refMonth ?month ;
               wps:personnelCategory/skos:notation ?category ; wps:personnelCount ?total .
            FILTER NOT EXISTS {{ ?o wps:womenCount ?w }} }}"""):
        series[r["category"]].setdefault(r["month"], Month(r["month"], None, int(r["total"])))
    for r in rows(f"""SELECT DISTINCT ?category ?month ?status WHERE {{
            ?o wps:contributor <{country}> ; wps:refMonth ?month ;
               wps:personnelCategory/skos:notation ?category ; wps:observationStatus/skos:notation ?status }}"""):
        month = series[r["category"]].get(r["month"])
        if month is not None:
            month.status = r["status"]
    return {c: [months[m] for m in sorted(months)] for c, months in series.items()}


# The seed page's figures: troops, experts, police (individual and formed units together)
# and staff officers.
SUMMARY_CATEGORIES = [
    ("Troops", ("troops",)),
    ("Experts on mission", ("experts-on-mission",)),
    ("Police", ("individual-police", "formed-police-units")),
    ("Staff officers", ("staff-officers",)),
]


def latest_month() -> str | None:
    """The latest month of the peacekeeping statistics, found once per store."""
    cache = served().cache.setdefault("pages", {})
    if "latest_month" not in cache:
        found = rows("SELECT (MAX(STR(?month)) AS ?last) WHERE { ?o wps:refMonth ?month }")
        cache["latest_month"] = found[0].get("last") if found else None
    return cache["latest_month"]


def latest_month_summary(series: dict[str, list[Month]], month: str) -> dict:
    """Women out of all in one month, per category of the seed page and in all."""
    at = {c: next((m for m in values if m.month == month), None) for c, values in series.items()}
    lines, women, total, known = [], 0, 0, True
    for label, categories in SUMMARY_CATEGORIES:
        found = [at[c] for c in categories if at.get(c)]
        if not found:
            continue
        w = None if any(m.share is None and m.total for m in found) else sum(m.women for m in found)
        t = sum(m.total for m in found)
        lines.append({"label": label, "women": w, "total": t})
        total += t
        if w is None:
            known = False
        else:
            women += w
    return {"month": month, "lines": lines, "women": women if known else None, "total": total}


def statistics_sources(country: str) -> list[dict]:
    """The source datasets of a country's monthly figures, with the months each gives."""
    return rows(f"""SELECT ?source ?title ?publisher (MIN(?month) AS ?first) (MAX(?month) AS ?last) WHERE {{
            ?o wps:contributor <{country}> ; wps:refMonth ?month ; wps:dataSource ?source .
            ?source dcterms:title ?title .
            OPTIONAL {{ ?source dcterms:publisher/foaf:name ?publisher }} }}
            GROUP BY ?source ?title ?publisher ORDER BY ?first""")


def country_totals(country: str) -> list[dict]:
    return rows(f"""SELECT ?month ?women ?total WHERE {{ ?o wps:contributor <{country}> ;
        wps:personnelCategory wps:AllUniformedPersonnel ; wps:refMonth ?month ;
        wps:womenCount ?women ; wps:personnelCount ?total }} ORDER BY ?month""")


def countries_with_plans() -> list[dict]:
    """Every country whose status is "a plan has been adopted": name, region, number of
    plans on record, the plan in force this year, and else its latest plan."""
    found = rows("""SELECT ?country ?name ?iso3 ?region ?regionLabel ?plan ?planLabel ?start ?adopted ?last WHERE {
        ?country wps:napStatus wps:HasAdoptedPlan ; skos:prefLabel ?name ; wps:iso3166Alpha3 ?iso3 .
        OPTIONAL { ?country wps:region ?region . ?region rdfs:label ?regionLabel }
        OPTIONAL { ?plan a wps:NationalActionPlan ; wps:country ?country ; wps:status wps:Adopted ;
                   rdfs:label ?planLabel .
                   OPTIONAL { ?plan wps:startYear ?start } OPTIONAL { ?plan wps:adoptedYear ?adopted }
                   OPTIONAL { ?plan wps:lastYearInForce ?last } } }""")
    year = this_year()
    countries: dict[str, dict] = {}
    for r in found:
        entry = countries.setdefault(
            r["country"],
            {
                "country": r["country"],
                "name": r["name"],
                "iso3": r["iso3"],
                "region": r.get("regionLabel"),
                "region_key": r["region"].rsplit("/", 1)[-1] if r.get("region") else None,
                "plans": set(),
                "current": None,
                "latest": None,
            },
        )
        if not r.get("plan"):
            continue
        entry["plans"].add(r["plan"])
        start, last = _int(r.get("start")), _int(r.get("last"))
        begins = start or _int(r.get("adopted"))
        plan = {"iri": r["plan"], "label": r["planLabel"], "start": begins, "last": last}
        # Where plans overlap, the one that began last is the current one.
        if start and last and start <= year <= last:
            if entry["current"] is None or start > entry["current"]["start"]:
                entry["current"] = {**plan, "period": f"{start}-{last}"}
        latest = entry["latest"]
        if latest is None or (begins or 0) > (latest["start"] or 0):
            entry["latest"] = plan
    for entry in countries.values():
        entry["plans"] = len(entry["plans"])
        latest = entry["latest"]
        if entry["current"] is None and latest is not None:
            if latest["last"] is not None and latest["last"] < year:
                latest["state"] = f"expired in {latest['last']}"
            elif latest["last"] is None:
                latest["state"] = (
                    f"from {latest['start']}, end not recorded"
                    if latest["start"]
                    else "period not recorded"
                )
            else:
                latest["state"] = f"begins {latest['start']}"
    return sorted(countries.values(), key=lambda c: c["name"])


def dataset_sources() -> list[dict]:
    """Every registered source dataset: title, page, publisher, and its terms as it states them."""
    prefix = base() + "id/source/"
    found = rows(f"""SELECT DISTINCT ?source ?title ?page ?publisher ?licence ?rights WHERE {{
        ?source a dcat:Dataset ; dcterms:title ?title . FILTER (STRSTARTS(STR(?source), "{prefix}"))
        OPTIONAL {{ ?source dcat:landingPage ?page }} OPTIONAL {{ ?source dcterms:publisher/foaf:name ?publisher }}
        OPTIONAL {{ ?source dcterms:license ?licence }} OPTIONAL {{ ?source dcterms:rights/rdfs:label ?rights }} }}""")
    # Sorted here: stores collate a title that is the start of another differently.
    return sorted(found, key=lambda r: (r["title"], r["source"]))


# ------------------------------------------------------------------ pages


def country_page(iri: str) -> dict:
    """Everything the page of a country shows."""
    year = this_year()
    plans = plans_of(iri)
    current = current_plan(plans, year)
    plan_sections = []
    for plan in reversed(plans):
        areas = focus_areas(plan.iri)
        themes, scopes = concepts(plan.iri, "theme"), concepts(plan.iri, "scope")
        if areas or themes or scopes:
            plan_sections.append(
                {
                    "plan": plan,
                    "areas": areas,
                    "themes": themes,
                    "scopes": scopes,
                    "current": plan is current,
                }
            )
    targets = parity_targets()
    series = monthly_contributions(iri)
    charts, latest = [], []
    months = [m.month for values in series.values() for m in values]
    # One y scale for every category's chart: small multiples compare at a glance.
    top = shared_top(
        [m.share for n, _, _ in CHART_CATEGORIES for m in series.get(n, [])],
        [s for _, _, t in CHART_CATEGORIES for s in targets.get(t, {}).values()],
    )
    for notation, label, target_notation in CHART_CATEGORIES:
        values = series.get(notation)
        if not values:
            continue
        by_year = targets.get(target_notation, {})
        final = by_year.get(max(by_year)) if by_year else None
        chart_id = f"chart-{notation}"
        charts.append(
            {
                "label": label,
                "svg": share_chart(
                    chart_id,
                    f"{label}: share of women, {values[0].month} to {values[-1].month}",
                    {label: values},
                    by_year,
                    min(months),
                    max(months),
                    top,
                ),
                "target": final,
                "id": chart_id,
                "small": sum(1 for m in values if m.share is not None and m.total < SMALL),
                "withheld": [m.month for m in values if m.status == "gender-split-unreliable"],
                "year_targets": sorted(
                    (y, s) for y, s in by_year.items() if months and y <= int(max(months)[:4])
                ),
            }
        )
        last = values[-1]
        year = int(last.month[:4])
        latest.append(
            {
                "label": label,
                "month": last.month,
                "women": last.women,
                "total": last.total,
                "share": last.share,
                "status": last.status,
                "year_target": by_year.get(year),
                "target": final,
                "months": len(values),
            }
        )
    others = [c for c in countries_with_plans() if c["country"] != iri]
    return {
        "now": latest_month_summary(series, latest_month()) if months else None,
        "facts": country_facts(iri),
        "plans": plans,
        "current": current,
        "year": year,
        "plan_sections": plan_sections,
        "contexts": contexts(iri),
        "status_claims": status_claims(iri),
        "status": country_status(iri),
        "stated": stated_figures(iri),
        "charts": charts,
        "latest": latest,
        "totals": country_totals(iri),
        "series": {label: series.get(n, []) for n, label, _ in CHART_CATEGORIES},
        "statistics_sources": statistics_sources(iri),
        "target_year": max((y for t in targets.values() for y in t), default=None),
        "others": others,
        "small": SMALL,
        "first_month": min(months) if months else None,
        "last_month": max(months) if months else None,
    }


def plan_page(iri: str) -> dict:
    """Everything the page of a plan shows."""
    facts = rows(f"""SELECT ?country ?countryName WHERE {{ <{iri}> wps:country ?country .
        ?country skos:prefLabel ?countryName }}""")
    country = facts[0] if facts else {"country": None, "countryName": None}
    plans = plans_of(country["country"]) if country["country"] else []
    this = next((p for p in plans if p.iri == iri), None)
    position = plans.index(this) if this in plans else None
    return {
        "plan": this,
        "country": country,
        "year": this_year(),
        "extensions": extensions_of(iri),
        "theme_claims": themes_of(iri),
        "previous": plans[position - 1] if position else None,
        "next": plans[position + 1] if position is not None and position + 1 < len(plans) else None,
        "areas": focus_areas(iri),
        "themes": concepts(iri, "theme"),
        "scopes": concepts(iri, "scope"),
        "claims": claims_of(iri),
        "contexts": [c for c in contexts(country["country"]) if c.get("plan") == iri]
        if country["country"]
        else [],
    }


def focus_area_page(iri: str) -> dict:
    """Everything the page of a focus area shows."""
    facts = rows(f"""SELECT ?plan ?planLabel ?position ?title ?description WHERE {{
        <{iri}> wps:isFocusAreaOf ?plan ; wps:position ?position . ?plan rdfs:label ?planLabel .
        OPTIONAL {{ <{iri}> dcterms:title ?title }} OPTIONAL {{ <{iri}> dcterms:description ?description }} }}""")
    area = facts[0] if facts else {}
    pillars = [
        r["label"]
        for r in rows(f"SELECT ?label WHERE {{ <{iri}> wps:pillar/skos:prefLabel ?label }}")
    ]
    disputes = rows(f"""SELECT ?comment ?method WHERE {{ <{iri}> wps:reconciliation ?r .
        ?r rdfs:comment ?comment ; wps:method/skos:notation ?method }}""")
    return {"area": area, "pillars": pillars, "claims": claims_of(iri), "disputes": disputes}
