"""The knowledge rules on real rows: organisations, extensions, drafts, statuses, themes.

Each test reads the build of tests/data/sources (real rows of data/, copied byte for byte by
tests/data/make_sources.py) or feeds real rows to the reconciliation, and checks one rule of
docs/data-model.md.
"""

from __future__ import annotations

import pytest

from nap_graph.build import assemble
from nap_graph.country_status import country_statuses
from nap_graph.errors import SourceErrors
from nap_graph.reconcile import (
    DERIVED,
    EXTENDED,
    LATER_STAGE,
    ONE_ORGANISATION,
    RECORDED,
    Claim,
    vote,
)
from nap_graph.sources.naps import Organisations, PlanClaimRow
from nap_graph.sources.records import Origin, iri_safe
from server.pages import PlanSummary, mark_gaps


def record(plan, prop):
    return next((r for r in plan.reconciliations if r.property == prop), None)


# ---------------------------------------------------------------- organisations, not hosts


def test_three_hosts_of_wilpf_are_one_voice(built):
    """Cameroon's first plan: 1325naps.peacewomen.org, peacewomen.org and wilpfcameroon.org are
    all WILPF. Counted as hosts they made "2 of 3 sites"; they are one organisation."""
    plan = built.naps.plans[("CMR", "1")]
    start = record(plan, "start_year")
    assert plan.start == 2018
    assert start.method == ONE_ORGANISATION
    assert start.comment.startswith("WILPF gives 2018 on 2 and 2017 on 1 of its pages")
    assert "sites" not in start.comment


def test_two_hosts_of_one_organisation_never_make_a_dispute(built):
    organisation = built.naps.organisations.of
    for plan in built.naps.plans.values():
        for rec in plan.reconciliations:
            if rec.method in ("majority-of-sources", "unresolved"):
                voices = {organisation(c.source) for c in rec.supporting + rec.conflicting}
                assert len(voices) > 1, (plan.iso3, plan.key, rec.comment)


def test_a_vote_names_organisations():
    wilpf = Organisations({"1325naps.peacewomen.org": "WILPF", "peacewomen.org": "WILPF"})

    def stated(source, value, line):
        row = PlanClaimRow(
            "NOR", None, 2, None, 2011, value, source, None, Origin("data/x.csv", line)
        )
        return Claim(str(line), row), value

    chosen, rec = vote(
        "end_year",
        [
            stated("http://1325naps.peacewomen.org/index.php/nap-overview/norway", 2015, 2),
            stated("https://www.peacewomen.org/nap-norway", 2015, 3),
            stated("http://www.norway-un.org/strategic-plan", 2013, 4),
            stated("https://securitywomen.org/norway", 2013, 5),
        ],
        organisation=wilpf.of,
    )
    # Two WILPF sites are one voice against two organisations.
    assert chosen == 2013
    assert rec.comment.startswith("2 of 3 organisations state 2013")
    assert "2015 (1: WILPF)" in rec.comment


def test_every_source_host_needs_its_organisation(settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    plans.write_text(
        plans.read_text() + "Norway,NOR,6,,2031,2035,https://unmapped.example.net/p6,\n"
    )
    with pytest.raises(SourceErrors, match="unmapped.example.net has no organisation"):
        assemble(settings, validate=False)


# ---------------------------------------------------------------- extensions


def test_an_extension_is_a_fact_not_a_conflict(built):
    """Poland's 2018-2021 plan, extended to the end of 2023 (three WILPF and WPS Focal Points
    pages say so): no end-year dispute, and the period in force includes the extension."""
    plan = built.naps.plans[("POL", "1")]
    assert (plan.start, plan.end, plan.extended, plan.last_year_in_force) == (
        2018,
        2021,
        2023,
        2023,
    )
    assert len(plan.extension_claims) == 3
    end = record(plan, "end_year")
    assert end.method == EXTENDED and end.chosen == 2021
    assert "2023, the end of the period as extended" in end.comment


def test_the_netherlands_third_plan_ran_to_2020(built):
    """The review finding: NLD/3 was published as ending in 2019, drawing a false gap year."""
    plan = built.naps.plans[("NLD", "3")]
    assert (plan.end, plan.extended) == (2019, 2020)
    assert record(plan, "end_year").method == EXTENDED
    summaries = [
        PlanSummary(
            p.key,
            p.key,
            p.edition,
            p.adopted,
            p.start,
            p.end,
            p.status,
            p.extended,
            p.last_year_in_force,
        )
        for p in sorted(
            (p for (iso3, _), p in built.naps.plans.items() if iso3 == "NLD"),
            key=lambda p: p.start,
        )
    ]
    mark_gaps(summaries)
    assert [s.gap_before for s in summaries] == [None, None, None, None]
    assert summaries[2].period == "2016-2019, extended to 2020"


# ---------------------------------------------------------------- unknown end years


def test_an_unknown_end_year_never_draws_a_gap(built):
    """The United States' second plan ends in 2018 or 2019 as the sources say, so its end is
    not published; the 2019 Strategy follows it with no gap drawn."""
    plans = sorted(
        (p for (iso3, _), p in built.naps.plans.items() if iso3 == "USA"),
        key=lambda p: p.first_year,
    )
    assert plans[1].key == "2" and plans[1].end is None
    summaries = [
        PlanSummary(
            p.key,
            p.key,
            p.edition,
            p.adopted,
            p.start,
            p.end,
            p.status,
            p.extended,
            p.last_year_in_force,
        )
        for p in plans
    ]
    mark_gaps(summaries)
    assert all(s.gap_before is None for s in summaries)
    assert summaries[1].period == "from 2016, end not recorded"
    # A known end is still a gap: Norway's second plan ended in 2013, its third began in 2015.
    norway = [
        PlanSummary(k, k, None, None, s, e, "adopted", None, e)
        for k, s, e in (("2", 2011, 2013), ("3", 2015, 2018))
    ]
    mark_gaps(norway)
    assert norway[1].gap_before == 1


# ---------------------------------------------------------------- drafts and adoption


def test_an_older_draft_does_not_vote_on_the_adopted_plans_years(built):
    """The Netherlands' third plan: a 2015 article planned 2016-2019 before adoption."""
    plan = built.naps.plans[("NLD", "3")]
    draft = [c for c in plan.claims if c.is_draft]
    assert [c.as_of for c in draft] == ["2015"]
    status = record(plan, "status")
    assert status.method == LATER_STAGE and status.chosen == "adopted"
    assert "genderconcerns.org (2015) describes the plan as a draft" in status.comment


def test_a_plan_with_only_drafts_is_in_development(built):
    plan = built.naps.plans[("KHM", "1")]
    assert plan.status == "in-development"
    assert {c.as_of for c in plan.claims} == {"2024-12-18"}


# ---------------------------------------------------------------- country statuses


def test_every_un_member_and_observer_state_has_a_status(built):
    members = {iso3 for iso3, c in built.countries.items() if c.in_un}
    assert len(members) == 195 and {"PSE", "VAT"} <= members
    assert members <= set(built.statuses)


@pytest.mark.parametrize(
    "iso3, status, date",
    [
        ("NOR", "plan-adopted", "2023"),  # five adopted plans, the latest adopted in 2023
        ("MRT", "plan-adopted", "2023-12-20"),  # "has elaborated a national plan": no years
        ("KHM", "plan-in-development", "2024-12-18"),
        ("FJI", "plan-in-development", "2022-09"),
        ("THA", "no-plan-found", "2022"),  # two pages say it has none
        ("URY", "no-plan-found", None),  # the update harvest searched and found nothing
        ("HUN", "not-researched", None),  # no source on hand was searched for it
    ],
)
def test_a_country_status_comes_with_its_date_and_sources(built, iso3, status, date):
    found = built.statuses[iso3]
    assert (found.status, found.date) == (status, date)
    if status == "not-researched":
        assert not found.plans and not found.claims and not found.sources
    else:
        assert found.plans or found.claims
    if date:
        assert found.sources


def test_a_source_saying_a_country_has_a_plan_without_years_counts(built):
    """A plan with an unknown period is still a plan: Mauritania counts as having one."""
    mauritania = built.statuses["MRT"]
    assert mauritania.status == "plan-adopted" and not mauritania.plans
    assert {c.review.status for c in mauritania.claims} == {"plan-adopted"}


def test_a_row_that_names_no_plan_must_be_reviewed(settings):
    plans = settings.data_dir / "nap-facts" / "plans.csv"
    line = plans.read_text().count("\n") + 1
    plans.write_text(
        plans.read_text() + "Norway,NOR,,,,,https://example.org/status,says something\n"
    )
    with pytest.raises(SourceErrors) as caught:
        assemble(settings, validate=False)
    assert f"nap-facts/plans.csv:{line}: field 'note': a row that names no plan" in str(
        caught.value
    )


def test_a_review_must_match_a_row(settings):
    reviews = settings.data_dir / "curated" / "stated_statuses.csv"
    line = reviews.read_text().count("\n") + 1
    reviews.write_text(
        reviews.read_text() + "NOR,https://example.org/none,,,plan-adopted,2020,no such row\n"
    )
    with pytest.raises(SourceErrors, match=f"stated_statuses.csv:{line}: .*matches no row"):
        assemble(settings, validate=False)


def test_statuses_count_the_unknown_apart(built):
    statuses = country_statuses(built.naps, built.countries)
    counted = {s.status for s in statuses.values()}
    assert counted == {"plan-adopted", "plan-in-development", "no-plan-found", "not-researched"}
    # Researched countries without a plan are those with another status than these two.
    without = [s for s in statuses.values() if s.status in ("plan-in-development", "no-plan-found")]
    assert all(s.claims or s.plans for s in without)


# ---------------------------------------------------------------- themes


def test_a_recorded_theme_and_a_derived_one_are_told_apart(built):
    norway = built.naps.plans[("NOR", "4")]
    recorded = {c.row.theme for c in norway.theme_claims if c.row.method == RECORDED}
    assert recorded == {"climate-security", "violent-extremism"}
    uk = built.naps.plans[("GBR", "4")]
    derived = [c for c in uk.theme_claims if c.row.method == DERIVED]
    assert [(c.row.theme, c.row.matched) for c in derived] == [("violent-extremism", "extremism")]
    assert derived[0].row.derived_from[0] == 6  # the focus area it was derived from
    assert uk.themes == ["violent-extremism"]


def test_gender_based_violence_alone_is_not_sexual_violence(built):
    texts = {
        c.row.matched
        for p in built.naps.plans.values()
        for c in p.theme_claims
        if c.row.theme == "conflict-related-sexual-violence"
    }
    assert texts and all("sexual" in t.casefold() or "SGBV" in t for t in texts)


def test_a_plan_without_theme_claims_has_no_theme(built):
    for plan in built.naps.plans.values():
        assert set(plan.themes) == {c.row.theme for c in plan.theme_claims}


# ---------------------------------------------------------------- addresses as stored


def test_a_character_not_allowed_in_an_iri_is_percent_encoded():
    stored = "https://fps.assistic.net/kb/indicateur-5-resolution-1325\ufffc-2"
    assert iri_safe(stored) == "https://fps.assistic.net/kb/indicateur-5-resolution-1325%EF%BF%BC-2"
    arabic = "https://alseyassah.com/article/452262/جواهر-الصباح"
    assert iri_safe(arabic) == arabic  # allowed in an IRI as it is


@pytest.mark.full
def test_the_full_data_meets_the_knowledge_issue(full_build):
    """Over 105 countries with a plan, over 30 with a plan in force in 2026, and each
    correction of the audit holds (docs/data.md lists them)."""
    naps, statuses = full_build.naps, full_build.statuses
    adopted = [s for s in statuses.values() if s.status == "plan-adopted"]
    assert len(adopted) >= 105
    in_force = {
        p.iso3
        for p in naps.plans.values()
        if p.status == "adopted"
        and p.start is not None
        and p.last_year_in_force is not None
        and p.start <= 2026 <= p.last_year_in_force
    }
    assert len(in_force) >= 30
    plan = naps.plans
    assert (plan[("DNK", "5")].status, plan[("DNK", "5")].start, plan[("DNK", "5")].end) == (
        "adopted",
        2025,
        2029,
    )
    montenegro = plan[("MNE", "2")]
    assert (montenegro.status, montenegro.adopted, montenegro.start, montenegro.end) == (
        "adopted",
        2019,
        2019,
        2022,
    )
    sweden = plan[("SWE", "2024")]
    assert sweden.edition == 4 and sweden.previous is plan[("SWE", "3")]
    assert (plan[("TUN", "1")].end, plan[("TUN", "1")].start) == (2020, 2018)
    assert (plan[("MLI", "2015")].start, plan[("MLI", "2015")].end) == (2015, 2017)
    assert (plan[("BIH", "2")].start, plan[("BIH", "2")].end) == (2014, 2017)
    assert plan[("FRA", "3")].adopted == 2021
    assert (plan[("CIV", "2")].start, plan[("CIV", "2")].end) == (2024, 2028)
    assert plan[("COD", "3")].adopted == 2024
    assert plan[("PHL", "4")].edition == 4 and plan[("PHL", "4")].start == 2023
    extended = {(p.iso3, p.key): p.extended for p in plan.values() if p.extended}
    assert {
        ("CHE", "4"): 2024,
        ("NLD", "3"): 2020,
        ("POL", "1"): 2023,
        ("LBR", "2"): 2025,
        ("BRA", "1"): 2023,
    }.items() <= extended.items()
    # The countries that the old data listed as without a plan, and what is known of them.
    assert statuses["TGO"].status == statuses["MWI"].status == "plan-adopted"
    assert statuses["GTM"].status == "plan-adopted"
    assert statuses["MNG"].status == "plan-in-development"
    assert all(statuses[c].status != "not-researched" for c in ("ETH", "MAR", "NER", "URY"))


def test_the_statuses_are_a_table_too(built):
    """statistics/country-nap-status.csv: one row per country with a status, as in the graph."""
    import csv

    path = built.settings.out_dir / "statistics" / "country-nap-status.csv"
    with path.open(encoding="utf-8") as handle:
        rows = {r["iso3"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(built.statuses)
    assert rows["POL"]["status"] == "plan-adopted"
    assert rows["POL"]["latest_plan_last_year_in_force"] == "2023"  # the extension's end
    assert (rows["HUN"]["status"], rows["HUN"]["sources"]) == ("not-researched", "")
    assert rows["URY"]["sources"].endswith("/id/source/nap-facts-update")
    assert rows["PSE"]["un"] == "observer" and rows["NOR"]["un"] == "member"
