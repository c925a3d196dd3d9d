"""The researcher's guide (docs/guide.md): its recipes run against the server of all the data
and give what the data says; its table of terms is the ontology's, whole; its picture names
only terms that exist; and /guide shows it as a page of the site."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys

import pytest
import requests
from helpers import AXE, axe_problems, require
from rdflib import OWL, RDF, SKOS, Graph, URIRef

from nap_graph.build import PROJECT_ROOT
from nap_graph.terms_table import WPS, documented, expand, terms_tables

GUIDE = PROJECT_ROOT / "docs" / "guide.md"
PICTURE = PROJECT_ROOT / "docs" / "model.svg"
ONTOLOGY = PROJECT_ROOT / "ontology" / "wps.ttl"
PLACEHOLDER = "http://127.0.0.1:5000"
TIMEOUT = 300  # seconds a recipe may take; the whole graph's download and load take ~15

# What each recipe, by its number, must print: facts of the data on hand.
FACTS = {
    1: ["4 2019-2022 https://w3id.org/nap-graph/id/plan/NOR/4", "5 2023-2030"],
    2: ["months, from 2009-11 to 2025-07", "share"],
    3: ["month", "2025-07"],
    4: ["plans in force in 2021", "Norway, national action plan 4 (2019-2022)"],
    5: ["3 Operations and missions", "5 Sustaining Peace"],
    6: ["endYear MajorityOfSources chose 2013 - conflicts 2015", "supports 2013"],
    7: ["without paging: 10000 rows, truncated: true", "all different: True"],
    8: ["plan 4: 2019-2022"],
    9: ["plans adopted"],
    10: [
        '<https://w3id.org/nap-graph/id/plan/NOR/4> <https://w3id.org/nap-graph/def/wps#endYear> "2022"'
    ],
    11: ["303 See Other", "location: /doc/plan/NOR/4.ttl", 'wps:startYear "2019"^^xsd:gYear'],
    12: [
        "wps:NationalActionPlan - Norway, national action plan 4 (2019-2022)",
        "edition 4 from 2019 to 2022",
    ],
    13: ["Not researched", "No plan found in the sources searched", "Not researched, for example:"],
}


def recipes() -> dict[int, tuple[str, str]]:
    """Each recipe of the guide by its number: the language and the code of its block."""
    text = GUIDE.read_text(encoding="utf-8")
    found = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        number = re.match(r"(\d+)\. ", section)
        blocks = re.findall(r"^```(\w+)\n(.*?)^```", section, flags=re.S | re.M)
        if number and blocks:
            assert len(blocks) == 1, f"recipe {number[1]} has {len(blocks)} code blocks"
            found[int(number[1])] = blocks[0]
    return found


def table_rows(text: str) -> list[list[str]]:
    """The rows of the Markdown tables between the guide's markers, as cells."""
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in documented(text).splitlines()
        if line.startswith("| `")
    ]


# ---------------------------------------------------------------- the recipes


def test_every_recipe_has_its_facts_checked():
    found = recipes()
    assert len(found) >= 10
    assert sorted(found) == sorted(FACTS)
    assert {language for language, _ in found.values()} == {"python", "sh"}
    assert all(PLACEHOLDER in code for _, code in found.values()), "each recipe names BASE"


@pytest.mark.full
@pytest.mark.live
@pytest.mark.parametrize("number", sorted(FACTS))
def test_the_recipe_runs_and_says_what_the_data_says(full_server, number):
    language, code = recipes()[number]
    code = code.replace(PLACEHOLDER, full_server.url)
    if language == "python":
        command = [sys.executable, "-c", code]
    else:
        require("curl")
        command = ["sh", "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    for fact in FACTS[number]:
        assert fact in done.stdout, (
            f"recipe {number} does not print {fact!r}:\n{done.stdout[-3000:]}"
        )
    if number == 7:
        rows, pages = map(int, re.search(r"paged: (\d+) rows in (\d+) pages", done.stdout).groups())
        assert rows > 10_000 and pages == rows // 10_000 + 1
        assert f"as one CSV table: {rows} rows, truncated: None" in done.stdout
    if number == 9:
        assert int(re.search(r"(\d+) triples", done.stdout)[1]) > 1_000_000


# ---------------------------------------------------------------- the table of terms


def test_the_tables_are_the_ontologys():
    assert documented(GUIDE.read_text(encoding="utf-8")) == terms_tables(), (
        "run `python -m nap_graph.terms_table` to regenerate the tables of docs/guide.md"
    )


def test_the_table_lists_every_class_and_property_of_the_ontology():
    ontology = Graph().parse(ONTOLOGY)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
    defined = {
        str(term)
        for kind in kinds
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(WPS)
    }
    rows = table_rows(GUIDE.read_text(encoding="utf-8"))
    listed = {row[1].strip("`") for row in rows if row[1].startswith(f"`{WPS}")}
    assert listed == defined
    for row in rows:
        if len(row) == 5:  # a term: its name and its IRI agree
            assert expand(row[0].strip("`")) == row[1].strip("`")
    concepts = {str(c) for c in ontology.subjects(RDF.type, SKOS.Concept)}
    for row in rows:
        if len(row) == 2:  # a code list: the scheme and its concepts
            assert (URIRef(expand(row[0].strip("`"))), RDF.type, SKOS.ConceptScheme) in ontology
            for name in re.findall(r"`([^`]+)`", row[1]):
                assert expand(name) in concepts, name


def _ask(server, query: str) -> bool:
    answer = requests.get(
        f"{server.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()["boolean"]


SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


@pytest.mark.full
@pytest.mark.live
def test_every_term_of_the_tables_is_used_by_the_data_as_the_table_says(full_server):
    missing = []
    for row in table_rows(GUIDE.read_text(encoding="utf-8")):
        if len(row) != 5:
            continue
        iri, kind = row[1].strip("`"), row[2]
        if kind == "class":
            query = f"ASK {{ ?s a/{SUBCLASS}* <{iri}> }}"
            if not _ask(full_server, query):
                missing.append(f"no resource of {row[0]}")
        for on in re.findall(r"`([^`]+)`", row[3]):
            # Claims are typed by their kind only (wps:PlanClaim...): their class's subclasses.
            query = f"ASK {{ ?s <{iri}> ?o ; a/{SUBCLASS}* <{expand(on)}> }}"
            if not _ask(full_server, query):
                missing.append(f"no {on} has {row[0]}")
    assert missing == []


# ---------------------------------------------------------------- the picture

PREFIXED = re.compile(r"\b(wps|qb|dcterms|dcat|prov|skos|rdfs|foaf|owl):([A-Za-z][A-Za-z0-9]*)")


def picture_terms() -> set[str]:
    texts = re.findall(r"<text[^>]*>(.*?)</text>", PICTURE.read_text(encoding="utf-8"))
    return {f"{p}:{name}" for text in texts for p, name in PREFIXED.findall(text)}


def test_the_picture_is_the_scripts_and_shows_the_model():
    drawn = runpy.run_path(str(PROJECT_ROOT / "docs" / "model_svg.py"))["svg"]()
    assert PICTURE.read_text(encoding="utf-8") == drawn, "run `python docs/model_svg.py`"
    terms = picture_terms()
    for term in [
        "wps:Country",
        "wps:NationalActionPlan",
        "wps:FocusArea",
        "wps:Claim",
        "wps:Reconciliation",
        "qb:DataSet",
        "qb:Observation",
        "qb:Slice",
        "wps:Mission",
        "dcat:Dataset",
        "wps:hasPlan",
        "wps:focusArea",
        "wps:contributor",
        "wps:refMonth",
        "wps:personnelCategory",
        "wps:womenCount",
        "qb:observation",
        "dcterms:source",
    ]:
        assert term in terms


@pytest.mark.full
@pytest.mark.live
def test_the_picture_names_only_terms_that_exist(full_server):
    ontology = Graph().parse(ONTOLOGY)
    unknown = []
    for term in sorted(picture_terms()):
        iri = URIRef(expand(term))
        if str(iri).startswith(WPS):
            if (iri, RDF.type, None) not in ontology:
                unknown.append(term)
        elif not _ask(full_server, f"ASK {{ {{ ?s <{iri}> ?o }} UNION {{ ?s a <{iri}> }} }}"):
            unknown.append(term)
    assert unknown == []


# ---------------------------------------------------------------- the page


def test_the_guide_is_a_page_of_the_site_with_the_recipes(client):
    page = client.get("/guide", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<h1>A researcher's guide</h1>" in html
    assert 'class="site"' in html  # inside the site's layout
    # Each recipe, with this server's address for the placeholder's.
    assert html.count('<pre tabindex="0"><code class="language-') == len(recipes())
    assert "BASE = &quot;http://localhost&quot;" in html and "BASE=http://localhost\n" in html
    assert 'src="/guide/model.svg"' in html
    assert not re.search(r'href="[^"]*\.md', html), "links to documents the site does not publish"
    assert '<td data-label="IRI"><code>https://w3id.org/nap-graph/def/wps#refMonth</code>' in html

    picture = client.get("/guide/model.svg")
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert picture.get_data() == PICTURE.read_bytes()


@pytest.fixture
def phone(visit):
    """A page of Chromium 390 px wide on the server (conftest's `visit`: the test fails if the
    page asks for anything from another address)."""
    if not AXE.is_file():
        if os.environ.get("NAP_GRAPH_REQUIRE_TOOLS") == "1":
            pytest.fail("axe-core is not installed, and .ci/run should have installed it")
        pytest.skip("axe-core is not installed (npm ci)")
    # The pages' policy refuses injected scripts: axe needs it bypassed.
    return visit(viewport={"width": 390, "height": 844}, bypass_csp=True)


@pytest.mark.full
@pytest.mark.live
@pytest.mark.browser
def test_the_guide_fits_a_phone_and_passes_axe(phone):
    page = phone
    page.goto("/guide")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # The picture came from this server, and is drawn.
    assert page.evaluate("document.querySelector('img[src=\"/guide/model.svg\"]').naturalWidth") > 0
    # Code scrolls inside its block, which the keyboard reaches.
    assert page.evaluate(
        "[...document.querySelectorAll('pre')].some(p => p.scrollWidth > p.clientWidth)"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('pre')).overflowX") == "auto"
    problems = axe_problems(page)
    assert problems == [], problems
