"""Claims become plans and focus areas; published values are chosen traceably."""

from __future__ import annotations

from nap_graph.reconcile import (
    CURATOR,
    MAJORITY,
    UNRESOLVED,
    Claim,
    reconcile,
    same_title,
    vote,
)
from nap_graph.sources.naps import (
    Assignment,
    CuratedFocusArea,
    Decision,
    FocusClaimRow,
    NapSources,
    PlanClaimRow,
)
from nap_graph.sources.records import ErrorCollector, ImportReport, Origin


def claim(
    iso3="NOR", edition=2, adopted=None, start=2011, end=2013, source="https://a.example/", line=2
) -> PlanClaimRow:
    return PlanClaimRow(
        iso3,
        "Norway",
        edition,
        adopted,
        start,
        end,
        source,
        None,
        Origin("data/nap-facts/plans.csv", line),
    )


def sources(**kwargs) -> NapSources:
    fields = dict(
        plan_claims=[],
        focus_claims=[],
        figures=[],
        attributes=[],
        assignments=[],
        decisions=[],
        curated_focus=[],
        contexts=[],
    )
    fields.update(kwargs)
    return NapSources(**fields)


def run(s: NapSources):
    errors = ErrorCollector()
    naps = reconcile(s, errors, ImportReport())
    return naps, errors


def test_majority_of_distinct_sources_wins_and_is_traced():
    naps, errors = run(
        sources(
            plan_claims=[
                claim(end=2015, source="https://1325naps.example/"),
                claim(end=2013, source="https://norway-un.example/"),
                claim(end=2013, source="https://securitywomen.example/"),
            ]
        )
    )
    plan = naps.plans[("NOR", "2")]
    assert (plan.start, plan.end) == (2011, 2013)
    record = next(r for r in plan.reconciliations if r.property == "end_year")
    assert record.method == MAJORITY and record.chosen == 2013
    assert {c.source for c in record.supporting} == {
        "https://norway-un.example/",
        "https://securitywomen.example/",
    }
    assert [c.source for c in record.conflicting] == ["https://1325naps.example/"]
    assert record.comment.startswith("2 of 3 organisations state 2013")
    assert len(plan.claims) == 3 and not errors.errors


def test_a_tie_publishes_no_value_but_keeps_both_claims():
    naps, _ = run(
        sources(
            plan_claims=[
                claim(iso3="USA", end=2018, source="https://p.example/"),
                claim(iso3="USA", end=2019, source="https://w.example/"),
            ]
        )
    )
    plan = naps.plans[("USA", "2")]
    assert plan.end is None and plan.start == 2011
    record = next(r for r in plan.reconciliations if r.property == "end_year")
    assert record.method == UNRESOLVED and len(record.conflicting) == 2


def test_one_source_counts_once_for_a_value():
    chosen, record = vote(
        "end_year",
        [
            (Claim("a", claim(source="https://x.example/")), 2015),
            (Claim("b", claim(source="https://x.example/", line=3)), 2015),
            (Claim("c", claim(source="https://y.example/", line=4)), 2013),
        ],
    )
    assert chosen is None and record.method == UNRESOLVED


def test_curator_decision_comes_first_even_against_the_majority():
    decision = Decision(
        "NOR",
        "2",
        "end_year",
        2015,
        "the plan document says so",
        Origin("data/curated/decisions.csv", 2),
    )
    naps, _ = run(
        sources(
            plan_claims=[
                claim(end=2015, source="https://a.example/"),
                claim(end=2013, source="https://b.example/"),
                claim(end=2013, source="https://c.example/"),
            ],
            decisions=[decision],
        )
    )
    plan = naps.plans[("NOR", "2")]
    assert plan.end == 2015
    record = next(r for r in plan.reconciliations if r.property == "end_year")
    assert record.method == CURATOR and record.comment == "the plan document says so"
    assert record.origin == decision.origin


def test_agreeing_sources_need_no_reconciliation_record():
    naps, _ = run(
        sources(
            plan_claims=[claim(source="https://a.example/"), claim(source="https://b.example/")]
        )
    )
    assert naps.plans[("NOR", "2")].reconciliations == []


def test_assignment_moves_a_claim_to_another_plan():
    moved = claim(
        iso3="COD", edition=3, adopted=2018, start=2019, end=2022, source="https://sw.example/"
    )
    naps, errors = run(
        sources(
            plan_claims=[
                claim(
                    iso3="COD",
                    edition=2,
                    adopted=2018,
                    start=2019,
                    end=2022,
                    source="https://un.example/",
                ),
                moved,
            ],
            assignments=[
                Assignment(
                    "COD",
                    "https://sw.example/",
                    3,
                    2018,
                    "2",
                    "called second elsewhere",
                    Origin("data/curated/plan_assignments.csv", 2),
                )
            ],
        )
    )
    assert list(naps.plans) == [("COD", "2")]
    assert naps.plans[("COD", "2")].edition is None  # 1 source says 2, 1 says 3: a tie
    assert errors.errors and "give it edition None" in str(errors.errors[0])


def test_unused_assignment_is_an_error():
    _, errors = run(
        sources(
            plan_claims=[claim()],
            assignments=[
                Assignment(
                    "NOR",
                    "https://nowhere.example/",
                    9,
                    None,
                    "9",
                    "stale",
                    Origin("data/curated/plan_assignments.csv", 5),
                )
            ],
        )
    )
    assert "plan_assignments.csv:5: field 'source_url': this assignment matches no row" in str(
        errors.errors[0]
    )


def test_claim_without_edition_joins_the_plan_with_its_year():
    naps, _ = run(
        sources(
            plan_claims=[
                claim(
                    iso3="LBN",
                    edition=1,
                    adopted=2019,
                    start=2019,
                    end=2022,
                    source="https://a.example/",
                ),
                claim(
                    iso3="LBN",
                    edition=None,
                    adopted=2019,
                    start=None,
                    end=None,
                    source="https://b.example/",
                ),
            ]
        )
    )
    assert list(naps.plans) == [("LBN", "1")]
    assert len(naps.plans[("LBN", "1")].claims) == 2


def test_unnumbered_plan_is_keyed_by_its_year_and_status_rows_stay_claims():
    naps, _ = run(
        sources(
            plan_claims=[
                claim(
                    iso3="GBR", edition=None, start=2010, end=2013, source="https://una.example/"
                ),
                claim(iso3="FJI", edition=None, start=None, end=None, source="https://sw.example/"),
            ]
        )
    )
    assert ("GBR", "2010") in naps.plans and naps.plans[("GBR", "2010")].edition is None
    assert [c.row.iso3 for c in naps.status_claims] == ["FJI"]


def test_plans_succeed_their_previous_edition():
    naps, _ = run(
        sources(
            plan_claims=[
                claim(edition=1, start=2006, end=2010),
                claim(edition=2, start=2011, end=2013),
                claim(edition=4, start=2019, end=2022),
            ]
        )
    )
    assert naps.plans[("NOR", "2")].previous is naps.plans[("NOR", "1")]
    assert naps.plans[("NOR", "4")].previous is None  # edition 3 is not known


def test_focus_areas_attach_by_year_and_curated_titles_win():
    origin = Origin("data/nap-facts/focus_areas.csv", 2)
    focus = [
        FocusClaimRow(
            "NOR", 2019, 2022, 5, "Sustaining peace", None, "https://docs.example/", origin
        ),
        FocusClaimRow(
            "NOR", 2019, 2022, 5, "Sustaining Peace", None, "https://seed.example/", origin
        ),
    ]
    curated = [
        CuratedFocusArea(
            "NOR",
            "4",
            5,
            "Sustaining Peace",
            "Support women's participation.",
            ("prevention",),
            "https://seed.example/",
            None,
            Origin("data/curated/focus_areas.csv", 6),
        )
    ]
    naps, errors = run(
        sources(
            plan_claims=[claim(edition=4, start=2019, end=2022)],
            focus_claims=focus,
            curated_focus=curated,
        )
    )
    area = naps.plans[("NOR", "4")].focus_areas[0]
    assert (area.position, area.title, area.description, area.pillars) == (
        5,
        "Sustaining Peace",
        "Support women's participation.",
        ["prevention"],
    )
    assert len(area.claims) == 3
    record = area.reconciliations[0]
    assert record.method == CURATOR
    # Titles that differ only in case agree; the curator's record supports its own value.
    assert record.conflicting == [] and len(record.supporting) == 3
    assert not errors.errors


def test_titles_differing_in_case_are_one_title_spelled_as_most_sources_do():
    def titled(title, source):
        return Claim(source, claim(source=source)), title

    chosen, record = vote(
        "title",
        [
            titled("Sustaining peace", "https://a.example/"),
            titled("Sustaining  Peace", "https://b.example/"),
            titled("Sustaining peace", "https://c.example/"),
        ],
        same=same_title,
    )
    assert (chosen, record) == ("Sustaining peace", None)


def test_a_site_stating_two_values_is_named_in_the_comment():
    chosen, record = vote(
        "adopted_year",
        [
            (Claim("a", claim(source="https://torn.example/a")), 2012),
            (Claim("b", claim(source="https://torn.example/b", line=3)), 2011),
            (Claim("c", claim(source="https://other.example/", line=4)), 2012),
        ],
    )
    assert chosen == 2012 and record.method == MAJORITY
    assert "torn.example states more than one value" in record.comment


def test_focus_list_whose_plan_is_unknown_stays_a_claim_about_the_country():
    origin = Origin("data/nap-facts/focus_areas.csv", 2)
    naps, _ = run(
        sources(
            plan_claims=[
                claim(iso3="NGA", edition=1, adopted=2013, start=None, end=None),
                claim(iso3="NGA", edition=2, start=2017, end=2020),
            ],
            focus_claims=[
                FocusClaimRow(
                    "NGA", None, None, 1, "Prevention", None, "https://sw.example/", origin
                )
            ],
        )
    )
    assert [c.row.title for c in naps.unassigned_focus] == ["Prevention"]
    assert all(not p.focus_areas for p in naps.plans.values())


def test_focus_list_without_a_plan_stays_with_a_country_of_one_plan():
    """Review finding: Lithuania's objectives, which name no period, were given its only plan."""
    origin = Origin("data/nap-facts/focus_areas.csv", 2)
    naps, _ = run(
        sources(
            plan_claims=[claim(iso3="LTU", edition=1, adopted=2011, start=None, end=None)],
            focus_claims=[
                FocusClaimRow(
                    "LTU", None, None, 1, "Participation", None, "https://w.example/", origin
                )
            ],
        )
    )
    assert [c.row.title for c in naps.unassigned_focus] == ["Participation"]
    assert naps.plans[("LTU", "1")].focus_areas == []


def test_focus_list_whose_year_fits_no_plan_is_an_error():
    origin = Origin("data/nap-facts/focus_areas.csv", 9)
    _, errors = run(
        sources(
            plan_claims=[claim(edition=4, start=2019, end=2022)],
            focus_claims=[
                FocusClaimRow("NOR", 2040, 2045, 1, "Future", None, "https://w.example/", origin)
            ],
        )
    )
    assert (
        "focus_areas.csv:9: field 'plan_start_year': no plan of this country starts or was adopted in 2040"
        in str(errors.errors[0])
    )


def test_unnumbered_claims_sharing_a_year_make_one_plan():
    naps, _ = run(
        sources(
            plan_claims=[
                claim(
                    iso3="SWE",
                    edition=None,
                    adopted=2023,
                    start=2024,
                    end=2028,
                    source="https://o.example/",
                ),
                claim(
                    iso3="SWE",
                    edition=None,
                    adopted=2023,
                    start=None,
                    end=None,
                    source="https://g.example/",
                ),
            ]
        )
    )
    assert list(naps.plans) == [("SWE", "2024")]
    assert len(naps.plans[("SWE", "2024")].claims) == 2


def test_versions_of_one_site_count_once():
    chosen, record = vote(
        "end_year",
        [
            (Claim("a", claim(source="https://www.site.example/page")), 2013),
            (Claim("b", claim(source="https://site.example/page", line=3)), 2013),
            (Claim("c", claim(source="https://other.example/", line=4)), 2015),
        ],
    )
    assert chosen is None and record.method == UNRESOLVED
    assert "site.example" in record.comment


def test_claim_identifier_ignores_notes():
    from dataclasses import replace

    from nap_graph.reconcile import claim_id

    row = claim()
    assert claim_id(row) == claim_id(replace(row, note="corrected note", country_name="Norge"))
    assert claim_id(row) != claim_id(replace(row, end=2015))
