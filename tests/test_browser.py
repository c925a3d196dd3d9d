"""The pages in a real browser: Debian's Chromium, driven by Playwright, against the real server.

.ci/run installs Chromium and the npm packages (YASGUI for the editor, axe-core for the
accessibility checks) and sets NAP_GRAPH_REQUIRE_TOOLS=1, so that in CI a missing one fails
instead of skipping. Screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import requests
from helpers import AXE, axe_problems

from nap_graph.build import PROJECT_ROOT
from server.examples import example_queries

pytestmark = [pytest.mark.full, pytest.mark.browser, pytest.mark.live]

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
YASGUI = PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"
NORWAY = "/id/country/NOR"
FOURTH_PLAN = "Norway, national action plan 4 (2019-2022)"


def require(what: str, present: bool) -> None:
    if not present:
        if os.environ.get("NAP_GRAPH_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{what} is not installed, and .ci/run should have installed it")
        pytest.skip(f"{what} is not installed (.ci/run installs it)")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def heading(page):
    return page.get_by_role("heading", level=1)


def test_from_the_home_page_to_norway_its_fourth_plan_and_a_focus_area(visit):
    from playwright.sync_api import expect

    page = visit()
    page.goto("/")
    expect(heading(page)).to_contain_text("NAP Graph")
    page.get_by_label("Name or ISO code").fill("Norway")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.countries tbody tr")).to_have_count(1)
    shot(page, "01-home-filtered")

    page.get_by_role("link", name="Norway", exact=True).click()
    expect(heading(page)).to_have_text("Norway")
    assert re.search(r"/doc/country/NOR(\.html)?$", page.url)
    shot(page, "02-norway")

    page.get_by_role("link", name=FOURTH_PLAN).first.click()
    expect(heading(page)).to_have_text(FOURTH_PLAN)
    expect(page.locator("ol.focus-areas > li")).to_have_count(5)
    shot(page, "03-norway-plan-4")

    page.get_by_role("link", name="Operations and missions").click()
    expect(heading(page)).to_have_text("Operations and missions")
    expect(page.get_by_text("Focus area 3 of")).to_be_visible()
    expect(page.get_by_role("link", name=FOURTH_PLAN)).to_be_visible()
    shot(page, "04-norway-plan-4-focus-area-3")


# What the seed page (the review site's page on Norway) shows, as it shows it.
SEED_PERIODS = ["2011-2013", "2015-2018", "2019-2022"]
SEED_FOCUS_AREAS = [
    (
        "Peace and reconciliation processes",
        "Create a space for women to enter, remain and contribute effectively in all phases of peace processes",
    ),
    (
        "Implementation of peace agreements",
        "When involved in the implementation of peace agreements, work to facilitate",
    ),
    (
        "Operations and missions",
        "Integrate women and men’s security, rights and needs in all areas of operations",
    ),
    ("Humanitarian efforts", "Include a gender perspective in Norway’s humanitarian efforts"),
    (
        "Sustaining Peace",
        "Support women’s participation and integration of the gender perspective in conflict prevention",
    ),
]
SEED_CONTEXT = "Norway does not have a recent history of conflict, but plays an important role in international peacekeeping"
SEED_FIGURES = [
    ("Troops", 2, 8),
    ("Experts on mission", 1, 11),
    ("Police", 9, 22),
    ("Staff officers", 4, 23),
]


def test_norways_page_shows_everything_the_seed_page_shows(visit):
    from playwright.sync_api import expect

    page = visit()
    page.goto(NORWAY)
    timeline = page.locator("ol.timeline")
    first = timeline.locator("li.plan").first
    expect(first).to_contain_text("2006")  # first NAP launched in 2006
    expect(first).to_contain_text("adopted 2006")
    for period in SEED_PERIODS:
        expect(timeline.locator("li.plan", has_text=period)).to_be_visible()
    # The fourth plan's five focus areas, in order, each with its description.
    section = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile(re.escape(FOURTH_PLAN)))
    )
    areas = section.locator("ol.focus-areas > li")
    expect(areas).to_have_count(5)
    for i, (title, description) in enumerate(SEED_FOCUS_AREAS):
        expect(areas.nth(i).get_by_role("heading")).to_have_text(title)
        expect(areas.nth(i)).to_contain_text(description)
    expect(section).to_contain_text("Violent extremism")
    expect(section).to_contain_text("Security aspects of climate change")
    expect(section).to_contain_text("Domestic and International")
    expect(page.get_by_text(SEED_CONTEXT)).to_be_visible()
    # The four UN peacekeeping figures: women out of all.
    stated = page.locator("table.stated")
    for label, women, total in SEED_FIGURES:
        row = stated.locator("tbody tr", has=page.get_by_role("rowheader", name=label))
        expect(row.locator("td").nth(0)).to_have_text(str(women))
        expect(row.locator("td").nth(1)).to_have_text(str(total))
    # Other NAPs: view all.
    others = page.get_by_role("navigation", name="Other NAPs")
    expect(others.get_by_role("link", name="View all")).to_be_visible()
    expect(others.get_by_role("link", name="Sweden")).to_be_visible()


def test_norways_charts_have_targets_and_a_table_beside_them(visit):
    from playwright.sync_api import expect

    page = visit()
    page.goto(NORWAY)
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        expect(charts.nth(i).locator(":scope > title")).to_contain_text("share of women, ")
    experts = page.get_by_role("img", name=re.compile("Experts on mission"))
    expect(experts.locator(":scope > title")).to_contain_text("2009-11 to 2025-07")
    police = page.get_by_role("img", name=re.compile("Individual police"))
    expect(police.locator("text", has_text="2028 target 30%")).to_have_count(1)
    # The troops' chart also marks the one target of one year known for troops (2021: 8%).
    troops = page.get_by_role("img", name=re.compile("Troops"))
    expect(troops.locator("path > title", has_text="Target for 2021")).to_have_text(
        "Target for 2021: 8% women"
    )
    row = page.locator(
        "table.latest tbody tr", has=page.get_by_role("rowheader", name="Individual police")
    )
    expect(row.locator("td").nth(0)).to_have_text("2025-07")  # the latest month, dated
    expect(row.locator("td").nth(4)).to_have_text("not found")  # no target found for 2025
    expect(row.locator("td").nth(5)).to_have_text("30%")  # the 2028 target for individual police
    # The latest month as the seed page shows it: police are individual and formed units.
    expect(page.locator("div.now")).to_contain_text("At the end of 2025-07")


def test_an_example_query_runs_in_the_editor_and_shows_its_rows(visit, full_server):
    from playwright.sync_api import expect

    require("YASGUI (npm ci)", YASGUI.is_file())
    example = example_queries()[0]
    expected = requests.post(
        full_server.url + "/sparql",
        data={"query": example.query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert expected

    page = visit()
    page.goto("/sparql")
    expect(page.locator(".yasgui")).to_be_visible()
    expect(page.locator("#query-form")).to_be_hidden()
    page.locator(f'button.open-example[data-example="{example.name}"]').click()
    tab = page.locator(".tabPanel.active")
    expect(tab.locator(".CodeMirror")).to_contain_text(example.query.splitlines()[-1].strip())
    tab.locator(".yasqe_queryButton").click()
    rows = tab.locator(".yasr table.dataTable tbody tr")
    expect(rows.first).to_be_visible(timeout=15_000)
    first_value = next(iter(expected[0].values()))["value"]
    expect(tab.locator(".yasr")).to_contain_text(first_value.rsplit("/", 1)[-1])
    expect(tab.locator(".yasr")).to_contain_text(f"{len(expected)} result")
    shot(page, "05-editor-example-query")


def test_without_javascript_the_pages_keep_their_content(visit):
    from playwright.sync_api import expect

    page = visit(javascript=False)
    page.goto(NORWAY)
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("table.latest")).to_be_visible()
    page.goto("/sparql")
    form = page.locator("#query-form")
    expect(form).to_be_visible()
    page.get_by_label("SPARQL query").fill(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name WHERE { <https://w3id.org/nap-graph/id/country/NOR> skos:prefLabel ?name }"
    )
    page.get_by_role("button", name="Run the query").click()
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    expect(page.locator("table.results")).to_contain_text("Norway")
    page.goto("/")
    page.get_by_label("Region").select_option(label="Northern Europe")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Norway", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Germany", exact=True)).to_have_count(0)


COMPARE = "/compare?country=NOR&country=SWE&category=individual-police"
PAGES = [
    "/",
    NORWAY,
    COMPARE,
    "/id/mission/UNMISS",
    "/id/plan/NOR/4",
    "/id/plan/NOR/4/focus-area/1",
    "/sparql",
    "/def/wps",
    "/download/",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_a_phone_screen(visit, path):
    page = visit(viewport={"width": 360, "height": 740})
    page.goto(path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(page, "phone" + re.sub(r"\W+", "-", path).rstrip("-"))
    assert overflow <= 1, f"{path} is {overflow}px wider than a phone's screen"


@pytest.mark.parametrize("path", PAGES)
def test_pages_pass_the_axe_accessibility_checks(visit, path):
    require("axe-core (npm ci)", AXE.is_file())
    page = visit(bypass_csp=True)
    page.goto(path)
    # YASGUI's own widget is not ours to fix; everything around it is checked.
    problems = axe_problems(page, exclude="#yasgui")
    assert problems == [], json.dumps(problems, indent=1)


@pytest.mark.parametrize("path", [NORWAY, COMPARE, "/id/mission/UNMISS"])
def test_charts_have_axes_and_readable_words_on_a_390_px_screen(visit, path):
    from playwright.sync_api import expect

    page = visit(viewport={"width": 390, "height": 844})
    page.goto(path)
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    expect(chart.locator("g.role-axis-title text").first).to_be_visible()
    assert chart.locator("g.role-axis-label text").count() >= 3
    # The size of the words as drawn: the SVG's font size times the viewBox's scale.
    sizes = page.evaluate(
        """() => [...document.querySelectorAll("svg.chart text, figcaption")].map(t => {
               const svg = t.closest("svg");
               return parseFloat(getComputedStyle(t).fontSize) * (svg ? svg.getScreenCTM().a : 1);
           })"""
    )
    assert sizes and min(sizes) >= 12, f"words of {min(sizes):.1f} px on {path}"
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than the screen"
    chart.locator("path > title").first.wait_for(state="attached")  # counts on hover
    shot(page, "chart-390" + re.sub(r"\W+", "-", path.split("?")[0]).rstrip("-"))


def test_the_compare_page_works_without_javascript(visit):
    from playwright.sync_api import expect

    page = visit(javascript=False)
    page.goto(NORWAY)
    page.get_by_role("link", name="Compare Norway with other countries").click()
    page.get_by_label("Sweden", exact=True).check()
    page.get_by_label("Category").select_option(label="Individual police")
    page.get_by_role("button", name="Compare").click()
    chart = page.get_by_role(
        "img", name=re.compile("Individual police: share of women, Norway and Sweden")
    )
    expect(chart).to_be_visible()
    expect(page.locator("#compare-table tbody tr")).to_have_count(2)
    page.get_by_role("rowheader", name="Sweden").get_by_role("link").click()
    expect(heading(page)).to_have_text("Sweden")


def test_the_keyboard_reaches_the_content_first(visit):
    from playwright.sync_api import expect

    page = visit()
    page.goto(NORWAY)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


# The home page's map (server/world_map.py; its HTML is tested in test_home_page.py).
MAP_SHAPES = PROJECT_ROOT / "node_modules" / "world-atlas" / "countries-110m.json"


def test_the_map_in_a_browser_links_countries_and_changes_with_the_year(visit):
    from playwright.sync_api import expect

    require("world-atlas (npm ci)", MAP_SHAPES.is_file())
    page = visit(javascript=False)
    page.goto("/?year=2021")
    norway = page.locator('svg.world-map a[href="/id/country/NOR"] path')
    expect(norway).to_have_class("s-in-force")
    fill = norway.evaluate("p => getComputedStyle(p).fill")
    assert fill == "rgb(0, 122, 94)"
    page.locator("select#year").select_option("2014")
    page.get_by_role("button", name="Show the year").click()
    expect(page.get_by_role("heading", name="The world in 2014")).to_be_visible()
    expect(norway).to_have_class("s-expired")
    assert norway.evaluate("p => getComputedStyle(p).fill") != fill
    # Norway's shape is thin and its box holds Sweden's: reach its link as a keyboard does.
    page.locator('svg.world-map a[href="/id/country/NOR"]').focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Norway")


@pytest.mark.parametrize("year", ["", "2012"])
def test_the_home_page_passes_axe_and_fits_a_phone(visit, year):
    require("axe-core (npm ci)", AXE.is_file())
    require("world-atlas (npm ci)", MAP_SHAPES.is_file())
    page = visit(bypass_csp=True, viewport={"width": 390, "height": 844})
    page.goto(f"/?year={year}" if year else "/")
    assert page.locator("svg.world-map path").count() > 150
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the home page is {overflow}px wider than a phone's screen"
    small = page.evaluate(
        """() => [...document.querySelectorAll('svg.multiple text')]
                 .filter(t => parseFloat(getComputedStyle(t).fontSize) < 12).length"""
    )
    assert small == 0
    problems = axe_problems(page)
    assert problems == [], problems


# ---------------------------------------------------------------- the catalogue and the editor

A_QUERY = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?name WHERE { <https://w3id.org/nap-graph/id/country/NOR> skos:prefLabel ?name }"
)


def editor_text(page) -> str:
    """The query in the editor's active tab (CodeMirror draws only the lines in view)."""
    return page.evaluate(
        "() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
    )


@pytest.mark.parametrize("path", ["/download/", "/.well-known/void"])
def test_the_catalogue_and_the_dataset_page_fit_390_px_and_pass_axe(visit, path):
    from playwright.sync_api import expect

    require("axe-core (npm ci)", AXE.is_file())
    page = visit(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page.goto(path)
    expect(heading(page)).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # opened too
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(page, "catalogue" + re.sub(r"\W+", "-", path).rstrip("-"))
    assert overflow <= 1, f"{path} is {overflow}px wider than 390 px"
    if path == "/download/":
        expect(page.get_by_role("link", name="Norway", exact=True)).to_be_visible()
    problems = axe_problems(page)
    assert problems == [], problems


def test_the_editor_opens_a_given_query_keeps_it_on_reload_and_shares_it(visit):
    from urllib.parse import urlencode

    from playwright.sync_api import expect

    require("YASGUI (npm ci)", YASGUI.is_file())
    page = visit()
    page.goto("/sparql?" + urlencode({"query": A_QUERY}))
    expect(page.locator(".tabPanel.active .CodeMirror")).to_be_visible()
    assert editor_text(page) == A_QUERY
    expect(page.locator("table.results")).to_contain_text("Norway")  # the answer, below
    page.reload()
    expect(page.locator(".tabPanel.active .CodeMirror")).to_be_visible()
    assert editor_text(page) == A_QUERY
    page.goto("/sparql")  # the editor itself keeps the tab, in this browser
    expect(page.locator(".tabPanel.active .CodeMirror")).to_be_visible()
    assert editor_text(page) == A_QUERY

    page.locator(".tabPanel.active .yasqe_share").click()
    link = page.locator(".yasqe_sharePopup input, .yasqe_sharePopup textarea").first
    expect(link).to_be_visible()
    shared = link.input_value()
    assert "query=" in shared
    other = visit()  # another browser: nothing kept, the link alone
    other.goto(shared)
    expect(other.locator(".tabPanel.active .CodeMirror")).to_be_visible()
    assert editor_text(other) == A_QUERY
    tab = other.locator(".tabPanel.active")
    tab.locator(".yasqe_queryButton").click()
    expect(tab.locator(".yasr")).to_contain_text("Norway", timeout=15_000)
    # The simple view by default: no datatype IRIs or language tags beside the values.
    expect(tab.locator(".yasr")).not_to_contain_text("@en")


def test_the_editor_completes_from_our_terms_and_says_when_an_answer_is_cut(visit):
    from playwright.sync_api import expect

    require("YASGUI (npm ci)", YASGUI.is_file())
    page = visit()
    page.goto("/sparql")
    expect(page.locator(".tabPanel.active .CodeMirror")).to_be_visible()

    def complete(text: str) -> list[str]:
        page.evaluate(
            """text => { const cm = document.querySelector('.tabPanel.active .CodeMirror').CodeMirror;
                 cm.setValue(text); cm.setCursor(cm.lineCount(), 0); cm.focus(); }""",
            text,
        )
        page.keyboard.press("Control+Space")
        hints = page.locator(".CodeMirror-hint")
        expect(hints.first).to_be_visible()
        return hints.all_text_contents()

    assert complete("PREFIX wp") == ["wps: <https://w3id.org/nap-graph/def/wps#>"]
    wps = "PREFIX wps: <https://w3id.org/nap-graph/def/wps#>\nSELECT * WHERE { ?s a wps:National"
    assert "wps:NationalActionPlan" in complete(wps)

    notice = page.locator("#editor-truncated")
    expect(notice).to_be_hidden()
    page.evaluate(
        "() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror"
        ".setValue('SELECT * WHERE { ?s ?p ?o }')"
    )
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    expect(notice).to_be_visible(timeout=30_000)
    expect(notice).to_contain_text("cut at the server's limit")


def test_pages_have_our_own_icon(visit, full_server):
    page = visit()
    page.goto("/")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    icon = requests.get(full_server.url + href, timeout=30)
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
