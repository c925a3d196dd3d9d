"""What the pages for people show, gathered from the graph by SPARQL and nothing else."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app

from server.store_access import select

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
    disputes: list[dict] = field(default_factory=list)
    gap_before: int | None = None  # years without a plan between the previous plan and this one

    @property
    def sort_key(self) -> tuple:
        return (self.start or self.adopted or 9999, self.edition or 99, self.iri)

    def current_in(self, year: int) -> bool:
        return (
            self.status != "in-development"
            and self.start is not None
            and self.end is not None
            and self.start <= year <= self.end
        )

    @property
    def period(self) -> str:
        if self.start and self.end:
            return f"{self.start}-{self.end}"
        if self.start:
            return f"from {self.start}"
        return "period not stated"


def plans_of(country: str) -> list[PlanSummary]:
    """Return a country's plans in date order, with their disputes and the gaps between them."""
    found = rows(f"""SELECT ?plan ?label ?edition ?adopted ?start ?end ?status WHERE {{
        ?plan a wps:NationalActionPlan ; wps:country <{country}> ; rdfs:label ?label .
        OPTIONAL {{ ?plan wps:edition ?edition }} OPTIONAL {{ ?plan wps:adoptedYear ?adopted }}
        OPTIONAL {{ ?plan wps:startYear ?start }} OPTIONAL {{ ?plan wps:endYear ?end }}
        OPTIONAL {{ ?plan wps:status/skos:notation ?status }} }}""")
    plans = {
        r["plan"]: PlanSummary(
            r["plan"],
            r["label"],
            _int(r.get("edition")),
            _int(r.get("adopted")),
            _int(r.get("start")),
            _int(r.get("end")),
            r.get("status"),
        )
        for r in found
    }
    for r in rows(f"""SELECT ?plan ?property ?label ?method ?comment WHERE {{
            ?plan wps:country <{country}> ; wps:reconciliation ?r .
            ?r wps:onProperty ?property ; wps:method/skos:notation ?method ; rdfs:comment ?comment .
            OPTIONAL {{ ?property rdfs:label ?label }} }} ORDER BY ?property"""):
        if r["plan"] in plans:
            plans[r["plan"]].disputes.append(r)
    ordered = sorted(plans.values(), key=lambda p: p.sort_key)
    previous_end = None
    for plan in ordered:
        begins = plan.start or plan.adopted
        if previous_end is not None and begins is not None and begins > previous_end + 1:
            plan.gap_before = begins - previous_end - 1
        if plan.end is not None:
            previous_end = plan.end if previous_end is None else max(previous_end, plan.end)
    return ordered


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
    """Return what each source says of a plan, focus area or country."""
    return rows(f"""SELECT ?claim ?source ?edition ?adopted ?start ?end ?position ?title ?note WHERE {{
        <{subject}> wps:claim ?claim . ?claim dcterms:source ?source .
        OPTIONAL {{ ?claim wps:statedEdition ?edition }} OPTIONAL {{ ?claim wps:statedAdoptedYear ?adopted }}
        OPTIONAL {{ ?claim wps:statedStartYear ?start }} OPTIONAL {{ ?claim wps:statedEndYear ?end }}
        OPTIONAL {{ ?claim wps:statedPosition ?position }} OPTIONAL {{ ?claim wps:statedTitle ?title }}
        OPTIONAL {{ ?claim skos:note ?note }} }} ORDER BY ?source ?claim""")


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
    return rows(f"""SELECT ?note ?source WHERE {{ <{country}> wps:claim ?c . ?c a wps:StatusClaim ;
        skos:note ?note ; dcterms:source ?source }}""")


def stated_figures(country: str) -> list[dict]:
    return rows(f"""SELECT ?category ?label ?women ?total ?page ?asOf WHERE {{
        ?o wps:statedIn ?page ; wps:contributor <{country}> ; wps:personnelCategory ?c ;
           wps:womenCount ?women ; wps:personnelCount ?total .
        ?c skos:notation ?category ; skos:prefLabel ?label . OPTIONAL {{ ?o wps:asOf ?asOf }} }}
        ORDER BY ?label""")


def parity_targets() -> dict[str, dict]:
    return {
        r["category"]: {"share": float(r["share"]), "year": r["year"]}
        for r in rows(
            """SELECT ?category ?share ?year WHERE { ?o wps:targetShareOfWomen ?share ; wps:targetYear ?year ;
           wps:personnelCategory/skos:notation ?category }"""
        )
    }


def monthly_contributions(country: str) -> dict[str, list[tuple[str, int, int]]]:
    """Return, per category, (month, women, personnel) summed over missions."""
    series = defaultdict(list)
    for r in rows(f"""SELECT ?category ?month (SUM(?w) AS ?women) (SUM(?t) AS ?total) WHERE {{
            ?o wps:contributor <{country}> ; wps:mission ?mission ; wps:refMonth ?month ;
               wps:personnelCategory/skos:notation ?category ; wps:womenCount ?w ; wps:personnelCount ?t }}
            GROUP BY ?category ?month ORDER BY ?month"""):
        series[r["category"]].append((r["month"], int(r["women"]), int(r["total"])))
    return series


def country_totals(country: str) -> list[dict]:
    return rows(f"""SELECT ?month ?women ?total WHERE {{ ?o wps:contributor <{country}> ;
        wps:personnelCategory wps:AllUniformedPersonnel ; wps:refMonth ?month ;
        wps:womenCount ?women ; wps:personnelCount ?total }} ORDER BY ?month""")


def countries_with_plans() -> list[dict]:
    """Every country with at least one plan: name, region, number of plans, current plan."""
    found = rows("""SELECT ?country ?name ?iso3 ?region ?regionLabel ?plan ?planLabel ?start ?end ?status WHERE {
        ?plan a wps:NationalActionPlan ; wps:country ?country ; rdfs:label ?planLabel .
        ?country skos:prefLabel ?name ; wps:iso3166Alpha3 ?iso3 .
        OPTIONAL { ?country wps:region ?region . ?region rdfs:label ?regionLabel }
        OPTIONAL { ?plan wps:startYear ?start } OPTIONAL { ?plan wps:endYear ?end }
        OPTIONAL { ?plan wps:status/skos:notation ?status } }""")
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
            },
        )
        entry["plans"].add(r["plan"])
        start, end = _int(r.get("start")), _int(r.get("end"))
        current = entry["current"]
        # Where plans overlap, the one that began last is the current one.
        if (
            r.get("status") != "in-development"
            and start
            and end
            and start <= year <= end
            and (current is None or start > current["start"])
        ):
            entry["current"] = {
                "iri": r["plan"],
                "label": r["planLabel"],
                "period": f"{start}-{end}",
                "start": start,
            }
    for entry in countries.values():
        entry["plans"] = len(entry["plans"])
    return sorted(countries.values(), key=lambda c: c["name"])


def dataset_sources() -> list[dict]:
    prefix = base() + "id/source/"
    return rows(f"""SELECT DISTINCT ?source ?title ?page ?publisher WHERE {{ ?source a dcat:Dataset ;
        dcterms:title ?title . FILTER (STRSTARTS(STR(?source), "{prefix}"))
        OPTIONAL {{ ?source dcat:landingPage ?page }} OPTIONAL {{ ?source dcterms:publisher/foaf:name ?publisher }} }}
        ORDER BY ?title""")


def base() -> str:
    return current_app.config["BASE_IRI"]


# ------------------------------------------------------------------ pages


def country_page(iri: str) -> dict:
    """Everything the page of a country shows."""
    from server.charts import share_chart

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
    months = [m for values in series.values() for m, _, _ in values]
    for notation, label, target_notation in CHART_CATEGORIES:
        values = series.get(notation)
        if not values:
            continue
        target = targets.get(target_notation, {}).get("share")
        chart_id = f"chart-{notation}"
        charts.append(
            {
                "label": label,
                "svg": share_chart(
                    chart_id,
                    f"{label}: share of women, {values[0][0]} to {values[-1][0]}",
                    values,
                    target,
                    min(months),
                    max(months),
                ),
                "target": target,
                "id": chart_id,
            }
        )
        month, women, total = values[-1]
        latest.append(
            {
                "label": label,
                "month": month,
                "women": women,
                "total": total,
                "share": women / total if total else None,
                "target": target,
                "months": len(values),
            }
        )
    others = [c for c in countries_with_plans() if c["country"] != iri]
    return {
        "facts": country_facts(iri),
        "plans": plans,
        "current": current,
        "year": year,
        "plan_sections": plan_sections,
        "contexts": contexts(iri),
        "status_claims": status_claims(iri),
        "stated": stated_figures(iri),
        "charts": charts,
        "latest": latest,
        "totals": country_totals(iri),
        "series": {n: series.get(n, []) for n, _, _ in CHART_CATEGORIES},
        "others": others,
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
