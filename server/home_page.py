"""What the home page shows of the countries: each one's NAP status in any year since 2000 (a
map, a list and small multiples by region), its latest plan, and what was researched."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app

from server import region_chart, world_map
from server.pages import PlanSummary, _int, rows, this_year
from server.render import local_url
from server.store_access import served

FIRST_YEAR = 2000  # Resolution 1325

# The map's classes in the legend's order: key, legend text. The colours are in style.css
# (.s-KEY, .swatch-KEY): Okabe and Ito's palette, told apart with every common colour
# blindness; "not researched" is hatched so that it never reads as "none found".
STATUSES = [
    ("in-force", "a plan in force"),
    ("expired", "plans expired, none in force"),
    ("years-not-recorded", "a plan adopted, its years not recorded"),
    ("in-development", "a plan in development, none adopted"),
    ("none-found", "no plan found in the sources searched"),
    ("not-researched", "not researched"),
    ("no-status", "not a UN member or observer state: no status"),
]
LABELS = dict(STATUSES)


@dataclass
class Country:
    iri: str
    name: str
    iso3: str
    m49: str | None
    region: str | None
    status: str | None  # a notation of the country status scheme; None outside its scope
    evidence: str | None  # the latest date its evidence states
    plans: list[PlanSummary] = field(default_factory=list)

    @property
    def adopted(self) -> list[PlanSummary]:
        return [p for p in self.plans if p.adopted_plan]


def _begins(plan: PlanSummary) -> int | None:
    return plan.start or plan.adopted


def countries() -> list[Country]:
    """Every country of the graph with its status and plans, by SPARQL, once per build."""
    cache = served().cache.setdefault("home", {})
    if "countries" in cache:
        return cache["countries"]
    found = {}
    for r in rows("""SELECT ?country ?name ?iso3 ?m49 ?regionLabel ?status ?date WHERE {
            ?country a wps:Country ; skos:prefLabel ?name ; wps:iso3166Alpha3 ?iso3 .
            OPTIONAL { ?country wps:unM49 ?m49 }
            OPTIONAL { ?country wps:region/rdfs:label ?regionLabel }
            OPTIONAL { ?country wps:napStatusRecord ?r . ?r wps:napStatus/skos:notation ?status .
                       OPTIONAL { ?r wps:evidenceDate ?date } } }"""):
        found[r["country"]] = Country(
            r["country"],
            r["name"],
            r["iso3"],
            r.get("m49"),
            r.get("regionLabel"),
            r.get("status"),
            r.get("date"),
        )
    for r in rows("""SELECT ?plan ?country ?label ?edition ?adopted ?start ?end ?extended ?last ?status WHERE {
            ?plan a wps:NationalActionPlan ; wps:country ?country ; rdfs:label ?label .
            OPTIONAL { ?plan wps:edition ?edition } OPTIONAL { ?plan wps:adoptedYear ?adopted }
            OPTIONAL { ?plan wps:startYear ?start } OPTIONAL { ?plan wps:endYear ?end }
            OPTIONAL { ?plan wps:extendedEndYear ?extended } OPTIONAL { ?plan wps:lastYearInForce ?last }
            OPTIONAL { ?plan wps:status/skos:notation ?status } }"""):
        if r["country"] in found:
            found[r["country"]].plans.append(PlanSummary.of_row(r))
    for country in found.values():
        country.plans.sort(key=lambda p: p.sort_key)
    cache["countries"] = sorted(found.values(), key=lambda c: c.name)
    return cache["countries"]


def plan_name(plan: PlanSummary) -> str:
    """Name a plan as "4th plan, 2023-2030": the edition as an ordinal, and the years as recorded."""
    if plan.edition:
        n = plan.edition
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        name = f"{n}{suffix} plan"
    else:
        name = "plan"
    if plan.start and plan.end:
        extended = f", extended to {plan.extended}" if plan.extended else ""
        return f"{name}, {plan.start}-{plan.end}{extended}"
    if plan.start and plan.extended:
        return f"{name}, {plan.start}-{plan.extended} as extended"
    if plan.start:
        return f"{name}, from {plan.start}"
    if plan.adopted:
        return f"{name}, adopted {plan.adopted}"
    return name


def plan_state(plan: PlanSummary, year: int) -> str:
    """Whether a plan is in force in `year`, expired, yet to begin, or of unknown end."""
    begins = _begins(plan)
    if begins is None:
        return "years not recorded"
    if begins > year:
        return f"begins {begins}"
    if plan.last_in_force is None:
        return "end not recorded" if plan.start else "period not recorded"
    if plan.last_in_force < year:
        return f"expired in {plan.last_in_force}"
    return "in force"


def status_in(country: Country, year: int) -> tuple[str, str]:
    """Return a country's status in `year` (a key of STATUSES) and what it rests on, in words.

    Before a country's first plan it had none on record; a plan whose end is not recorded
    may or may not have been in force, and a plan whose years are not recorded says nothing
    of any one year: both are said, never guessed.
    """
    if country.status is None:
        return "no-status", LABELS["no-status"]
    if country.status == "not-researched":
        return "not-researched", "not researched: nothing is known of its plans"
    adopted = country.adopted
    in_force = [
        p
        for p in adopted
        if _begins(p) is not None and p.last_in_force is not None
        if _begins(p) <= year <= p.last_in_force
    ]
    if in_force:
        return "in-force", f"{plan_name(in_force[-1])}, in force"
    begun = [p for p in adopted if _begins(p) is not None and _begins(p) <= year]
    open_ended = [p for p in begun if p.last_in_force is None]
    if open_ended:
        plan = open_ended[-1]
        return (
            "years-not-recorded",
            f"{plan_name(plan)}, {plan_state(plan, year)}: whether it was in force in {year} is not recorded",
        )
    if begun:
        last = max(p.last_in_force for p in begun)
        return "expired", f"no plan in force; the last expired in {last}"
    undated = [p for p in adopted if _begins(p) is None]
    if undated or (country.status == "plan-adopted" and not adopted):
        return "years-not-recorded", "a plan adopted; its years are not recorded"
    if country.status == "plan-adopted":
        first = min(_begins(p) for p in adopted)
        return "none-found", f"no plan on record before its first, of {first}"
    if country.status == "plan-in-development":
        since = int(country.evidence[:4]) if country.evidence else this_year()
        if year >= since:
            return (
                "in-development",
                f"a plan in development (as of {country.evidence or 'a date not recorded'}), none adopted",
            )
        return "none-found", f"no plan found; one was in development by {since}"
    return "none-found", LABELS["none-found"]


def years() -> list[int]:
    return list(range(FIRST_YEAR, this_year() + 1))


def chosen_year(value: str | None) -> int:
    """The year asked for (?year=), else this year; out of range means this year too."""
    year = _int(value) if value and value.isdigit() else None
    return year if year is not None and FIRST_YEAR <= year <= this_year() else this_year()


def world_map_svg(year: int) -> str | None:
    """The map of every status in `year`, once per build and year; None without world-atlas."""
    projection = world_map.projected(current_app.config["NODE_MODULES"])
    if projection is None:
        return None
    cache = served().cache.setdefault("home", {})
    key = ("map", year)
    if key not in cache:
        areas = {}
        for country in countries():
            code = country.m49 or country.iso3  # world-atlas's code, or Kosovo's alpha-3
            status, detail = status_in(country, year)
            href = local_url(country.iri) if status != "no-status" else None
            areas[code] = world_map.Area(status, f"{country.name}, {year}: {detail}", href)
        cache[key] = world_map.svg(
            projection,
            areas,
            f"World map of National Action Plans in {year}: each country's status",
            world_map.Area("no-status", "no status recorded", None),
            "world-map",
        )
    return cache[key]


def by_status(year: int) -> list[dict]:
    """The map as lists: every country with a status, grouped by its status in `year`."""
    groups = defaultdict(list)
    for country in countries():
        status, detail = status_in(country, year)
        if status != "no-status":
            groups[status].append({"country": country, "detail": detail})
    return [
        {"key": key, "label": label, "countries": groups[key]}
        for key, label in STATUSES
        if groups.get(key)
    ]


def latest_plans(year: int) -> dict[str, dict]:
    """Each country's latest plan (by the year it began) with its state in `year`, and the
    plan in force then where that is another one."""
    found = {}
    for country in countries():
        adopted = country.adopted
        if not adopted:
            continue
        latest = adopted[-1]
        current = [p for p in adopted if plan_state(p, year) == "in force"]
        found[country.iri] = {
            "plan": latest,
            "name": plan_name(latest),
            "state": plan_state(latest, year),
            "current": current[-1] if current and current[-1] is not latest else None,
        }
    return found


def regions_over_time() -> dict:
    """Per region and year: the countries with a plan in force, and those that had adopted
    one by then. Plans whose years are not recorded count in no year."""
    in_force: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    adopted: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for country in countries():
        if country.status != "plan-adopted" or not country.region:
            continue
        first = min((b for p in country.adopted if (b := _begins(p)) is not None), default=None)
        for year in years():
            if status_in(country, year)[0] == "in-force":
                in_force[country.region][year] += 1
            if first is not None and first <= year:
                adopted[country.region][year] += 1
    regions = sorted(adopted)
    top = max((adopted[r][y] for r in regions for y in years()), default=0)
    found = []
    for i, region in enumerate(regions):
        counts = [in_force[region][y] for y in years()], [adopted[region][y] for y in years()]
        found.append(
            {
                "name": region,
                "cells": list(zip(years(), *counts, strict=True)),
                "svg": region_chart.region_svg(f"region-{i}", region, years(), *counts, top),
            }
        )
    return {"years": years(), "regions": found}


def coverage() -> dict:
    """How many states have a status, how many were researched, and the dates of their evidence."""
    scoped = [c for c in countries() if c.status is not None]
    researched = [c for c in scoped if c.status != "not-researched"]
    dated = sorted(c.evidence[:4] for c in researched if c.evidence)
    return {
        "all": len(scoped),
        "researched": len(researched),
        "dated": len(dated),
        "first": dated[0] if dated else None,
        "last": dated[-1] if dated else None,
    }
