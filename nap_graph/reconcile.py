"""Group the sources' claims into plans and focus areas, and choose the published values.

Every row of the NAP facts is a claim of one source. Claims are grouped into plans by
country and edition (or, for plans that no source numbers, by year), unless a curator's
assignment says otherwise. Each published value is then chosen by, in order:
a curator's decision; the only value stated; the value stated by most organisations.
A tie publishes no value. Two rules keep facts from reading as disputes: a source that
describes a plan's draft speaks of an earlier stage than one that describes it adopted, and
a source that gives the end of an extended period states the extension, not another end.
Disputed and decided values get a reconciliation record that names the method and the
supporting and conflicting claims, so that a user can trace every choice; the claims
themselves are always published.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from nap_graph.sources.naps import (
    Assignment,
    ContextRow,
    CoverageRow,
    CuratedFocusArea,
    Decision,
    ExtensionRow,
    FocusClaimRow,
    NapSources,
    Organisations,
    PlanAttribute,
    PlanClaimRow,
    StatedFigure,
    StatedStatus,
    site,
)
from nap_graph.sources.records import ErrorCollector, ImportReport, Origin

CURATOR, MAJORITY, UNRESOLVED = "curator-decision", "majority-of-sources", "unresolved"
EXTENDED, LATER_STAGE = "period-extended", "later-stage"
ONE_ORGANISATION = "one-organisation"
ADOPTED, DRAFT = "adopted", "in-development"
RECORDED, DERIVED = "recorded", "derived"
PLAN_PROPERTIES = {
    "edition": "edition",
    "adopted_year": "adopted",
    "start_year": "start",
    "end_year": "end",
}


@dataclass(frozen=True)
class ThemeRow:
    """A statement that a plan addresses a theme: recorded from a source, or derived."""

    iso3: str
    plan: str
    theme: str
    method: str  # RECORDED or DERIVED
    source: str
    origin: Origin
    matched: str | None = None  # the words a keyword rule matched
    pattern: str | None = None  # the rule
    derived_from: tuple[int, str] | None = None  # (focus-area position, focus-area claim id)
    note: str | None = None


@dataclass
class Claim:
    """One source's statement, with a short stable identifier derived from its content."""

    id: str
    row: PlanClaimRow | FocusClaimRow | CuratedFocusArea | ExtensionRow | ThemeRow | CoverageRow
    status: str | None = None  # what a curator read the row to state (stated_statuses.csv)
    as_of: str | None = None  # the date its source gives for it
    review: StatedStatus | None = None

    @property
    def source(self) -> str:
        return self.row.source

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


@dataclass
class Reconciliation:
    property: str
    chosen: object | None
    method: str
    supporting: list[Claim]
    conflicting: list[Claim]
    comment: str
    origin: Origin | None = None  # the curator's decision, where there is one


@dataclass
class FocusArea:
    position: int
    title: str | None = None
    description: str | None = None
    pillars: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.claims})

    @property
    def origin(self) -> Origin:
        return self.claims[0].row.origin


@dataclass
class Plan:
    iso3: str
    key: str
    edition: int | None = None
    adopted: int | None = None
    start: int | None = None
    end: int | None = None
    extended: int | None = None  # the last year of the period as extended
    status: str = ADOPTED
    themes: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    attributes: list[PlanAttribute] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    extension_claims: list[Claim] = field(default_factory=list)
    theme_claims: list[Claim] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    focus_areas: list[FocusArea] = field(default_factory=list)
    previous: Plan | None = None

    @property
    def sources(self) -> list[str]:
        return sorted(
            {c.source for c in self.claims + self.extension_claims}
            | {a.source for a in self.attributes}
        )

    @property
    def origin(self) -> Origin:
        return self.claims[0].row.origin

    @property
    def last_year_in_force(self) -> int | None:
        return self.extended if self.extended is not None else self.end

    @property
    def first_year(self) -> int | None:
        """The year the plan began: its start year, else the year it was adopted."""
        return self.start if self.start is not None else self.adopted

    def years(self) -> set[int]:
        """Return every start or adoption year that a claim gives this plan."""
        return {y for c in self.claims for y in (c.row.start, c.row.adopted) if y is not None}


@dataclass
class Naps:
    """The reconciled view with every claim: what the RDF is made of."""

    plans: dict[tuple[str, str], Plan]
    status_claims: list[Claim]  # claims about a country's plans that name no plan
    unassigned_focus: list[Claim]  # focus-area claims whose plan the source does not identify
    contexts: list[ContextRow]
    figures: list[StatedFigure]
    organisations: Organisations = field(default_factory=Organisations)

    def sources(self) -> set[str]:
        """Every source address that a claim, context or figure names."""
        found = {c.source for c in self.status_claims + self.unassigned_focus}
        for plan in self.plans.values():
            found.update(plan.sources)
            found.update(c.source for c in plan.theme_claims)
            found.update(c.source for a in plan.focus_areas for c in a.claims)
        found.update(c.source for c in self.contexts)
        found.update(f.source for f in self.figures)
        return {s for s in found if s.startswith(("http://", "https://"))}


# What a claim states, as opposed to notes about it: its identifier hashes only these, so
# that correcting a note, a country's spelling or the harvest it came in keeps the claim's IRI.
_NOT_STATED = {"origin", "note", "country_name", "label", "dataset"}


def claim_id(row) -> str:
    """Return a short identifier of a claim from its source and stated values, stable across builds."""
    fields = [str(v) for k, v in vars(row).items() if k not in _NOT_STATED]
    return hashlib.sha1("|".join(fields).encode()).hexdigest()[:10]


def reconcile(sources: NapSources, errors: ErrorCollector, report: ImportReport) -> Naps:
    """Group claims into plans and focus areas and choose their published values."""
    organisations = sources.organisations
    _check_organisations(sources, organisations, errors)
    plans, status_claims = _group_claims(sources, errors, report)
    _review_statuses(plans, status_claims, sources.statuses, errors)

    decisions = defaultdict(dict)
    for decision in sources.decisions:
        if (decision.iso3, decision.plan) not in plans:
            errors.add(
                decision.origin, "plan", f"no plan {decision.iso3}/{decision.plan} in the NAP facts"
            )
            continue
        decisions[(decision.iso3, decision.plan)][decision.property] = decision
    for extension in sources.extensions:
        plan = plans.get((extension.iso3, extension.plan))
        if plan is None:
            errors.add(
                extension.origin,
                "plan",
                f"no plan {extension.iso3}/{extension.plan} in the NAP facts",
            )
            continue
        plan.extension_claims.append(Claim(claim_id(extension), extension))
        report.kept[extension.origin.file] += 1

    for (iso3, key), plan in sorted(plans.items()):
        _choose_plan_values(plan, decisions.get((iso3, key), {}), organisations.of, errors)

    for attribute in sources.attributes:
        plan = plans.get((attribute.iso3, attribute.plan))
        if plan is None:
            errors.add(
                attribute.origin,
                "plan",
                f"no plan {attribute.iso3}/{attribute.plan} in the NAP facts",
            )
            continue
        plan.attributes.append(attribute)
        if attribute.attribute == "scope":
            plan.scopes.append(attribute.value)
        else:
            row = ThemeRow(
                attribute.iso3,
                attribute.plan,
                attribute.value,
                RECORDED,
                attribute.source,
                attribute.origin,
                note=attribute.note,
            )
            plan.theme_claims.append(Claim(claim_id(row), row))

    by_country = defaultdict(list)
    for (iso3, _), plan in sorted(plans.items()):
        by_country[iso3].append(plan)
    for country_plans in by_country.values():
        numbered = {p.edition: p for p in country_plans if p.edition is not None}
        for edition, plan in numbered.items():
            plan.previous = numbered.get(edition - 1)

    unassigned = _focus_areas(sources, plans, by_country, organisations.of, errors, report)
    _derive_themes(plans, sources)

    for context in sources.contexts:
        if context.plan is not None and (context.iso3, context.plan) not in plans:
            errors.add(
                context.origin, "plan", f"no plan {context.iso3}/{context.plan} in the NAP facts"
            )
    for figure in sources.figures:
        report.kept[figure.origin.file] += 1
    for row in sources.coverage:
        status_claims.append(Claim(claim_id(row), row, status=row.status))
        report.kept[row.origin.file] += 1

    return Naps(plans, status_claims, unassigned, sources.contexts, sources.figures, organisations)


def _group_claims(sources: NapSources, errors: ErrorCollector, report: ImportReport):
    """Group the plan rows into plans; return the plans and the rows that name no plan."""
    plans: dict[tuple[str, str], Plan] = {}
    status_claims: list[Claim] = []
    unnumbered: list[Claim] = []
    used_assignments: set[Assignment] = set()
    seen: set[tuple[str, str]] = set()
    for row in sources.plan_claims:
        claim = Claim(claim_id(row), row)
        if (row.iso3, claim.id) in seen:
            report.skip(row.origin, "the same claim again (same source and values)")
            continue
        seen.add((row.iso3, claim.id))
        report.kept[row.origin.file] += 1
        assignment = _assignment(row, sources.assignments)
        if assignment is not None:
            used_assignments.add(assignment)
            _plan(plans, row.iso3, assignment.plan).claims.append(claim)
        elif row.edition is not None:
            _plan(plans, row.iso3, str(row.edition)).claims.append(claim)
        elif row.start is not None or row.adopted is not None:
            unnumbered.append(claim)
        else:
            status_claims.append(claim)

    # A claim without an edition joins the numbered plan whose claims give the same year,
    # when exactly one does; else an unnumbered plan of the country that shares a year with
    # it; else it is a plan of its own, keyed by its year.
    for claim in unnumbered:
        row = claim.row
        years = {y for y in (row.start, row.adopted) if y is not None}
        country = [p for (iso3, _), p in sorted(plans.items()) if iso3 == row.iso3]
        numbered = [p for p in country if len(p.key) <= 2 and p.years() & years]
        if len(numbered) == 1:
            numbered[0].claims.append(claim)
            continue
        unnumbered_plans = [p for p in country if len(p.key) == 4 and p.years() & years]
        if len(numbered) == 0 and len(unnumbered_plans) == 1:
            unnumbered_plans[0].claims.append(claim)
        else:
            _plan(plans, row.iso3, str(row.start or row.adopted)).claims.append(claim)

    for assignment in sources.assignments:
        if assignment not in used_assignments:
            errors.add(
                assignment.origin, "source_url", "this assignment matches no row of the NAP facts"
            )
    return plans, status_claims


def _review_statuses(
    plans: dict, status_claims: list[Claim], reviews: list[StatedStatus], errors: ErrorCollector
) -> None:
    """Give each claim the status and date that a curator read in its row.

    A row that names no plan says something about the country's plans, which only a reader
    can tell ("has a NAP, no years", "drafting started", "no NAP"): it must be reviewed. A
    plan row without a review describes the plan as it exists.
    """
    by_row: dict[tuple[str, str], list[StatedStatus]] = defaultdict(list)
    for review in reviews:
        by_row[(review.iso3, review.source)].append(review)
    used: set[StatedStatus] = set()
    plan_claims = [c for p in plans.values() for c in p.claims]
    for claim in plan_claims + status_claims:
        row = claim.row
        matching = [r for r in by_row.get((row.iso3, row.source), []) if r.matches(row)]
        if len(matching) > 1:
            errors.add(matching[1].origin, "source_url", "two reviews match the same row")
        review = matching[0] if matching else None
        is_status = claim in status_claims
        if review is None:
            if is_status:
                errors.add(
                    row.origin,
                    "note",
                    "a row that names no plan needs its status reviewed in "
                    "data/curated/stated_statuses.csv",
                )
            continue
        used.add(review)
        allowed = ("plan-adopted", "plan-in-development", "no-plan-found")
        if is_status != (review.status in allowed):
            kind = "names no plan" if is_status else "is about a plan"
            errors.add(
                review.origin,
                "status",
                f"the row {kind}: its status is one of "
                + ", ".join(allowed if is_status else (ADOPTED, DRAFT)),
            )
            continue
        claim.status, claim.as_of, claim.review = review.status, review.as_of, review
    for review in reviews:
        if review not in used:
            errors.add(review.origin, "source_url", "this review matches no row of the NAP facts")


def _check_organisations(
    sources: NapSources, organisations: Organisations, errors: ErrorCollector
) -> None:
    """Every source host must have its organisation, so that votes count organisations."""
    if not organisations.by_host:
        return  # no table: each host is its own organisation
    records = [
        *sources.plan_claims,
        *sources.focus_claims,
        *sources.figures,
        *sources.attributes,
        *sources.curated_focus,
        *sources.contexts,
        *sources.extensions,
        *sources.statuses,
    ]
    reported: set[str] = set()
    for record in records:
        host = site(record.source)
        if host not in organisations.by_host and host not in reported:
            reported.add(host)
            errors.add(
                record.origin,
                "source_url",
                f"the host {host} has no organisation in data/curated/source_organisations.csv",
            )


def _plan(plans: dict, iso3: str, key: str) -> Plan:
    if (iso3, key) not in plans:
        plans[(iso3, key)] = Plan(iso3, key)
    return plans[(iso3, key)]


def _assignment(row: PlanClaimRow, assignments: list[Assignment]) -> Assignment | None:
    for a in assignments:
        if (
            a.iso3 == row.iso3
            and a.source == row.source
            and a.stated_edition == row.edition
            and (a.stated_year is None or a.stated_year in (row.start, row.adopted))
        ):
            return a
    return None


def vote(
    name: str,
    stated: list[tuple[Claim, object]],
    decision: Decision | None = None,
    curated: tuple[Claim, object] | None = None,
    same: Callable[[object], object] = lambda v: v,
    organisation: Callable[[str], str] = site,
) -> tuple[object | None, Reconciliation | None]:
    """Choose a value among the claims' values; return it with its reconciliation, if any.

    Values with the same `same(value)` are one value (titles that differ only in case); the
    spelling published is the one most claims use. Votes are counted per organisation, as
    `organisation(source address)` names it.
    """
    values = [(c, v) for c, v in stated if v is not None]
    if decision is not None or curated is not None:
        if decision is not None:
            chosen, comment, origin = decision.value, decision.reason, decision.origin
        else:
            chosen = curated[1]
            # Said for readers; the record's file and line stay in its provenance (origin).
            comment = "NAP Graph's editors recorded this value"
            origin = curated[0].row.origin
        supporting = [c for c, v in values if same(v) == same(chosen)]
        if curated is not None and same(curated[1]) == same(chosen):
            supporting.append(curated[0])  # the curator's record is a claim of its own
        conflicting = [c for c, v in values if same(v) != same(chosen)]
        return chosen, Reconciliation(
            name, chosen, CURATOR, supporting, conflicting, comment, origin
        )
    spellings = defaultdict(Counter)
    for _, value in values:
        spellings[same(value)][value] += 1

    def spelled(key):
        return min(spellings[key].items(), key=lambda kv: (-kv[1], str(kv[0])))[0]

    if len(spellings) <= 1:
        return (spelled(next(iter(spellings))) if spellings else None), None
    # Votes are counted per organisation: two stored versions of one page, two pages of one
    # site, or two sites of one organisation are one voice. An organisation speaks for the
    # value that most of its pages state, and for each, where its pages are evenly split.
    pages = defaultdict(lambda: defaultdict(set))  # organisation -> value -> addresses
    for claim, value in values:
        pages[organisation(claim.source)][same(value)].add(claim.source)
    voices = defaultdict(set)  # value -> organisations that speak for it
    for who, stated_by in pages.items():
        most = max(len(addresses) for addresses in stated_by.values())
        for key, addresses in stated_by.items():
            if len(addresses) == most:
                voices[key].add(who)
    outvoted = {  # organisations whose own pages disagree, with the values their majority drops
        who: sorted(
            (k for k in stated_by if k not in {v for v, w in voices.items() if who in w}), key=str
        )
        for who, stated_by in pages.items()
    }
    outvoted = {who: keys for who, keys in outvoted.items() if keys}

    def inner(who: str) -> str:
        counts = " and ".join(
            f"{spelled(k)} on {len(a)}"
            for k, a in sorted(pages[who].items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
        )
        return f"{who} gives {counts} of its pages"

    if len(voices) == 1:
        # Only one organisation's own pages disagree: not a dispute between sources.
        key = next(iter(voices))
        chosen = spelled(key)
        supporting = [c for c, v in values if same(v) == key]
        conflicting = [c for c, v in values if same(v) != key]
        comment = (
            "; ".join(inner(who) for who in sorted(outvoted))
            + f": the value most of its pages state, {chosen}, is published, and no other "
            "organisation states another"
        )
        return chosen, Reconciliation(
            name, chosen, ONE_ORGANISATION, supporting, conflicting, comment
        )
    ranked = sorted(
        ((spelled(k), who) for k, who in voices.items()),
        key=lambda kv: (-len(kv[1]), str(kv[0])),
    )
    total = len(pages)
    summary = "; ".join(f"{value} ({len(who)}: {', '.join(sorted(who))})" for value, who in ranked)
    torn = sorted({o for _, who in ranked for o in who if sum(o in w for _, w in ranked) > 1})
    if torn:
        summary += (
            f" ({', '.join(torn)} {'states' if len(torn) == 1 else 'state'} more than one value)"
        )
    if outvoted:
        summary += "; " + "; ".join(inner(who) for who in sorted(outvoted))
    if len(ranked[0][1]) > len(ranked[1][1]):
        chosen = ranked[0][0]
        supporting = [c for c, v in values if same(v) == same(chosen)]
        conflicting = [c for c, v in values if same(v) != same(chosen)]
        noun = "organisation" if total == 1 else "organisations"
        comment = f"{len(ranked[0][1])} of {total} {noun} state {chosen}: {summary}"
        return chosen, Reconciliation(name, chosen, MAJORITY, supporting, conflicting, comment)
    comment = f"organisations are split and NAP Graph's editors have not decided: {summary}"
    return None, Reconciliation(name, None, UNRESOLVED, [], [c for c, _ in values], comment)


def same_title(title: str) -> str:
    """Titles that differ only in case, spacing, punctuation or a gloss in brackets are one.

    "Protection, relief, and recovery", "Protection, Relief and Recovery" and "Protection,
    relief & recovery" are one title;
    so are "Prevention (Превенция)" and "Prevention", a page's own term with its gloss.
    """
    title = re.sub(r"\s*\([^()]*\)\s*$", "", title) or title
    title = title.replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]", " ", title).split()).casefold()


def _names(claims: list[Claim], organisation: Callable[[str], str]) -> str:
    return ", ".join(sorted({organisation(c.source) for c in claims}))


def _choose_plan_values(
    plan: Plan,
    decisions: dict[str, Decision],
    organisation: Callable[[str], str],
    errors: ErrorCollector,
) -> None:
    # Adoption follows drafting: a draft's claims describe an earlier stage of the plan, not
    # another plan, and their own period and dates are not the adopted plan's.
    drafts = [c for c in plan.claims if c.is_draft]
    adopted = [c for c in plan.claims if not c.is_draft]
    voting = adopted or drafts
    plan.status = ADOPTED if adopted else DRAFT
    if adopted and drafts:
        dated = sorted(
            {f"{organisation(c.source)}{f' ({c.as_of})' if c.as_of else ''}" for c in drafts}
        )
        adopters = {organisation(c.source) for c in adopted}
        plan.reconciliations.append(
            Reconciliation(
                "status",
                ADOPTED,
                LATER_STAGE,
                adopted,
                drafts,
                f"{', '.join(dated)} describe{'s' if len(dated) == 1 else ''} the plan as a draft; "
                f"{', '.join(sorted(adopters))} describe{'s' if len(adopters) == 1 else ''} it "
                "as adopted. Adoption follows drafting: the plan is published as adopted, and "
                "the draft's own years are not counted.",
            )
        )
    extension_years = {c.row.extended_to for c in plan.extension_claims}
    for prop, attribute in PLAN_PROPERTIES.items():
        # The edition names the plan at every stage; the years are the stage's own.
        stated = [
            (c, getattr(c.row, attribute)) for c in (plan.claims if prop == "edition" else voting)
        ]
        moved = []
        if prop == "end_year" and extension_years:
            # An end year that a source gives as the end of the extension is the extension.
            moved = [c for c, v in stated if v in extension_years]
            stated = [(c, v) for c, v in stated if v not in extension_years]
        chosen, record = vote(prop, stated, decisions.get(prop), organisation=organisation)
        setattr(plan, attribute, chosen)
        if moved:
            extension = ", ".join(sorted({str(c.row.end) for c in moved}))
            movers = {organisation(c.source) for c in moved}
            note = (
                f"{_names(moved, organisation)} give{'s' if len(movers) == 1 else ''} "
                f"{extension}, the end of the period as extended "
                f"(stated by {_names(plan.extension_claims, organisation)})"
            )
            if record is None:
                supporting = [c for c, v in stated if v is not None and v == chosen]
                record = Reconciliation(
                    prop,
                    chosen,
                    EXTENDED,
                    supporting,
                    moved,
                    f"{note}; the end year as adopted is "
                    f"{chosen if chosen is not None else 'not stated by any other source'}",
                )
            else:
                record.comment += f"; {note}"
        if record is not None:
            plan.reconciliations.append(record)
    if plan.extension_claims:
        stated = [(c, c.row.extended_to) for c in plan.extension_claims]
        plan.extended, record = vote("extended_end_year", stated, organisation=organisation)
        if record is not None:
            plan.reconciliations.append(record)
    if plan.key.isdigit() and len(plan.key) <= 2 and plan.edition != int(plan.key):
        errors.add(
            plan.origin,
            "edition",
            f"the claims grouped as plan {plan.iso3}/{plan.key} give it edition {plan.edition}; "
            "add an assignment or a decision in data/curated/",
        )


def _focus_areas(
    sources: NapSources,
    plans: dict,
    by_country: dict,
    organisation: Callable[[str], str],
    errors: ErrorCollector,
    report: ImportReport,
) -> list[Claim]:
    """Attach focus-area claims and curated focus areas to plans; return the unattached claims."""
    lists = defaultdict(list)
    for row in sources.focus_claims:
        lists[(row.iso3, row.plan_start, row.plan_end, row.source)].append(row)
    unassigned: list[Claim] = []
    per_plan: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for (iso3, start, end, _source), rows in sorted(lists.items(), key=lambda kv: str(kv[0])):
        plan = _plan_for_list(by_country.get(iso3, []), start, end)
        if isinstance(plan, str):
            for row in rows:
                errors.add(row.origin, "plan_start_year", plan)
            continue
        for row in rows:
            claim = Claim(claim_id(row), row)
            report.kept[row.origin.file] += 1
            if plan is None:
                unassigned.append(claim)
                report.note(
                    row.origin,
                    "plan not identified by the source: kept as a claim about the country",
                )
            else:
                per_plan[(plan.iso3, plan.key)].append(claim)
    curated: dict[tuple[str, str], dict[int, Claim]] = defaultdict(dict)
    for row in sources.curated_focus:
        if (row.iso3, row.plan) not in plans:
            errors.add(row.origin, "plan", f"no plan {row.iso3}/{row.plan} in the NAP facts")
            continue
        if row.position in curated[(row.iso3, row.plan)]:
            errors.add(
                row.origin,
                "position",
                f"position {row.position} of {row.iso3}/{row.plan} is curated twice",
            )
            continue
        curated[(row.iso3, row.plan)][row.position] = Claim(claim_id(row), row)

    for key in sorted(set(per_plan) | set(curated)):
        plan = plans[key]
        positions = defaultdict(list)
        for claim in per_plan.get(key, []):
            positions[claim.row.position].append(claim)
        for position in sorted(set(positions) | set(curated.get(key, {}))):
            area = FocusArea(position, claims=list(positions.get(position, [])))
            record = curated.get(key, {}).get(position)
            if record is not None:
                area.claims.append(record)
            stated = [(c, c.row.title) for c in positions.get(position, [])]
            area.title, rec = vote(
                "title",
                stated,
                curated=(record, record.row.title) if record else None,
                same=same_title,
                organisation=organisation,
            )
            if rec is not None:
                area.reconciliations.append(rec)
            if record is not None:
                area.description = record.row.description
            pillars = {c.row.pillar for c in positions.get(position, []) if c.row.pillar}
            if record is not None:
                pillars.update(record.row.pillars)
            area.pillars = sorted(pillars)
            plan.focus_areas.append(area)
    return unassigned


def _derive_themes(plans: dict, sources: NapSources) -> None:
    """Derive theme claims from the words of each focus-area claim, and set plans' themes.

    Each focus-area claim (one source's title, and the curator's description) is read by
    every keyword rule; a match is a theme claim that names the words, the rule and the
    claim, so that a derived theme is told from a recorded one.
    """
    for (iso3, key), plan in sorted(plans.items()):
        for area in plan.focus_areas:
            for claim in area.claims:
                text = " ".join(
                    t for t in (claim.row.title, getattr(claim.row, "description", None)) if t
                )
                for rule in sources.theme_rules:
                    match = rule.pattern.search(text)
                    if match is None:
                        continue
                    # The words matched, whole: "extremis" names "extremism".
                    start, end = match.span()
                    while start > 0 and text[start - 1].isalnum():
                        start -= 1
                    while end < len(text) and text[end].isalnum():
                        end += 1
                    row = ThemeRow(
                        iso3,
                        key,
                        rule.theme,
                        DERIVED,
                        claim.source,
                        claim.row.origin,
                        matched=text[start:end],
                        pattern=rule.pattern.pattern,
                        derived_from=(area.position, claim.id),
                    )
                    plan.theme_claims.append(Claim(claim_id(row), row))
        unique = {c.id: c for c in plan.theme_claims}
        plan.theme_claims = sorted(unique.values(), key=lambda c: (c.row.theme, c.id))
        plan.themes = sorted({c.row.theme for c in plan.theme_claims})


def _plan_for_list(
    country_plans: list[Plan], start: int | None, end: int | None
) -> Plan | str | None:
    """Find the plan that a source's list of focus areas belongs to.

    Returns the plan; None when the source names no plan; or, when it names one by a year that
    fits no plan or several, the reason as text, for an error.
    """
    if start is None:
        # The source names no plan: even a country with one known plan may have had others.
        return None
    for attribute in ("start", "adopted"):
        matches = [
            p for p in country_plans if any(getattr(c.row, attribute) == start for c in p.claims)
        ]
        if end is not None and len(matches) > 1:
            matches = [p for p in matches if any(c.row.end == end for c in p.claims)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            keys = ", ".join(p.key for p in matches)
            return f"several plans fit the year {start} (plans {keys}); assign the list in data/curated/"
    return f"no plan of this country starts or was adopted in {start}"
