"""The charts (Vega-Lite drawn as SVG by vl-convert), the compare page and the mission page,
in process on the small build: what the SVG and the tables beside it say.

How they look in Chromium, at a phone's width, is in test_browser.py.
"""

from __future__ import annotations

import re

import pytest

from server import charts

HTML = {"Accept": "text/html"}


def page(client, path: str, **params) -> str:
    response = client.get(path, headers=HTML, query_string=params, follow_redirects=True)
    assert response.status_code == 200, response.text[:500]
    return response.text


def chart_svgs(html: str) -> dict[str, str]:
    """The charts of a page by their id."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<svg [^>]*class="chart" id="([^"]+)".*?</svg>', html, re.S)
    }


def hover_titles(svg: str) -> list[str]:
    """The <title> of each point or line: what a browser shows on hover."""
    return re.findall(r"<path [^>]*><title>([^<]*)</title></path>", svg)


@pytest.fixture(scope="module")
def norway(app) -> str:
    with app.test_client() as client:
        return page(client, "/id/country/NOR")


def test_the_country_charts_have_axis_titles_readable_labels_and_one_scale(norway):
    found = chart_svgs(norway)
    assert set(found) == {
        "chart-troops",
        "chart-experts-on-mission",
        "chart-staff-officers",
        "chart-individual-police",
        "chart-formed-police-units",
    }
    y_scales = set()
    for chart_id, svg in found.items():
        assert 'role="img"' in svg and f'aria-labelledby="{chart_id}-title"' in svg
        assert re.search(r'<svg [^>]*viewBox="0 0 \d+ \d+"', svg)
        assert not re.search(r"<svg [^>]*\bwidth=", svg), "the page's width sets the chart's"
        assert ">Share of women</text>" in svg and ">Month (counted at its end)</text>" in svg
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
        assert sizes and min(sizes) >= 12, (chart_id, sorted(set(sizes)))
        # Every part named to assistive technology has a name (Vega leaves empty layers unnamed).
        assert not re.search(r'role="graphics-symbol"(?![^>]*aria-label)[^>]*>', svg)
        y_scales.update(re.findall(r"aria-label=\"(Y-axis[^\"]*)\"", svg))
    # Every category on the same y scale, up to the 10% above the highest share charted.
    assert y_scales == {
        "Y-axis titled 'Share of women' for a linear scale with values from 0% to 50%"
    }


def test_the_targets_are_a_step_over_their_year_and_a_line_for_2028(norway):
    troops = chart_svgs(norway)["chart-troops"]
    step = re.search(
        r'<path aria-roledescription="line mark" d="([^"]+)"[^>]*><title>Target for 2021: 8% women</title>',
        troops,
    )
    assert step, "the 2021 target is a line of its own, titled"
    # A step: from January to December 2021 at one height, nothing before or after.
    assert re.fullmatch(r"M[\d.]+,([\d.]+)(L[\d.]+,\1)+", step.group(1)), step.group(1)
    assert ">2028 target 15%</text>" in troops
    assert "2028 target 15%; 2021 target 8%" in norway  # said in the caption too


def test_each_point_gives_its_counts_on_hover_and_in_the_table(norway):
    troops = hover_titles(chart_svgs(norway)["chart-troops"])
    # Troops in 2013-12: MINUSMA 0 of 4 and UNMISS 1 of 12, summed over missions.
    assert "Troops (contingent), 2013-12: 1 woman of 16 personnel (6%)" in troops
    series = norway[norway.index("<caption>Troops (contingent)</caption>") :]
    assert re.search(
        r'<td data-label="Month">2013-12</td><td data-label="Women">1</td><td data-label="All">16</td>'
        r'<td data-label="Share">6%</td>',
        series,
    )
    # The months of the dataset by country (no missions) are in the same series.
    assert (
        "Troops (contingent), 2018-03: 0 women of 9 personnel (0%); fewer than 10 personnel"
        in troops
    )


def test_a_small_denominator_is_a_hollow_point(norway):
    troops = chart_svgs(norway)["chart-troops"]
    small = re.search(r"<path ([^>]*)><title>Troops \(contingent\), 2018-03:", troops)
    large = re.search(r"<path ([^>]*)><title>Troops \(contingent\), 2013-12:", troops)
    assert 'fill="white"' in small.group(1) and 'stroke="' in small.group(1)
    assert 'fill="white"' not in large.group(1)
    assert re.search(r"\d+ months? with fewer than 10 personnel \(hollow\)", norway)


def test_a_month_whose_gender_split_is_unreliable_has_no_share(norway):
    for svg in chart_svgs(norway).values():
        assert not [t for t in hover_titles(svg) if ", 2020-08:" in t]
    # Staff officers in 2020-08 are printed as 19 women of 19: withheld, and said why.
    assert 'No share for <time datetime="2020-08">2020-08</time>' in norway
    series = norway[norway.index("<caption>Staff officers</caption>") :]
    row = re.search(r'<td data-label="Month">2020-08</td>.*?</tr>', series).group(0)
    assert "withheld" in row and ">19<" in row


def test_the_country_page_links_to_the_compare_page(norway):
    assert 'href="/compare?country=NOR">Compare Norway with other countries</a>' in norway


def test_the_compare_page_overlays_the_countries_chosen(client):
    html = page(client, "/compare", country=["NOR", "GHA"], category="individual-police")
    svg = chart_svgs(html)["chart-compare"]
    titles = hover_titles(svg)
    # Norway's police in 2013-12: UNMISS 5 of 18, UNMIL 5 of 10, MINUSTAH 4 of 6.
    assert "Norway, 2013-12: 14 women of 34 personnel (41%)" in titles
    assert any(t.startswith("Ghana, ") for t in titles)
    assert ">Norway</text>" in svg and ">Ghana</text>" in svg  # the legend
    assert ">2028 target 30%</text>" in svg
    colours = re.findall(
        r'<path aria-roledescription="point"[^>]* (?:fill|stroke)="(#[0-9a-f]+)"', svg
    )
    assert len(set(colours)) == 2, "a colour per country"
    # A table beside the chart, and a form that needs no script.
    assert '<table id="compare-table"' in html and 'aria-describedby="compare-table"' in html
    form = re.search(r'<form method="get" action="/compare".*?</form>', html, re.S).group(0)
    assert re.search(r'<input type="checkbox" name="country" value="NOR" checked>', form)
    assert re.search(r'<input type="checkbox" name="country" value="GHA" checked>', form)
    assert re.search(r'<input type="checkbox" name="country" value="BGD">', form)
    ticked = re.findall(r'name="country" value="(\w+)"( checked)?>', form)
    assert ticked[:2] == [("GHA", " checked"), ("NOR", " checked")]  # first, by name
    assert '<option value="individual-police" selected>' in form
    assert "<script" not in html[html.index("<main") :]


def test_the_compare_page_says_what_it_cannot_show(client):
    html = page(client, "/compare", country=["XYZ", "EGY"], category="no-such-category")
    assert "No contributions are recorded for XYZ." in html
    assert '<option value="troops" selected>' in html  # an unknown category: the first
    # Egypt's one month (2009-11) has police and experts, no troops.
    assert "No troops (contingent) of Egypt are recorded." in html
    assert "chart-compare" not in chart_svgs(html)
    experts = page(client, "/compare", country="EGY", category="experts-on-mission")
    assert "chart-compare" in chart_svgs(experts)
    empty = page(client, "/compare")
    assert "chart-compare" not in chart_svgs(empty) and "<form" in empty


def test_a_mission_has_a_page_of_its_own(client):
    html = page(client, "/id/mission/UNMISS")
    assert "<h1>UNMISS</h1>" in html
    facts = re.search(r'<dl class="facts">.*?</dl>', html, re.S).group(0)
    # The graph records the acronym only: no full name is made up.
    assert "<dt>Full name</dt><dd>not recorded</dd>" in facts
    assert '<a href="/id/country/SSD">South Sudan</a>' in facts
    assert "<dd>Juba</dd>" in facts
    assert (
        '<time datetime="2013-12">2013-12</time> to <time datetime="2025-07">2025-07</time>'
        in facts
    )
    table = re.search(r'<table id="contributors-table".*?</table>', html, re.S).group(0)
    names = re.findall(r'<th scope="row"><a href="/id/country/\w+">([^<]+)</a>', table)
    shares = [int(s) for s in re.findall(r'<td data-label="Share">(\d+)%', table)]
    assert len(names) >= 2 and shares == sorted(shares, reverse=True)
    bars = hover_titles(chart_svgs(html)["chart-contributors"])
    assert "Norway: 4 women of 23 personnel (17%)" in bars
    assert [b.split(":")[0] for b in bars] == names


def test_a_chart_is_rendered_once_per_build(app, monkeypatch):
    calls = []
    render = charts.vlc.vegalite_to_svg

    def counted(spec):
        calls.append(spec)
        return render(spec)

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", counted)
    spec = {"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}}
    serving = app.extensions["nap_graph"]
    with app.test_request_context("/"):
        serving.begin_request()
        try:
            first = charts.render("chart-once", "Once", spec)
            again = charts.render("chart-once", "Once", spec)
            other = charts.render("chart-once", "Once", {**spec, "mark": "tick"})
        finally:
            serving.end_request()
    assert first == again and first != other
    assert len(calls) == 2
    assert first.startswith("<svg ") and '<title id="chart-once-title">Once</title>' in first
