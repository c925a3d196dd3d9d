"""The pages for people, in process through Flask's test client: content, embedded data,
editor assets.

The browser's view of them is in test_browser.py; these read the HTML the app sends.
"""

from __future__ import annotations

import json
import re

from helpers import parse_jsonld
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from nap_graph.build import PROJECT_ROOT
from server.examples import example_queries

BASE = "https://w3id.org/nap-graph/"
WPS = BASE + "def/wps#"
HTML = {"Accept": "text/html"}


def page(client, path: str, **params) -> str:
    response = client.get(path, headers=HTML, query_string=params, follow_redirects=True)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


def json_ld_blocks(html: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)


def test_home_page_describes_the_dataset_for_search_engines(client):
    html = page(client, "/")
    (block,) = json_ld_blocks(html)
    dataset = json.loads(block)
    assert dataset["@type"] == "Dataset" and dataset["@context"] == "https://schema.org/"
    # CC BY 4.0 for NAP Graph's records and compilation; the UN's figures keep the UN's terms,
    # which the conditions of access say in words.
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "not offered under CC BY" in dataset["conditionsOfAccess"]
    assert "United Nations Department of Peace Operations" in dataset["creditText"]
    assert dataset["creator"]["name"] == "NAP Graph"
    assert dataset["name"].startswith("NAP Graph") and dataset["description"]
    formats = {d["encodingFormat"] for d in dataset["distribution"]}
    assert {"text/turtle", "application/ld+json", "text/csv"} <= formats
    for distribution in dataset["distribution"]:  # each address works on this server
        url = distribution["contentUrl"]
        assert url.startswith("http://localhost/download/")  # the test client's address
        assert client.head(url).status_code == 200
    assert any("github.com/IPIDataLab" in s for s in dataset["isBasedOn"])


def test_home_page_lists_the_countries_with_a_plan_and_filters_them(client, built):
    graph = Graph().parse(built.settings.out_dir / "nap-graph.ttl")
    # The countries whose status is "a plan has been adopted": with an adopted plan on record,
    # or a source that says they have one (Mauritania); not those with drafts only (Cambodia).
    planned = {
        str(c)
        for c in graph.subjects(URIRef(WPS + "napStatus"), URIRef(WPS + "HasAdoptedPlan"))
        if (c, RDF.type, URIRef(WPS + "Country")) in graph
    }
    adopted = {
        str(graph.value(p, URIRef(WPS + "country")))
        for p in graph.subjects(URIRef(WPS + "status"), URIRef(WPS + "Adopted"))
    }
    assert adopted < planned and BASE + "id/country/MRT" in planned - adopted
    html = page(client, "/")
    listed = set(re.findall(r'<th scope="row"><a href="/id/country/(\w+)">', html))
    assert {BASE + "id/country/" + c for c in listed} == planned
    assert "KHM" not in listed
    # What is known of the others is counted, the unknown apart.
    assert "were not researched" in html and "have a plan in development" in html
    assert "CC BY 4.0" in html and "not offered under CC BY" in html
    norway = page(client, "/", q="norw")
    assert re.findall(r'<th scope="row"><a href="/id/country/(\w+)">', norway) == ["NOR"]
    by_code = page(client, "/", q="NOR")
    assert '"/id/country/NOR"' in by_code
    none = page(client, "/", q="Atlantis")
    assert "No country matches." in none


def test_resource_pages_embed_their_own_data_as_json_ld(client):
    for path in (
        "/id/country/NOR",
        "/id/plan/NOR/4",
        "/id/plan/NOR/4/focus-area/1",
        "/id/region/northern-europe",
    ):
        response = client.get(path, headers=HTML, follow_redirects=True)
        assert response.status_code == 200
        (block,) = json_ld_blocks(response.text)
        embedded = parse_jsonld(block)
        turtle = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True).text
        data = Graph().parse(data=turtle, format="turtle")
        subject = URIRef(BASE + path.lstrip("/"))
        assert set(embedded) == set(data.triples((subject, None, None)))
        assert len(embedded) > 3


def test_plan_page_shows_each_sources_claim_where_they_disagree(client):
    html = page(client, "/id/plan/NOR/2")
    claims = html[html.index('id="sources"') :]
    assert "norway-un.org" in claims and "peacewomen.org" in claims
    assert "2015" in claims and "2013" in claims  # both end years, each with its source


def test_ontology_page_documents_every_term(client):
    ontology = Graph().parse(PROJECT_ROOT / "ontology" / "wps.ttl")
    html = page(client, "/def/wps")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {
        t for kind in kinds for t in ontology.subjects(RDF.type, kind) if str(t).startswith(WPS)
    }
    assert len(terms) > 40
    for term in terms:
        name = str(term).removeprefix(WPS)
        match = re.search(rf'<article class="term" id="{name}">(.*?)</article>', html, re.S)
        assert match, f"{name} is not documented"
        article = match.group(1)
        assert str(ontology.value(term, RDFS.label)) in article
        comment = str(ontology.value(term, RDFS.comment))
        assert comment.replace("'", "&#39;").replace('"', "&#34;")[:60] in article


def test_ontology_page_gives_counts_and_the_shapes_rules(client):
    html = page(client, "/def/wps")
    plans = client.post(
        "/sparql",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a <{WPS}NationalActionPlan> }}"},
        headers={"Accept": "application/sparql-results+json"},
    ).json["results"]["bindings"][0]["n"]["value"]
    article = re.search(
        r'<article class="term" id="NationalActionPlan">(.*?)</article>', html, re.S
    )
    assert f"{int(plans):,} instances" in article.group(1)
    assert "Rules of the shapes" in article.group(1)
    assert "ends before it starts" in article.group(1) or "end year" in article.group(1)
    edition = re.search(r'<article class="term" id="edition">(.*?)</article>', html, re.S)
    assert 'on <a href="/def/wps#NationalActionPlan">' in edition.group(1)


def test_editor_page_lists_the_examples_and_serves_yasgui_itself(client):
    html = page(client, "/sparql")
    examples = example_queries()
    assert len(examples) >= 10
    for example in examples:
        assert f'id="example-{example.name}"' in html
    embedded = re.search(
        r'<script type="application/json" id="example-queries">(.*?)</script>', html, re.S
    )
    assert [e["name"] for e in json.loads(embedded.group(1))] == [e.name for e in examples]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert all(s.startswith("/") for s in scripts)  # this server's, never a CDN's
    if (PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui").is_dir():
        assert "/vendor/yasgui/yasgui.min.js" in scripts
        script = client.get("/vendor/yasgui/yasgui.min.js")
        assert script.status_code == 200 and "Yasgui" in script.text[:2000]
    assert client.get("/vendor/yasgui/package.json").status_code == 404
    assert client.get("/vendor/left-pad/index.js").status_code == 404


def test_pages_send_a_content_security_policy(client):
    response = client.get("/", headers=HTML)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_query_results_never_link_to_script(client):
    html = page(
        client, "/sparql", query='SELECT ?x WHERE { BIND (IRI("javascript:alert(1)") AS ?x) }'
    )
    assert "javascript:alert(1)" in html
    assert 'href="javascript:' not in html
