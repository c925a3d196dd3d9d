"""Import the NAP facts (one row per source) and the curators' files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nap_graph.sources.records import (
    ISO3,
    ISO3_TEXT,
    ErrorCollector,
    ImportReport,
    Origin,
    read_csv,
)

PLANS_FILE = "nap-facts/plans.csv"
FOCUS_FILE = "nap-facts/focus_areas.csv"
FIGURES_FILE = "nap-facts/peacekeeping.csv"
ATTRIBUTES_FILE = "curated/plan_attributes.csv"
ASSIGNMENTS_FILE = "curated/plan_assignments.csv"
DECISIONS_FILE = "curated/decisions.csv"
CURATED_FOCUS_FILE = "curated/focus_areas.csv"
CONTEXTS_FILE = "curated/contexts.csv"

# Properties of a plan that a curator may decide, by the name used in decisions.csv.
DECIDABLE = ("edition", "adopted_year", "start_year", "end_year")
STATED_CATEGORIES = {
    "contingent": "troops",
    "experts": "experts-on-mission",
    "police": "police",
    "staff_officers": "staff-officers",
}


@dataclass(frozen=True)
class PlanClaimRow:
    iso3: str
    country_name: str | None
    edition: int | None
    adopted: int | None
    start: int | None
    end: int | None
    source: str
    note: str | None
    origin: Origin


@dataclass(frozen=True)
class FocusClaimRow:
    iso3: str
    plan_start: int | None
    plan_end: int | None
    position: int
    title: str
    pillar: str | None
    source: str
    origin: Origin


@dataclass(frozen=True)
class StatedFigure:
    iso3: str
    category: str  # notation of a personnel category concept
    label: str | None
    women: int
    total: int
    as_of: str | None
    source: str
    note: str | None
    origin: Origin


@dataclass(frozen=True)
class PlanAttribute:
    iso3: str
    plan: str
    attribute: str  # theme | scope | status
    value: str  # notation of a concept
    source: str
    note: str | None
    origin: Origin


@dataclass(frozen=True)
class Assignment:
    iso3: str
    source: str
    stated_edition: int | None
    stated_year: int | None
    plan: str
    reason: str
    origin: Origin


@dataclass(frozen=True)
class Decision:
    iso3: str
    plan: str
    property: str
    value: int | None
    reason: str
    origin: Origin


@dataclass(frozen=True)
class CuratedFocusArea:
    iso3: str
    plan: str
    position: int
    title: str
    description: str | None
    pillars: tuple[str, ...]
    source: str
    note: str | None
    origin: Origin


@dataclass(frozen=True)
class ContextRow:
    iso3: str
    plan: str | None
    text: str
    source: str
    note: str | None
    origin: Origin


@dataclass
class NapSources:
    plan_claims: list[PlanClaimRow]
    focus_claims: list[FocusClaimRow]
    figures: list[StatedFigure]
    attributes: list[PlanAttribute]
    assignments: list[Assignment]
    decisions: list[Decision]
    curated_focus: list[CuratedFocusArea]
    contexts: list[ContextRow]


def _plan_key(row, name: str) -> str | None:
    value = row.text(name, required=True)
    if value is not None and not re.fullmatch(r"[1-9]\d?|\d{4}", value):
        row.errors.add(
            row.origin,
            name,
            f"expected an edition (1-99) or the year of an unnumbered plan, got {value!r}",
        )
        return None
    return value


def read_nap_sources(
    data_dir: Path,
    vocabulary: dict[str, dict[str, str]],
    errors: ErrorCollector,
    report: ImportReport,
) -> NapSources:
    """Read the NAP facts and curated files; `vocabulary` maps scheme -> notation -> IRI."""
    pillars = set(vocabulary["pillar"])
    sources = NapSources([], [], [], [], [], [], [], [])

    def rows(name: str, columns: list[str]):
        for row in read_csv(data_dir / name, data_dir, errors, columns):
            report.read[row.origin.file] += 1
            yield row

    for row in rows(
        PLANS_FILE,
        [
            "country_name",
            "iso3",
            "edition",
            "adopted_year",
            "start_year",
            "end_year",
            "source_url",
            "note",
        ],
    ):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), row.iri("source_url", required=True)
        values = (
            row.integer("edition", minimum=1),
            row.year("adopted_year"),
            row.year("start_year"),
            row.year("end_year"),
        )
        if iso3 and source:
            sources.plan_claims.append(
                PlanClaimRow(
                    iso3, row.text("country_name"), *values, source, row.text("note"), row.origin
                )
            )

    for row in rows(
        FOCUS_FILE,
        [
            "iso3",
            "plan_start_year",
            "plan_end_year",
            "position",
            "title",
            "pillar_hint",
            "source_url",
        ],
    ):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), row.iri("source_url", required=True)
        position, title = (
            row.integer("position", required=True, minimum=1),
            row.text("title", required=True),
        )
        pillar = row.choice("pillar_hint", pillars)
        start, end = row.year("plan_start_year"), row.year("plan_end_year")
        if iso3 and source and position and title:
            sources.focus_claims.append(
                FocusClaimRow(iso3, start, end, position, title, pillar, source, row.origin)
            )

    for row in rows(
        FIGURES_FILE, ["iso3", "category", "label", "women", "total", "as_of", "source_url", "note"]
    ):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), row.iri("source_url", required=True)
        category = row.choice("category", STATED_CATEGORIES, required=True)
        women = row.integer("women", required=True)
        total = row.integer("total", required=True)
        if iso3 and source and category and women is not None and total is not None:
            sources.figures.append(
                StatedFigure(
                    iso3,
                    STATED_CATEGORIES[category],
                    row.text("label"),
                    women,
                    total,
                    row.date("as_of"),
                    source,
                    row.text("note"),
                    row.origin,
                )
            )

    schemes = {"theme": "theme", "scope": "scope", "status": "status"}
    for row in rows(ATTRIBUTES_FILE, ["iso3", "plan", "attribute", "value", "source_url", "note"]):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        attribute = row.choice("attribute", schemes, required=True)
        value = (
            row.choice("value", vocabulary[schemes[attribute]], required=True)
            if attribute
            else None
        )
        source = row.iri("source_url", required=True)
        if iso3 and plan and attribute and value and source:
            sources.attributes.append(
                PlanAttribute(iso3, plan, attribute, value, source, row.text("note"), row.origin)
            )

    for row in rows(
        ASSIGNMENTS_FILE, ["iso3", "source_url", "stated_edition", "stated_year", "plan", "reason"]
    ):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), row.iri("source_url", required=True)
        plan, reason = _plan_key(row, "plan"), row.text("reason", required=True)
        edition, year = row.integer("stated_edition", minimum=1), row.year("stated_year")
        if iso3 and source and plan and reason:
            sources.assignments.append(
                Assignment(iso3, source, edition, year, plan, reason, row.origin)
            )

    for row in rows(DECISIONS_FILE, ["iso3", "plan", "property", "value", "reason"]):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        prop = row.choice("property", DECIDABLE, required=True)
        value = row.integer("value", minimum=1) if prop == "edition" else row.year("value")
        reason = row.text("reason", required=True)
        if iso3 and plan and prop and reason:
            sources.decisions.append(Decision(iso3, plan, prop, value, reason, row.origin))

    for row in rows(
        CURATED_FOCUS_FILE,
        ["iso3", "plan", "position", "title", "description", "pillars", "source_url", "note"],
    ):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        position, title = (
            row.integer("position", required=True, minimum=1),
            row.text("title", required=True),
        )
        source = row.iri("source_url", required=True)
        named = [p.strip() for p in (row.text("pillars") or "").split(";") if p.strip()]
        for pillar in named:
            if pillar not in pillars:
                errors.add(
                    row.origin,
                    "pillars",
                    f"expected pillars among {', '.join(sorted(pillars))}, got {pillar!r}",
                )
        if iso3 and plan and position and title and source:
            sources.curated_focus.append(
                CuratedFocusArea(
                    iso3,
                    plan,
                    position,
                    title,
                    row.text("description"),
                    tuple(named),
                    source,
                    row.text("note"),
                    row.origin,
                )
            )

    for row in rows(CONTEXTS_FILE, ["iso3", "plan", "text", "source_url", "note"]):
        iso3, text = row.code("iso3", ISO3, ISO3_TEXT), row.text("text", required=True)
        plan = _plan_key(row, "plan") if row.text("plan") else None
        source = row.iri("source_url", required=True)
        if iso3 and text and source:
            sources.contexts.append(
                ContextRow(iso3, plan, text, source, row.text("note"), row.origin)
            )

    return sources
