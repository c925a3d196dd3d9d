"""Say, for every UN member and observer state, what the sources on hand know of its plans.

A country nobody researched must not read as a country without a plan, so each gets one
status, derived from its evidence by a fixed order:
1. a plan has been adopted: an adopted plan, dated or not, or a source that says the country
   has a plan without naming it;
2. a plan is in development: no adopted plan, but a plan or a source in development;
3. no plan found in the sources searched: the country was researched (a source about it, or
   a harvest's record of a search that found nothing) and nothing above was found;
4. not researched: nothing on hand is about the country.
The status carries the latest date its evidence states and the sources that state it (all
the evidence's sources, where none states a date).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nap_graph.reconcile import ADOPTED, DRAFT, Claim, Naps, Plan
from nap_graph.sources.countries import Country
from nap_graph.sources.naps import CoverageRow

ADOPTED_STATUS, DRAFT_STATUS = "plan-adopted", "plan-in-development"
NONE_FOUND, NOT_RESEARCHED = "no-plan-found", "not-researched"


@dataclass
class CountryStatus:
    iso3: str
    status: str  # a notation of the country status scheme
    plans: list[Plan] = field(default_factory=list)  # the evidence: plans ...
    claims: list[Claim] = field(default_factory=list)  # ... and claims that name no plan
    date: str | None = None  # the latest date the evidence states (YYYY[-MM[-DD]])
    sources: list[str] = field(default_factory=list)  # addresses (or source ids) stating it
    comment: str = ""


def _plan_date(plan: Plan) -> tuple[str | None, list[str]]:
    """Return the date a plan's sources give for its stage, with the sources that give it."""
    if plan.status == ADOPTED:
        year = plan.adopted if plan.adopted is not None else plan.start
        if year is None:
            return None, []
        attribute = "adopted" if plan.adopted is not None else "start"
        sources = [
            c.source for c in plan.claims if not c.is_draft and getattr(c.row, attribute) == year
        ]
        return str(year), sorted(set(sources))
    return _latest([c for c in plan.claims if c.is_draft])


def _latest(claims: list[Claim]) -> tuple[str | None, list[str]]:
    dated = [c for c in claims if c.as_of]
    if not dated:
        return None, []
    date = max(c.as_of for c in dated)
    return date, sorted({c.source for c in dated if c.as_of == date})


def _describe_plan(plan: Plan) -> str:
    if plan.edition:
        what = f"plan {plan.edition}"
    else:
        what = f"a plan of {plan.key}" if len(plan.key) == 4 else "a plan"
    if plan.first_year is not None and plan.last_year_in_force is not None:
        when = f" ({plan.first_year}-{plan.last_year_in_force})"
    elif plan.first_year is not None:
        when = f" ({plan.first_year}, end not recorded)"
    else:
        when = " (period not recorded)"
    return what + when


def country_statuses(naps: Naps, countries: dict[str, Country]) -> dict[str, CountryStatus]:
    """Return the status of every UN member or observer state, and of any other country
    that the NAP facts are about (Kosovo)."""
    plans: dict[str, list[Plan]] = {}
    for _, plan in sorted(naps.plans.items(), key=lambda kv: (kv[0][0], kv[1].first_year or 9999)):
        plans.setdefault(plan.iso3, []).append(plan)
    claims: dict[str, list[Claim]] = {}
    for claim in naps.status_claims:
        claims.setdefault(claim.row.iso3, []).append(claim)
    # Unknown codes are left to the shapes, which name the record behind them.
    known = (set(plans) | set(claims)) & set(countries)
    scope = {iso3 for iso3, c in countries.items() if c.in_un} | known
    statuses = {}
    for iso3 in sorted(scope):
        statuses[iso3] = _status(iso3, plans.get(iso3, []), claims.get(iso3, []))
    return statuses


def _status(iso3: str, plans: list[Plan], claims: list[Claim]) -> CountryStatus:
    adopted = [p for p in plans if p.status == ADOPTED]
    said_adopted = [c for c in claims if c.status == ADOPTED_STATUS]
    if adopted or said_adopted:
        status = CountryStatus(iso3, ADOPTED_STATUS, adopted, said_adopted)
        parts = []
        if adopted:
            parts.append(
                f"{len(adopted)} adopted plan{'s' if len(adopted) != 1 else ''} on record: "
                + "; ".join(_describe_plan(p) for p in adopted)
            )
        if said_adopted:
            parts.append(
                f"{len(said_adopted)} source{'s say' if len(said_adopted) != 1 else ' says'} "
                "that the country has a plan, without naming it"
            )
        status.comment = ". ".join(parts) + "."
    else:
        drafts = [p for p in plans if p.status == DRAFT]
        said_draft = [c for c in claims if c.status == DRAFT_STATUS]
        none = [c for c in claims if c.status == NONE_FOUND]
        if drafts or said_draft:
            status = CountryStatus(iso3, DRAFT_STATUS, drafts, said_draft)
            sources = {c.source for p in drafts for c in p.claims} | {c.source for c in said_draft}
            status.comment = (
                "No source on hand says that a plan was adopted; "
                f"{len(sources)} source{'s say' if len(sources) != 1 else ' says'} that one is "
                "in development."
            )
        elif none:
            status = CountryStatus(iso3, NONE_FOUND, [], none)
            searched = [c for c in none if isinstance(c.row, CoverageRow)]
            status.comment = (
                "Researched, and no source on hand says that the country has a plan or is "
                "preparing one"
                + (
                    f"; {len(none) - len(searched)} source"
                    f"{'s say' if len(none) - len(searched) != 1 else ' says'} that it has none"
                    if len(none) > len(searched)
                    else ""
                )
                + ". This is not proof that it has none."
            )
        else:
            status = CountryStatus(iso3, NOT_RESEARCHED)
            status.comment = (
                "No source on hand was searched for this country's plans: nothing is known "
                "either way."
            )
            return status
    dated = []
    for plan in status.plans:
        date, sources = _plan_date(plan)
        if date:
            dated.append((date, sources))
    date, sources = _latest(status.claims)
    if date:
        dated.append((date, sources))
    if dated:
        status.date = max(d for d, _ in dated)
        status.sources = sorted({s for d, ss in dated if d == status.date for s in ss})
    else:  # no evidence states a date: every source of the evidence states the status
        status.sources = sorted(
            {c.source for p in status.plans for c in p.claims} | {c.source for c in status.claims}
        )
    return status
