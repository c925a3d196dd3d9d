"""Group the sources' claims into plans and focus areas, and choose the published values.

Every row of the NAP facts is a claim of one source. Claims are grouped into plans by
country and edition (or, for plans that no source numbers, by year), unless a curator's
assignment says otherwise. Each published value is then chosen by, in order:
a curator's decision; the only value stated; the value stated by most sites.
A tie publishes no value. Disputed and decided values get a reconciliation record that
names the method and the supporting and conflicting claims, so that a user can trace
every choice; the claims themselves are always published.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nap_graph.sources.naps import (
    Assignment,
    ContextRow,
    CuratedFocusArea,
    Decision,
    FocusClaimRow,
    NapSources,
    PlanAttribute,
    PlanClaimRow,
    StatedFigure,
)
from nap_graph.sources.records import ErrorCollector, ImportReport, Origin

CURATOR, MAJORITY, UNRESOLVED = "curator-decision", "majority-of-sources", "unresolved"
PLAN_PROPERTIES = {
    "edition": "edition",
    "adopted_year": "adopted",
    "start_year": "start",
    "end_year": "end",
}


@dataclass
class Claim:
    """One source's statement, with a short stable identifier derived from its content."""

    id: str
    row: PlanClaimRow | FocusClaimRow | CuratedFocusArea

    @property
    def source(self) -> str:
        return self.row.source


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
    status: str | None = None
    themes: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    attributes: list[PlanAttribute] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    focus_areas: list[FocusArea] = field(default_factory=list)
    previous: Plan | None = None

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.claims} | {a.source for a in self.attributes})

    @property
    def origin(self) -> Origin:
        return self.claims[0].row.origin

    def years(self) -> set[int]:
        """Return every start or adoption year that a claim gives this plan."""
        return {y for c in self.claims for y in (c.row.start, c.row.adopted) if y is not None}


@dataclass
class Naps:
    """The reconciled view with every claim: what the RDF is made of."""

    plans: dict[tuple[str, str], Plan]
    status_claims: list[Claim]  # claims about a country's plans that name no dated plan
    unassigned_focus: list[Claim]  # focus-area claims whose plan the source does not identify
    contexts: list[ContextRow]
    figures: list[StatedFigure]


# What a claim states, as opposed to notes about it: its identifier hashes only these, so
# that correcting a note or a country's spelling keeps the claim's IRI.
_NOT_STATED = {"origin", "note", "country_name", "label"}


def claim_id(row) -> str:
    """Return a short identifier of a claim from its source and stated values, stable across builds."""
    fields = [str(v) for k, v in vars(row).items() if k not in _NOT_STATED]
    return hashlib.sha1("|".join(fields).encode()).hexdigest()[:10]


def site(url: str) -> str:
    """Return the site of a source address, counted once in a vote: its host without "www."."""
    host = urlsplit(url).netloc.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def reconcile(sources: NapSources, errors: ErrorCollector, report: ImportReport) -> Naps:
    """Group claims into plans and focus areas and choose their published values."""
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

    decisions = defaultdict(dict)
    for decision in sources.decisions:
        if (decision.iso3, decision.plan) not in plans:
            errors.add(
                decision.origin, "plan", f"no plan {decision.iso3}/{decision.plan} in the NAP facts"
            )
            continue
        decisions[(decision.iso3, decision.plan)][decision.property] = decision

    for (iso3, key), plan in sorted(plans.items()):
        _choose_plan_values(plan, decisions.get((iso3, key), {}), errors)

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
        if attribute.attribute == "theme":
            plan.themes.append(attribute.value)
        elif attribute.attribute == "scope":
            plan.scopes.append(attribute.value)
        elif plan.status not in (None, attribute.value):
            errors.add(
                attribute.origin,
                "value",
                f"plan {attribute.iso3}/{attribute.plan} already has the status {plan.status}",
            )
        else:
            plan.status = attribute.value

    by_country = defaultdict(list)
    for (iso3, _), plan in sorted(plans.items()):
        by_country[iso3].append(plan)
    for country_plans in by_country.values():
        numbered = {p.edition: p for p in country_plans if p.edition is not None}
        for edition, plan in numbered.items():
            plan.previous = numbered.get(edition - 1)

    unassigned = _focus_areas(sources, plans, by_country, errors, report)

    for context in sources.contexts:
        if context.plan is not None and (context.iso3, context.plan) not in plans:
            errors.add(
                context.origin, "plan", f"no plan {context.iso3}/{context.plan} in the NAP facts"
            )
    for figure in sources.figures:
        report.kept[figure.origin.file] += 1

    return Naps(plans, status_claims, unassigned, sources.contexts, sources.figures)


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
) -> tuple[object | None, Reconciliation | None]:
    """Choose a value among the claims' values; return it with its reconciliation, if any.

    Values with the same `same(value)` are one value (titles that differ only in case); the
    spelling published is the one most claims use.
    """
    values = [(c, v) for c, v in stated if v is not None]
    if decision is not None or curated is not None:
        if decision is not None:
            chosen, comment, origin = decision.value, decision.reason, decision.origin
        else:
            chosen = curated[1]
            # The file within the data folder, so that the text does not depend on where it lies.
            record = curated[0].row.origin.file.split("/", 1)[-1]
            comment = f"a curator's record ({record}) gives this value"
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
    # Votes are counted per site: two stored versions of one page, or two pages of one site,
    # are one voice.
    sites_per_value = defaultdict(set)
    for claim, value in values:
        sites_per_value[same(value)].add(site(claim.source))
    ranked = sorted(
        ((spelled(k), sites) for k, sites in sites_per_value.items()),
        key=lambda kv: (-len(kv[1]), str(kv[0])),
    )
    total = len({site(c.source) for c, _ in values})
    summary = "; ".join(
        f"{value} ({len(sites)} site{'s' if len(sites) > 1 else ''}: {', '.join(sorted(sites))})"
        for value, sites in ranked
    )
    # A site whose pages disagree speaks for each value it states; say so.
    torn = sorted({s for _, sites in ranked for s in sites if sum(s in o for _, o in ranked) > 1})
    if torn:
        summary += f" ({', '.join(torn)} states more than one value)"
    if len(ranked[0][1]) > len(ranked[1][1]):
        chosen = ranked[0][0]
        supporting = [c for c, v in values if same(v) == same(chosen)]
        conflicting = [c for c, v in values if same(v) != same(chosen)]
        comment = f"{len(ranked[0][1])} of {total} sites state {chosen}: {summary}"
        return chosen, Reconciliation(name, chosen, MAJORITY, supporting, conflicting, comment)
    comment = f"sites are split and no curator has decided: {summary}"
    return None, Reconciliation(name, None, UNRESOLVED, [], [c for c, _ in values], comment)


def same_title(title: str) -> str:
    """Titles that differ only in case or spacing are one title."""
    return " ".join(title.split()).casefold()


def _choose_plan_values(plan: Plan, decisions: dict[str, Decision], errors: ErrorCollector) -> None:
    for prop, attribute in PLAN_PROPERTIES.items():
        stated = [(c, getattr(c.row, attribute)) for c in plan.claims]
        chosen, record = vote(prop, stated, decisions.get(prop))
        setattr(plan, attribute, chosen)
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
    sources: NapSources, plans: dict, by_country: dict, errors: ErrorCollector, report: ImportReport
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
