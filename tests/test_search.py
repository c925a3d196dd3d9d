"""Search: the index the build writes (nap_graph/search.py) and /search (server/search.py).

The mechanics on the small build, in process; the names on all the data, over HTTP; the
header's box in Chromium.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
import requests
from helpers import AXE, axe_problems, require_installed

from nap_graph import search
from nap_graph.build import assemble
from nap_graph.errors import SourceErrors

HTML, JSON = {"Accept": "text/html"}, {"Accept": "application/json"}


def found(client, q: str, **params) -> dict:
    response = client.get("/search", headers=JSON, query_string={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json


# ------------------------------------------------------------------ the index, in process


def test_the_build_writes_an_fts5_index_of_every_country(built):
    path = built.settings.out_dir / search.INDEX_FILE
    with sqlite3.connect(path) as connection:
        kinds = dict(connection.execute("SELECT kind, count(*) FROM entries GROUP BY kind"))
        tokenizer = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'")
        assert "remove_diacritics 2" in tokenizer.fetchone()[0]
    # Every country of the reference table, with or without a plan; the small sources'
    # plans and their focus areas.
    assert kinds["country"] == len(built.countries) >= 249
    assert kinds["plan"] == len(built.naps.plans)
    assert kinds["focus-area"] == sum(len(p.focus_areas) for p in built.naps.plans.values())


def test_no_query_gives_the_form(client):
    for params in ({}, {"q": "  "}):
        response = client.get("/search", headers=HTML, query_string=params)
        assert response.status_code == 200
        page = response.text
        assert 'id="search-q" name="q"' in page
        assert "search-results" not in page and "Nothing matches" not in page
    answer = found(client, "")
    assert answer["countries"] == answer["plans"] == answer["focus_areas"] == []


def test_results_are_grouped_and_link_to_their_pages(client):
    page = client.get("/search", headers=HTML, query_string={"q": "Norway"}).text
    assert '<h2 id="results-countries">Countries</h2>' in page
    assert '<h2 id="results-plans">Plans</h2>' in page
    assert '<a href="/id/country/NOR">Norway</a>' in page
    assert '<a href="/id/plan/NOR/4">Norway, national action plan 4 (2019-2022)</a>' in page
    answer = found(client, "Norway")
    assert answer["countries"][0]["iso3"] == "NOR"
    assert answer["countries"][0]["url"] == "/id/country/NOR"
    assert {p["url"] for p in answer["plans"]} >= {"/id/plan/NOR/4"}


def test_the_matched_name_is_shown(client):
    page = client.get("/search", headers=HTML, query_string={"q": "Ivory Coast"}).text
    assert '<a href="/id/country/CIV">Côte d&#39;Ivoire</a>' in page
    assert "(also: Ivory Coast)" in page
    assert found(client, "ivory coast")["countries"][0]["matched"] == "Ivory Coast"


def test_an_exact_code_or_name_comes_before_prefix_matches(client):
    uk = [c["iso3"] for c in found(client, "UK")["countries"]]
    assert uk[0] == "GBR" and "UKR" in uk  # Ukraine too, after
    assert found(client, "GB")["countries"][0]["iso3"] == "GBR"
    nor = [c["iso3"] for c in found(client, "Nor")["countries"]]
    assert nor[0] == "NOR" and len(nor) > 1  # and the names that begin with "Nor"


def test_accents_are_folded_both_ways(client):
    assert found(client, "Cote d'Ivoire")["countries"][0]["iso3"] == "CIV"
    assert found(client, "Norvege")["countries"][0]["iso3"] == "NOR"
    assert found(client, "Côte")["countries"][0]["iso3"] == "CIV"


def test_results_are_bounded(client):
    assert len(found(client, "a", limit=3)["countries"]) == 3
    assert len(found(client, "a")["countries"]) == 10  # the default
    for limit in ("0", "51", "x", "-1"):
        response = client.get("/search", headers=JSON, query_string={"q": "a", "limit": limit})
        assert response.status_code == 400 and response.json["code"] == "BAD_LIMIT"


def test_query_syntax_is_never_fts5_syntax(client):
    for q in ('"', "NOT", "a OR b", "norway*", "(", "NEAR(a b)", "col:term", "^no"):
        response = client.get("/search", headers=JSON, query_string={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert found(client, "norway*")["countries"][0]["iso3"] == "NOR"


def test_every_page_has_the_search_box_in_its_header(client):
    for path in ("/", "/download/", "/search"):
        page = client.get(path, headers=HTML).text
        header = page.split('<header class="site">')[1].split("</header>")[0]
        assert 'action="/search"' in header and 'method="get"' in header
        assert '<label for="site-search">Search</label>' in header
        assert '<input id="site-search" name="q"' in header


def test_an_index_that_is_missing_or_of_another_format_is_refused(tmp_path):
    with pytest.raises(search.IndexUnavailable, match="no search index"):
        search.search(tmp_path / search.INDEX_FILE, "Norway")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        connection.execute("INSERT INTO meta VALUES ('format', '0')")
    connection.close()
    with pytest.raises(search.IndexUnavailable, match="another version"):
        search.search(other, "Norway")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("NLD,,world-countries 5.1.0 NLD altSpellings", "alias", "a value is required"),
        ("XYZ,Atlantis,CLDR 48.2 en XY", "iso3", "XYZ is not a country of"),
        ("nld,Holland,CLDR 48.2 en NL", "iso3", "expected a country code of three capital"),
        ("NLD,Dutchland,my memory", "source", "expected a source beginning with one of"),
    ],
    ids=["no-alias", "unknown-country", "bad-code", "unknown-source"],
)
def test_a_malformed_alias_row_names_file_line_and_field(settings, row, field, message):
    path = settings.data_dir / "reference" / "country_aliases.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3] + [row + "\n"] + lines[3:]), encoding="utf-8")
    with pytest.raises(SourceErrors) as raised:
        assemble(settings, validate=False)
    assert f"data/reference/country_aliases.csv:4: field '{field}': {message}" in str(raised.value)


# ------------------------------------------------------------------ the names, on all the data

NAMES = [
    ("Cote", "CIV"),
    ("Ivory Coast", "CIV"),
    ("UK", "GBR"),
    ("GB", "GBR"),
    ("Holland", "NLD"),
    ("Noruega", "NOR"),  # Spanish
    ("Norvège", "NOR"),  # French
    ("Норвегия", "NOR"),  # Russian
    ("科特迪瓦", "CIV"),  # Chinese
    ("النرويج", "NOR"),  # Arabic
    ("Togo", "TGO"),
    ("Republic of Korea", "KOR"),
    ("Czech Republic", "CZE"),
    ("Czechia", "CZE"),
    ("East Timor", "TLS"),
    ("Burma", "MMR"),
    ("Swaziland", "SWZ"),
    ("KOR", "KOR"),
    ("ISL", "ISL"),
    ("IS", "ISL"),
    ("Nor", "NOR"),
]


def full_search(full_server, q: str) -> dict:
    response = requests.get(full_server.url + "/search", params={"q": q}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.full
@pytest.mark.live
@pytest.mark.parametrize(("q", "iso3"), NAMES, ids=[n[0] for n in NAMES])
def test_a_country_by_any_name_or_code(full_server, q, iso3):
    countries = full_search(full_server, q)["countries"]
    assert countries and countries[0]["iso3"] == iso3, countries[:3]


@pytest.mark.full
@pytest.mark.live
def test_a_country_without_a_plan_is_found_and_its_page_answers(full_server, full_build):
    planned = {plan.iso3 for plan in full_build.naps.plans.values()}
    iso3 = next(
        i
        for i in sorted(full_build.countries)
        if i not in planned and full_build.countries[i].in_un
    )
    name = full_build.countries[iso3].name
    first = full_search(full_server, name)["countries"][0]
    assert first["iso3"] == iso3
    page = requests.get(full_server.url + first["url"], headers=HTML, timeout=30)
    assert page.status_code == 200 and name in page.text


@pytest.mark.full
@pytest.mark.live
def test_plans_and_focus_areas_by_the_words_of_their_titles(full_server, full_build):
    plans = full_search(full_server, "Norway 2019")["plans"]
    assert plans[0]["label"] == "Norway, national action plan 4 (2019-2022)"
    # A word of a focus area's title, taken from the build: its focus area is found.
    area = next(
        a
        for p in full_build.naps.plans.values()
        for a in p.focus_areas
        if a.title
        if len(a.title.split()) >= 3
    )
    word = max(re.findall(r"\w+", area.title), key=len)
    areas = full_search(full_server, f"{word} {area.title.split()[0]}")["focus_areas"]
    assert any(a["label"] == area.title for a in areas), (word, areas[:3])


@pytest.mark.full
@pytest.mark.live
def test_focus_areas_by_the_words_of_their_descriptions(full_server, full_build):
    area = next(
        a
        for p in sorted(full_build.naps.plans.values(), key=lambda p: (p.iso3, p.key))
        for a in p.focus_areas
        if a.description and len(a.description.split()) > 8
    )
    words = [w for w in re.findall(r"\w{6,}", area.description)][:3]
    areas = full_search(full_server, " ".join(words))["focus_areas"]
    assert any(a["label"] == (area.title or f"Focus area {area.position}") for a in areas)
    assert all(w.casefold() in a["snippet"].casefold() for a in areas[:1] for w in words[:1])


# ------------------------------------------------------------------ in Chromium


@pytest.mark.full
@pytest.mark.live
@pytest.mark.browser
def test_the_header_box_reaches_cote_d_ivoire_and_the_page_is_accessible(visit):
    from playwright.sync_api import expect

    page = visit(viewport={"width": 390, "height": 844})
    page.goto("/")
    page.get_by_role("search", name="Site").get_by_label("Search").fill("Ivory Coast")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    assert "q=Ivory+Coast" in page.url
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the search page is {overflow}px wider than a 390px screen"
    expect(page.get_by_text("(also: Ivory Coast)")).to_be_visible()
    page.get_by_role("link", name="Côte d'Ivoire", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Côte d'Ivoire")
    assert re.search(r"/doc/country/CIV(\.html)?$", page.url)

    require_installed("axe-core (npm ci)", AXE.is_file())
    checked = visit(bypass_csp=True)
    checked.goto("/search?q=Norway")
    problems = axe_problems(checked)
    assert problems == [], problems
