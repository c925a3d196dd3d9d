"""The home page's map of NAP status, its year control, the countries by region over time, the
latest plan of each country and the statement of coverage.

In process on the small build (the HTML the app sends); test_browser.py shows them in Chromium
on all the data. The map needs world-atlas from npm: where it is not installed the map tests
skip, and fail in CI (NAP_GRAPH_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import re

from helpers import require_installed

from nap_graph.build import PROJECT_ROOT
from server import world_map
from server.pages import this_year

ATLAS = PROJECT_ROOT / "node_modules" / world_map.ATLAS
HTML = {"Accept": "text/html"}
NORWAY_SHAPE = re.compile(
    r'<a href="/id/country/NOR"><title>([^<]*)</title><path class="s-([\w-]+)"'
)


def home(client, **params) -> str:
    response = client.get("/", headers=HTML, query_string=params)
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_equal_earth_projects_the_corners_of_the_world_where_its_authors_put_them():
    # Šavrič et al. (2018): the equator ends at ±2.7066, the poles lie at ±1.3174, and the
    # map is 2.05 times as wide as it is high.
    x, y = world_map.equal_earth(180, 0)
    assert (round(x, 4), y) == (2.7066, 0)
    top_x, top = world_map.equal_earth(0, 90)
    assert (top_x, round(top, 4)) == (0, 1.3174)
    assert round(x / top, 2) == 2.05


def test_the_map_colours_each_country_by_its_status_in_the_year_asked_for(client):
    require_installed("world-atlas (npm ci)", ATLAS.is_file())
    html = home(client, year="2021")
    svg = re.search(r'<svg class="world-map".*?</svg>', html, re.S).group(0)
    assert svg.count("<path") > 150  # every country of Natural Earth's 1:110m map
    assert 'id="world-map-title">World map of National Action Plans in 2021' in svg
    # Norway's 4th plan (2019-2022) was in force in 2021; 2014 fell between its 2nd and 3rd.
    title, status = NORWAY_SHAPE.search(svg).groups()
    assert status == "in-force" and title == "Norway, 2021: 4th plan, 2019-2022, in force"
    title, status = NORWAY_SHAPE.search(home(client, year="2014")).groups()
    assert status == "expired" and "the last expired in 2013" in title
    # Before its first plan, Norway had none on record.
    assert NORWAY_SHAPE.search(home(client, year="2003")).group(2) == "none-found"
    # A source says Mauritania has a plan but names none: its years are not recorded.
    mauritania = re.search(
        r'href="/id/country/MRT"><title>([^<]*)</title><path class="s-([\w-]+)"', svg
    )
    assert mauritania.group(2) == "years-not-recorded" and "not recorded" in mauritania.group(1)
    # Cambodia's first plan was in development by December 2024, not before; a country nobody
    # researched is hatched, never drawn as one without a plan.
    cambodia = r'href="/id/country/KHM"><title>[^<]*</title><path class="s-{}"'
    assert re.search(cambodia.format("none-found"), svg)
    assert re.search(cambodia.format("in-development"), home(client, year="2025"))
    assert re.search(r'<path class="s-not-researched"', svg)
    assert 'fill="#ffffff"' in svg and 'id="hatch"' in svg


def test_the_year_control_is_a_form_with_every_year_since_2000(client):
    html = home(client)
    form = re.search(r'<form method="get" action="/#map-title".*?</form>', html, re.S).group(0)
    years = re.findall(r'<option value="(\d{4})"', form)
    assert years == [str(y) for y in range(this_year(), 1999, -1)]
    assert f'<option value="{this_year()}" selected>' in form
    assert '<option value="2010" selected>' in home(client, year="2010")
    for wrong in ("1999", "3000", "abc"):  # out of range: this year's map
        assert f"The world in {this_year()}" in home(client, year=wrong)
    # The legend names every status the map can show, and the lists hold the same countries.
    for label in ("a plan in force", "plans expired, none in force", "not researched"):
        assert f"</span>{label}</li>" in html
    assert "The map as lists" in html and re.search(r'<ul class="country-list">.*?NOR', html, re.S)


def test_the_country_list_gives_each_latest_plan_with_its_state(client):
    html = home(client, q="Norway")
    row = re.search(r'<td data-label="Latest plan">(.*?)</td>', html, re.S).group(1)
    state = "in force" if this_year() <= 2030 else "expired in 2030"
    assert re.sub(r"<[^>]+>", "", row) == f"5th plan, 2023-2030, {state}"
    assert "Plan in force in" not in html


def test_the_home_page_says_how_many_states_were_researched_and_charts_the_regions(client):
    html = home(client)
    researched = re.search(r"found none: (\d+) of (\d+) states", html)
    assert researched and int(researched.group(1)) < int(researched.group(2))
    charts = re.findall(r'<svg class="multiple".*?</svg>', html, re.S)
    assert charts and all("countries</text>" in c and "year</text>" in c for c in charts)
    northern_europe = re.search(r"<th scope=\"row\">Northern Europe</th>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td>(\d+)/(\d+)</td>", northern_europe)
    assert len(cells) == this_year() - 1999
    assert cells[2021 - 2000][0] != "0"  # Norway's plan was in force in 2021


def test_without_the_shapes_the_home_page_says_the_map_is_missing(tmp_path, built):
    from server import create_app

    app = create_app(
        {
            "TESTING": True,
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path / "cache"),
            "NODE_MODULES": str(tmp_path / "no-node-modules"),
            "ALLOWED_HOSTS": "localhost",
        }
    )
    try:
        html = app.test_client().get("/", headers=HTML).text
    finally:
        app.extensions["nap_graph"].close()
    assert '<svg class="world-map"' not in html
    assert "The map is not available on this server" in html
    assert re.search(r"<details class=\"by-status\" open>", html)
