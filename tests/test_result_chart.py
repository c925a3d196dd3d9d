"""The chart of a SELECT answer (/sparql/chart, server/result_chart.py) and on the results page."""

from __future__ import annotations

import re
from urllib.parse import quote

from helpers import AXE, axe_problems, require_installed

from nap_graph.build import PROJECT_ROOT
from server.examples import example_queries

YASGUI = PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"

PREFIXES = (
    "PREFIX wps: <https://w3id.org/nap-graph/def/wps#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
MONTHS = (
    PREFIXES
    + "SELECT ?month (SUM(?w) AS ?women) WHERE { ?o wps:refMonth ?month ; wps:womenCount ?w }"
    " GROUP BY ?month ORDER BY ?month"
)
CATEGORIES = (
    PREFIXES
    + "SELECT ?country (SUM(?w) AS ?women) WHERE { ?o wps:contributor ?c ; wps:womenCount ?w ."
    " ?c skos:prefLabel ?country } GROUP BY ?country ORDER BY DESC(?women) ?country"
)


def chart(client, query: str, method: str = "get"):
    if method == "post":
        return client.post("/sparql/chart", data={"query": query}, headers={"Accept": "*/*"})
    return client.get("/sparql/chart", query_string={"query": query}, headers={"Accept": "*/*"})


def test_months_and_numbers_are_a_line_with_named_axes(client):
    answer = chart(client, MONTHS)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert 'role="img"' in svg and "<title" in svg
    assert "women by month, as a line" in svg
    assert re.search(r'aria-roledescription="line mark"|role-line|mark-line', svg)
    # The axes' titles are the variables' names, at 13 px.
    assert ">month</text>" in svg and ">women</text>" in svg
    assert 'font-size="13px"' in svg


def test_categories_are_bars_in_the_answers_order(client):
    answer = chart(client, CATEGORIES, method="post")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    svg = answer.get_data(as_text=True)
    assert "women by country, as bars" in svg
    assert "mark-rect" in svg and "mark-line" not in svg
    rows = client.get(
        "/sparql",
        query_string={"query": CATEGORIES},
        headers={"Accept": "application/sparql-results+json"},
    ).get_json()["results"]["bindings"]
    first, last = rows[0]["country"]["value"], rows[-1]["country"]["value"]
    assert first != last and svg.index(f">{first}</text>") < svg.index(f">{last}</text>")


def test_an_answer_that_cannot_be_charted_is_a_400_that_says_why(client):
    for query, words in (
        ("ASK { ?s ?p ?o }", "SELECT"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "SELECT"),
        (PREFIXES + "SELECT ?c ?name WHERE { ?c skos:prefLabel ?name } LIMIT 5", "number"),
        ("SELECT ?s ?n WHERE { ?s <urn:nothing> ?n }", "empty"),
    ):
        answer = chart(client, query)
        assert answer.status_code == 400, query
        error = answer.get_json()
        assert error["ok"] is False and error["code"] == "NOT_CHARTABLE"
        assert words in error["error"], error


def test_the_endpoints_checks_apply_to_the_chart(client):
    service = "SELECT ?s ?n WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?n } }"
    refused = client.get("/sparql", query_string={"query": service}, headers={"Accept": "*/*"})
    assert refused.status_code == 400
    answer = chart(client, service)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == refused.get_json()["code"] == "QUERY_REJECTED"
    # The endpoint's size limit too.
    long = "SELECT ?s ?n WHERE { ?s ?p ?n } #" + "x" * client.application.config["MAX_QUERY_BYTES"]
    assert chart(client, long).status_code == 413
    assert client.post("/sparql/chart", data={"update": "CLEAR ALL"}).status_code == 400


def test_the_results_page_holds_the_chart_above_the_table(client):
    page = client.get("/sparql", query_string={"query": MONTHS}, headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and 'id="results-chart"' in html
    assert html.index('id="results-chart"') < html.index('<table class="results">')
    words = client.get(
        "/sparql",
        query_string={
            "query": PREFIXES + "SELECT ?c ?name WHERE { ?c skos:prefLabel ?name } LIMIT 5"
        },
        headers={"Accept": "text/html"},
    ).get_data(as_text=True)
    assert '<table class="results">' in words and 'id="results-chart"' not in words


def test_the_editor_draws_an_answer_as_a_chart(visit, full_server):
    from playwright.sync_api import expect

    require_installed("YASGUI (npm ci)", YASGUI.is_file())
    example = next(e for e in example_queries() if e.name == "05-plans-per-pillar")
    page = visit()
    page.goto("/sparql")
    page.locator(f'button.open-example[data-example="{example.name}"]').click()
    tab = page.locator(".tabPanel.active")
    tab.locator(".yasqe_queryButton").click()
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible(timeout=15_000)
    tab.locator(".yasr .select_chart").click()
    svg = tab.locator(".yasr .yasr_results svg.chart")
    expect(svg).to_be_visible(timeout=15_000)
    expect(svg.locator(".role-axis").first).to_be_visible()  # the axes, and their titles
    expect(svg).to_contain_text("pillarLabel")


def test_the_results_page_with_a_chart_passes_axe(visit):
    require_installed("axe-core (npm ci)", AXE.is_file())
    page = visit(bypass_csp=True, viewport={"width": 390, "height": 800})
    from playwright.sync_api import expect

    page.goto("/sparql?query=" + quote(MONTHS))
    expect(page.locator("svg#results-chart")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_problems(page, exclude="#yasgui") == []  # YASGUI's own are known
