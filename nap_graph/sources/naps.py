"""Import the NAP facts (one row per source page) and the curators' files, one reader per file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from nap_graph.sources.records import (
    ISO3,
    ISO3_TEXT,
    ErrorCollector,
    ImportReport,
    Origin,
    Row,
    read_csv,
)

# The harvests of NAP facts, each registered in data/sources.csv under its folder's name, and
# the curators' claims of the same shape (conflicts that a harvest recorded only in a note).
HARVESTS = ("nap-facts", "nap-facts-update")
CURATION = "nap-graph-curation"
PLANS = "plans.csv"
FOCUS = "focus_areas.csv"
FIGURES = "peacekeeping.csv"
CURATED_CLAIMS_FILE = "curated/plan_claims.csv"
ATTRIBUTES_FILE = "curated/plan_attributes.csv"
ASSIGNMENTS_FILE = "curated/plan_assignments.csv"
DECISIONS_FILE = "curated/decisions.csv"
CURATED_FOCUS_FILE = "curated/focus_areas.csv"
CONTEXTS_FILE = "curated/contexts.csv"
STATUSES_FILE = "curated/stated_statuses.csv"
EXTENSIONS_FILE = "curated/extensions.csv"
ORGANISATIONS_FILE = "curated/source_organisations.csv"
COVERAGE_FILE = "curated/research_coverage.csv"
THEME_RULES_FILE = "curated/theme_rules.csv"

PLAN_COLUMNS = [
    "country_name",
    "iso3",
    "edition",
    "adopted_year",
    "start_year",
    "end_year",
    "source_url",
    "note",
]
# What a plan row claims: a second row of one file that claims it again is a mistake, even
# where its note or its spelling of the country differ.
CLAIM_KEY = ("iso3", "edition", "adopted_year", "start_year", "end_year", "source_url")
EDITION_KEY = ("iso3", "edition", "source_url")
# Properties of a plan that a curator may decide, by the name used in decisions.csv.
DECIDABLE = ("edition", "adopted_year", "start_year", "end_year")
STATED_CATEGORIES = {
    "contingent": "troops",
    "experts": "experts-on-mission",
    "police": "police",
    "staff_officers": "staff-officers",
}
# What a reviewed row states: of a plan (the plan status scheme) or, for a row that names no
# plan, of the country's plans (the country status scheme, less "not researched").
PLAN_STATUSES = ("adopted", "in-development")
COUNTRY_STATUSES = ("plan-adopted", "plan-in-development", "no-plan-found")


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
    dataset: str = "nap-facts"  # the source dataset (data/sources.csv) of the row


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
    dataset: str = "nap-facts"


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
    dataset: str = "nap-facts"


@dataclass(frozen=True)
class PlanAttribute:
    iso3: str
    plan: str
    attribute: str  # theme | scope
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


@dataclass(frozen=True)
class StatedStatus:
    """A curator's reading of what one row of the NAP facts states: its status and date."""

    iso3: str
    source: str
    stated_edition: int | None
    stated_year: int | None
    status: str  # a notation of PLAN_STATUSES or COUNTRY_STATUSES
    as_of: str | None  # YYYY, YYYY-MM or YYYY-MM-DD, as the source gives it
    reason: str
    origin: Origin

    def matches(self, row: PlanClaimRow) -> bool:
        return (
            self.iso3 == row.iso3
            and self.source == row.source
            and self.stated_edition == row.edition
            and (
                self.stated_year in (row.start, row.adopted)
                if self.stated_year is not None
                else row.start is None and row.adopted is None
            )
        )


@dataclass(frozen=True)
class ExtensionRow:
    """A source's statement that a plan's period was extended, and to which year."""

    iso3: str
    plan: str
    extended_to: int
    source: str
    note: str | None
    origin: Origin


@dataclass(frozen=True)
class CoverageRow:
    """What a search of a harvest found for a country that none of its rows names."""

    iso3: str
    status: str  # a notation of COUNTRY_STATUSES
    source: str  # the id of the source dataset (data/sources.csv) that made the search
    note: str
    origin: Origin


@dataclass(frozen=True)
class ThemeRule:
    """Words that, in a focus area's title or description, name a theme."""

    theme: str
    pattern: re.Pattern
    note: str | None
    origin: Origin


@dataclass
class Organisations:
    """The organisation that publishes each source host (curated/source_organisations.csv)."""

    by_host: dict[str, str] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)

    def of(self, url: str) -> str:
        """Return the organisation of a source address; its host where none is recorded."""
        host = site(url)
        return self.by_host.get(host, host)


def site(url: str) -> str:
    """Return the host of a source address, lower-case and without "www."."""
    host = urlsplit(url).netloc.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


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
    statuses: list[StatedStatus] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    theme_rules: list[ThemeRule] = field(default_factory=list)
    organisations: Organisations = field(default_factory=Organisations)


def _plan_key(row: Row, name: str) -> str | None:
    value = row.text(name, required=True)
    if value is not None and not re.fullmatch(r"[1-9]\d?|\d{4}", value):
        row.errors.add(
            row.origin,
            name,
            f"expected an edition (1-99) or the year of an unnumbered plan, got {value!r}",
        )
        return None
    return value


class _Reader:
    """Read the files of one data folder, counting what each held."""

    def __init__(self, data_dir: Path, errors: ErrorCollector, report: ImportReport):
        self.data_dir, self.errors, self.report = data_dir, errors, report

    def source(self, row: Row) -> str | None:
        """Return a row's source address, saying in the report when it had to be encoded."""
        address = row.iri("source_url", required=True)
        if address is not None and address != row.text("source_url"):
            self.report.note(
                row.origin,
                "source address with characters not allowed in an IRI (such as U+FFFC): "
                "percent-encoded as UTF-8 (RFC 3987 3.1)",
            )
        return address

    def rows(self, name: str, columns: list[str], optional: bool = False, key: tuple = ()):
        path = self.data_dir / name
        if optional and not path.exists():
            return
        for row in read_csv(path, self.data_dir, self.errors, columns, key):
            self.report.read[row.origin.file] += 1
            yield row


def read_nap_sources(
    data_dir: Path,
    vocabulary: dict[str, dict[str, str]],
    errors: ErrorCollector,
    report: ImportReport,
) -> NapSources:
    """Read the NAP facts and curated files; `vocabulary` maps scheme -> notation -> IRI."""
    read = _Reader(data_dir, errors, report)
    sources = NapSources([], [], [], [], [], [], [], [])
    for harvest in HARVESTS:
        # The first harvest is the project's oldest copy; a later one may be absent from a
        # trimmed data folder (the tests' small copy has it).
        optional = harvest != HARVESTS[0]
        sources.plan_claims += _plan_claims(read, f"{harvest}/{PLANS}", harvest, optional)
        sources.focus_claims += _focus_claims(
            read, f"{harvest}/{FOCUS}", harvest, vocabulary, optional
        )
        sources.figures += _figures(read, f"{harvest}/{FIGURES}", harvest, optional)
    sources.plan_claims += _plan_claims(read, CURATED_CLAIMS_FILE, CURATION, optional=True)
    sources.attributes = _attributes(read, vocabulary)
    sources.assignments = _assignments(read)
    sources.decisions = _decisions(read)
    sources.curated_focus = _curated_focus(read, vocabulary)
    sources.contexts = _contexts(read)
    sources.statuses = _statuses(read)
    sources.extensions = _extensions(read)
    sources.coverage = _coverage(read)
    sources.theme_rules = _theme_rules(read, vocabulary)
    sources.organisations = _organisations(read)
    return sources


def _plan_claims(read: _Reader, name: str, dataset: str, optional: bool) -> list[PlanClaimRow]:
    claims = []
    editions: dict[tuple, Row] = {}
    for row in read.rows(name, PLAN_COLUMNS, optional, CLAIM_KEY):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), read.source(row)
        _one_reading(row, editions)
        values = (
            row.integer("edition", minimum=1),
            row.year("adopted_year"),
            row.year("start_year"),
            row.year("end_year"),
        )
        if iso3 and source:
            claims.append(
                PlanClaimRow(
                    iso3,
                    row.text("country_name"),
                    *values,
                    source,
                    row.text("note"),
                    row.origin,
                    dataset,
                )
            )
    return claims


def _one_reading(row: Row, editions: dict[tuple, Row]) -> None:
    """Report a second row of one file in which the same page states the same edition.

    One page states one period for a plan. Two stored versions of a page can differ (the
    harvest keeps both, and the vote counts them as one organisation's pages); the curator
    then says so in a note on both rows. Without two notes, and two different ones, the
    second row is a copy.
    """
    stated = tuple((row.get(c) or "").strip() for c in EDITION_KEY)
    if not all(stated):
        return  # a row without an edition is grouped by its years, not by this key
    first = editions.setdefault(stated, row)
    notes = {row.text("note"), first.text("note")}
    if first is not row and (None in notes or len(notes) == 1):
        row.errors.add(
            row.origin,
            EDITION_KEY,
            f"edition {stated[1]} of {stated[0]} from this page again, with other values "
            f"(first at line {first.origin.line}): a file has one row per iso3, edition and "
            "source_url, unless each row has its own note saying why the page gives two readings",
        )


def _focus_claims(
    read: _Reader, name: str, dataset: str, vocabulary: dict, optional: bool
) -> list[FocusClaimRow]:
    pillars = set(vocabulary["pillar"])
    claims = []
    columns = [
        "iso3",
        "plan_start_year",
        "plan_end_year",
        "position",
        "title",
        "pillar_hint",
        "source_url",
    ]
    key = ("iso3", "plan_start_year", "plan_end_year", "position", "source_url")
    for row in read.rows(name, columns, optional, key):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), read.source(row)
        position = row.integer("position", required=True, minimum=1)
        title = row.text("title", required=True)
        pillar = row.choice("pillar_hint", pillars)
        start, end = row.year("plan_start_year"), row.year("plan_end_year")
        if iso3 and source and position and title:
            claims.append(
                FocusClaimRow(
                    iso3, start, end, position, title, pillar, source, row.origin, dataset
                )
            )
    return claims


def _figures(read: _Reader, name: str, dataset: str, optional: bool) -> list[StatedFigure]:
    figures = []
    columns = ["iso3", "category", "label", "women", "total", "as_of", "source_url", "note"]
    for row in read.rows(name, columns, optional, ("iso3", "category", "as_of", "source_url")):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), read.source(row)
        category = row.choice("category", STATED_CATEGORIES, required=True)
        women = row.integer("women", required=True)
        total = row.integer("total", required=True)
        if iso3 and source and category and women is not None and total is not None:
            figures.append(
                StatedFigure(
                    iso3,
                    STATED_CATEGORIES[category],
                    row.text("label"),
                    women,
                    total,
                    row.partial_date("as_of"),
                    source,
                    row.text("note"),
                    row.origin,
                    dataset,
                )
            )
    return figures


def _attributes(read: _Reader, vocabulary: dict) -> list[PlanAttribute]:
    schemes = {"theme": "theme", "scope": "scope"}
    attributes = []
    columns = ["iso3", "plan", "attribute", "value", "source_url", "note"]
    for row in read.rows(ATTRIBUTES_FILE, columns, key=tuple(columns[:5])):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        attribute = row.choice("attribute", schemes, required=True)
        value = (
            row.choice("value", vocabulary[schemes[attribute]], required=True)
            if attribute
            else None
        )
        source = row.iri("source_url", required=True)
        if iso3 and plan and attribute and value and source:
            attributes.append(
                PlanAttribute(iso3, plan, attribute, value, source, row.text("note"), row.origin)
            )
    return attributes


def _assignments(read: _Reader) -> list[Assignment]:
    assignments = []
    columns = ["iso3", "source_url", "stated_edition", "stated_year", "plan", "reason"]
    for row in read.rows(ASSIGNMENTS_FILE, columns, key=tuple(columns[:4])):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), read.source(row)
        plan, reason = _plan_key(row, "plan"), row.text("reason", required=True)
        edition, year = row.integer("stated_edition", minimum=1), row.year("stated_year")
        if iso3 and source and plan and reason:
            assignments.append(Assignment(iso3, source, edition, year, plan, reason, row.origin))
    return assignments


def _decisions(read: _Reader) -> list[Decision]:
    decisions = []
    columns = ["iso3", "plan", "property", "value", "reason"]
    for row in read.rows(DECISIONS_FILE, columns, key=("iso3", "plan", "property")):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        prop = row.choice("property", DECIDABLE, required=True)
        value = row.integer("value", minimum=1) if prop == "edition" else row.year("value")
        reason = row.text("reason", required=True)
        if iso3 and plan and prop and reason:
            decisions.append(Decision(iso3, plan, prop, value, reason, row.origin))
    return decisions


def _curated_focus(read: _Reader, vocabulary: dict) -> list[CuratedFocusArea]:
    pillars = set(vocabulary["pillar"])
    areas = []
    columns = ["iso3", "plan", "position", "title", "description", "pillars", "source_url", "note"]
    for row in read.rows(CURATED_FOCUS_FILE, columns, key=("iso3", "plan", "position")):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        position = row.integer("position", required=True, minimum=1)
        title = row.text("title", required=True)
        source = row.iri("source_url", required=True)
        named = [p.strip() for p in (row.text("pillars") or "").split(";") if p.strip()]
        for pillar in named:
            if pillar not in pillars:
                read.errors.add(
                    row.origin,
                    "pillars",
                    f"expected pillars among {', '.join(sorted(pillars))}, got {pillar!r}",
                )
        if iso3 and plan and position and title and source:
            areas.append(
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
    return areas


def _contexts(read: _Reader) -> list[ContextRow]:
    contexts = []
    for row in read.rows(CONTEXTS_FILE, ["iso3", "plan", "text", "source_url", "note"]):
        iso3, text = row.code("iso3", ISO3, ISO3_TEXT), row.text("text", required=True)
        plan = _plan_key(row, "plan") if row.text("plan") else None
        source = row.iri("source_url", required=True)
        if iso3 and text and source:
            contexts.append(ContextRow(iso3, plan, text, source, row.text("note"), row.origin))
    return contexts


def _statuses(read: _Reader) -> list[StatedStatus]:
    statuses = []
    columns = [
        "iso3",
        "source_url",
        "stated_edition",
        "stated_year",
        "status",
        "as_of",
        "reason",
    ]
    for row in read.rows(STATUSES_FILE, columns, optional=True, key=tuple(columns[:4])):
        iso3, source = row.code("iso3", ISO3, ISO3_TEXT), read.source(row)
        edition, year = row.integer("stated_edition", minimum=1), row.year("stated_year")
        status = row.choice("status", PLAN_STATUSES + COUNTRY_STATUSES, required=True)
        as_of, reason = row.partial_date("as_of"), row.text("reason", required=True)
        if iso3 and source and status and reason:
            statuses.append(
                StatedStatus(iso3, source, edition, year, status, as_of, reason, row.origin)
            )
    return statuses


def _extensions(read: _Reader) -> list[ExtensionRow]:
    extensions = []
    columns = ["iso3", "plan", "extended_to", "source_url", "note"]
    for row in read.rows(EXTENSIONS_FILE, columns, True, ("iso3", "plan", "source_url")):
        iso3, plan = row.code("iso3", ISO3, ISO3_TEXT), _plan_key(row, "plan")
        year, source = row.year("extended_to", required=True), row.iri("source_url", required=True)
        if iso3 and plan and year and source:
            extensions.append(ExtensionRow(iso3, plan, year, source, row.text("note"), row.origin))
    return extensions


def _coverage(read: _Reader) -> list[CoverageRow]:
    coverage = []
    columns = ["iso3", "status", "source", "note"]
    for row in read.rows(COVERAGE_FILE, columns, optional=True, key=("iso3", "source")):
        iso3 = row.code("iso3", ISO3, ISO3_TEXT)
        status = row.choice("status", COUNTRY_STATUSES, required=True)
        source, note = row.text("source", required=True), row.text("note", required=True)
        if iso3 and status and source and note:
            coverage.append(CoverageRow(iso3, status, source, note, row.origin))
    return coverage


def _theme_rules(read: _Reader, vocabulary: dict) -> list[ThemeRule]:
    rules = []
    columns = ["theme", "pattern", "note"]
    for row in read.rows(THEME_RULES_FILE, columns, optional=True, key=("theme", "pattern")):
        theme = row.choice("theme", vocabulary["theme"], required=True)
        text = row.text("pattern", required=True)
        pattern = None
        if text is not None:
            try:
                pattern = re.compile(text, re.IGNORECASE)
            except re.error as exc:
                read.errors.add(row.origin, "pattern", f"not a regular expression: {exc}")
        if theme and pattern:
            rules.append(ThemeRule(theme, pattern, row.text("note"), row.origin))
    return rules


def _organisations(read: _Reader) -> Organisations:
    organisations = Organisations()
    for row in read.rows(ORGANISATIONS_FILE, ["host", "organisation", "note"], optional=True):
        host, name = row.text("host", required=True), row.text("organisation", required=True)
        if host is None or name is None:
            continue
        if host in organisations.by_host:
            read.errors.add(
                row.origin,
                "host",
                f"{host} is listed twice (first at {organisations.origins[host]})",
            )
            continue
        organisations.by_host[host] = name
        organisations.origins[host] = row.origin
        read.report.kept[row.origin.file] += 1
    return organisations
