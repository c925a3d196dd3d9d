"""The words of the pages: no project jargon, possessives and dispute sentences that read as
English, and an ontology page that names each relation and a structure's components."""

from __future__ import annotations

import re

import pytest
import requests

from nap_graph.graph import PLAN_PREDICATES
from server.words import DISPUTED_VALUES, in_sentence, possessive

HTML = {"Accept": "text/html"}


def page(client, path: str) -> str:
    response = client.get(path, headers=HTML, follow_redirects=True)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


# A page of each kind a researcher reads, from the small build.
SAMPLE = [
    "/",
    "/id/country/NOR",
    "/id/country/COD",
    "/id/country/NLD",
    "/id/plan/NOR/4",
    "/id/plan/NOR/4/focus-area/1",
    "/id/plan/NLD/3",
    "/id/mission/UNMISS",
    "/id/source/nap-graph-curation",
    "/def/wps",
    "/download/",
    "/void",
    "/sparql",
]
JARGON = ["curated/", ".csv)", "seed page", "curator", "nap-facts note", "SOURCE.md"]


def words_shown(html: str) -> str:
    """The text a reader sees: without tags, scripts, and code (IRIs, notations, queries)."""
    for element in ("script", "style", "code", "pre", "textarea"):
        html = re.sub(rf"<{element}\b.*?</{element}>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path", SAMPLE)
def test_pages_speak_without_project_jargon(client, path):
    shown = words_shown(page(client, path)).lower()
    for word in JARGON:
        assert word.lower() not in shown, f"{path} says {word!r}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Netherlands", "the Netherlands'"),
        ("United States", "the United States'"),
        ("Philippines", "the Philippines'"),
        ("Norway", "Norway's"),
        ("Cyprus", "Cyprus'"),
        ("Central African Republic", "the Central African Republic's"),
        ("Solomon Islands", "the Solomon Islands'"),
    ],
)
def test_possessives_read_right(name, expected):
    assert possessive(name) == expected


def test_a_name_that_takes_the_keeps_it_in_a_sentence():
    assert in_sentence("Netherlands") == "the Netherlands"
    assert in_sentence("Netherlands", start=True) == "The Netherlands"
    assert possessive("United Kingdom", start=True) == "The United Kingdom's"
    assert in_sentence("Norway", start=True) == "Norway"


def test_the_country_page_uses_the_possessive(client):
    html = page(client, "/id/country/NLD")
    assert "The Netherlands&#39; National Action Plans" in html
    assert "Netherlands&#39;s" not in html
    assert "Norway&#39;s National Action Plans" in page(client, "/id/country/NOR")


def test_every_property_that_can_be_disputed_has_a_noun():
    names = {str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in PLAN_PREDICATES.values()}
    assert names <= set(DISPUTED_VALUES)


def test_a_dispute_names_the_value_in_english(client):
    html = page(client, "/id/country/GHA")
    assert "Sources differ on the adoption year" in html
    assert "the adopted in" not in html


def test_an_editors_decision_says_who_decided(client):
    html = page(client, "/id/plan/COD/2013")
    assert "NAP Graph's editors decided the edition" in html


def test_a_value_from_the_editors_records_says_so(client):
    html = page(client, "/id/plan/NOR/4/focus-area/1")
    assert "NAP Graph&#39;s editors recorded this value" in html


def test_ontology_page_lists_a_structures_components_in_order(client):
    html = page(client, "/def/wps")
    article = re.search(
        r'<article class="term" id="ContributionsByMissionStructure">(.*?)</article>', html, re.S
    ).group(1)

    def listed(role: str) -> list[str]:
        found = re.search(rf"<dt>{role}</dt><dd>(.*?)</dd>", article, re.S)
        return re.findall(r">(\w+)</a>", found.group(1)) if found else []

    assert listed("Dimensions") == ["contributor", "refMonth", "mission", "personnelCategory"]
    assert listed("Measures") == ["womenCount", "personnelCount"]
    assert listed("Attributes") == ["dataSource", "observationStatus"]


def test_ontology_page_names_each_relation(client):
    html = page(client, "/def/wps")
    assert "<dt>Broader</dt>" not in html
    plan_claim = re.search(r'<article class="term" id="PlanClaim">(.*?)</article>', html, re.S)
    assert '<dt>Subclass of</dt><dd><a href="/def/wps#Claim">Claim</a>' in plan_claim.group(1)
    concept = re.search(r'<article class="term" id="MajorityOfSources">(.*?)</article>', html, re.S)
    assert "<dt>In scheme</dt>" in concept.group(1)
    assert "<dt>Broader concept</dt>" not in concept.group(1)


@pytest.mark.parametrize("path", ["/id/country/USA", "/id/country/PHL", "/id/plan/BFA/1"])
def test_full_data_pages_speak_without_project_jargon(full_server, path):
    response = requests.get(full_server.url + path, headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200
    shown = words_shown(response.text).lower()
    for word in JARGON:
        assert word.lower() not in shown, f"{path} says {word!r}"
