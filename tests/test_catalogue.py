"""The downloads as a catalogue, and the dataset's description as a page (server/catalogue.py)."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef

from server.catalogue import format_name, human_size

BASE = "https://w3id.org/nap-graph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VOID_TRIPLES = URIRef("http://rdfs.org/ns/void#triples")


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (42, "42 bytes"),
        (999, "999 bytes"),
        (1000, "1.0 kB"),
        (28285, "28.3 kB"),
        (106902, "107 kB"),
        (999_499, "999 kB"),
        (999_999, "1.0 MB"),
        (1_234_567, "1.2 MB"),
        (101_234_567, "101 MB"),
        (3_400_000_000, "3.4 GB"),
    ],
)
def test_sizes_in_human_units(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nap-graph.ttl", "Turtle"),
        ("nap-graph.nq.gz", "N-Quads, gzip"),
        ("nap-graph.nt.gz", "N-Triples, gzip"),
        ("nap-graph.trig", "TriG"),
        ("nap-graph.jsonld", "JSON-LD"),
        ("statistics/parity-targets.csv", "CSV"),
        ("statistics/parity-targets.csv-metadata.json", "CSVW metadata (JSON)"),
        ("reports/validation.txt", "Plain text"),
    ],
)
def test_format_names(name, expected):
    assert format_name(name) == expected


def files_by_name(client) -> dict[str, dict]:
    response = client.get("/download/", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Vary"] == "Accept"
    return {f["name"]: f for f in response.json["files"]}


def test_the_json_keeps_name_and_size_and_adds_what_the_description_says(client, built):
    out = built.settings.out_dir
    files = files_by_name(client)
    assert len(files) > 250  # every country's file, the dumps, the tables
    for name, f in files.items():
        path = out / name
        assert f["size"] == path.stat().st_size, name
        # The checksums, from the VoID or read here, are the files'.
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
        assert f["format"] == format_name(name) and f["size_text"] == human_size(f["size"])
    norway = files["countries/NOR.ttl"]
    assert norway["country"] == "Norway" and norway["group"] == "countries"
    assert norway["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert BASE + "id/source/un-dpo-monthly-reports" in norway["sources"]
    table = files["statistics/contributions-by-mission.csv"]
    assert table["metadata"] == "statistics/contributions-by-mission.csv-metadata.json"
    assert table["title"].startswith("Women and men in UN peacekeeping")  # its CSVW dc:title
    assert files["nap-graph.nq.gz"]["format"] == "N-Quads, gzip"
    assert files["nap-graph.ttl"]["group"] == "graph"
    assert any(f["group"] == "releases" for f in files.values())


class Links(HTMLParser):
    """The links of a page: (href, text)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._text.split())))
            self._href = None


def links_of(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def test_the_page_is_a_catalogue_grouped_and_in_words(client):
    files = files_by_name(client)
    page = client.get("/download/", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    links = links_of(html)
    # The countries by their names, not their files' names.
    assert ("/download/countries/NOR.ttl", "Norway") in links
    assert ("/download/countries/DEU.ttl", "Germany") in links
    assert ">NOR.ttl<" not in html and "countries/NOR.ttl<" not in html
    for heading in ("The whole graph", "Statistics tables", "Reports", "Releases"):
        assert f">{heading}</h2>" in html, heading
    # Each table with its column dictionary.
    assert (
        "/download/statistics/contributions-by-mission.csv-metadata.json",
        "CSVW metadata (JSON)",
    ) in links
    whole = files["nap-graph.ttl"]
    assert f"Turtle · {whole['size_text']}" in html
    assert whole["sha256"] in html and files["countries/NOR.ttl"]["sha256"] in html
    assert ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0") in links
    # Each file's sources link to their descriptions, which state their terms.
    assert any(href == "/id/source/un-dpo-monthly-reports" for href, _ in links)
    assert "United Nations" in html and "terms" in html
    # No project file names in the words of the page.
    words = re.sub(r"<[^>]+>", " ", html)
    assert "nap-graph.ttl" not in words and "curated/" not in words


def test_the_source_terms_shown_are_the_sources(client):
    page = client.get("/download/", headers={"Accept": BROWSER}).text
    # un-dpo-monthly-reports states rights and no licence: its words are shown with it.
    rights = re.search(r'id="source-un-dpo-monthly-reports">(.*?)</tr>', page, re.S)
    assert rights is not None
    assert "United Nations" in rights.group(1)


def test_the_dataset_description_is_a_page_for_browsers_and_turtle_for_rdf_clients(client):
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle.headers["Vary"]
    graph = Graph().parse(data=turtle.text, format="turtle")
    triples = int(graph.value(URIRef(BASE + "id/dataset/nap-graph"), VOID_TRIPLES))
    for accept in (None, "*/*", "application/n-triples;q=0.5, text/html;q=0.4"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/.well-known/void", headers=headers)
        assert not response.headers["Content-Type"].startswith("text/html"), accept
    for path in ("/.well-known/void", "/void"):
        page = client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 200, path
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Accept" in page.headers["Vary"]
        html = page.text
        assert "<h1>NAP Graph: Women, Peace and Security" in html
        assert f"{triples:,}" in html  # the count the description states
        for words in ("Named graphs", "Classes", "Entities", "SPARQL endpoint", "The dumps"):
            assert words in html, words
        links = links_of(html)
        assert ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0") in links
        assert any(href == "/sparql" for href, _ in links)
        assert ("/download/nap-graph.ttl", "Turtle") in links
        assert any(href == "/id/source/un-dpo-monthly-reports" for href, _ in links)
        assert ("/.well-known/void?format=ttl", "Turtle") in links or (
            "/void?format=ttl",
            "Turtle",
        ) in links


def test_the_footer_link_opens_the_page(client):
    home = client.get("/", headers={"Accept": BROWSER}).text
    href = next(h for h, text in links_of(home) if text.startswith("Dataset description"))
    page = client.get(href, headers={"Accept": BROWSER})
    assert page.headers["Content-Type"].startswith("text/html") and "<h1>" in page.text
    assert "attachment" not in page.headers.get("Content-Disposition", "")


def test_a_query_given_to_the_endpoint_opens_in_the_editor(client):
    query = "SELECT ?name WHERE { <https://w3id.org/nap-graph/id/country/NOR> ?p ?name } LIMIT 3"
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": BROWSER})
    assert page.status_code == 200
    html = page.text
    form = re.search(r'<form id="query-form"[^>]*>', html).group(0)
    assert 'data-given="true"' in form
    textarea = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert textarea == query.replace("<", "&lt;").replace(">", "&gt;")
    assert 'class="results"' in html  # and the answer, below it
    # The editor page itself prefills the first example, not a given query.
    editor = client.get("/sparql", headers={"Accept": BROWSER}).text
    assert 'data-given="true"' not in editor


def test_the_editor_completes_from_our_own_prefixes_and_terms(client):
    html = client.get("/sparql", headers={"Accept": BROWSER}).text
    embedded = re.search(
        r'<script type="application/json" id="editor-completions">(.*?)</script>', html, re.S
    )
    completions = json.loads(embedded.group(1))
    assert completions["prefixes"]["wps"] == BASE + "def/wps#"
    assert BASE + "def/wps#NationalActionPlan" in completions["classes"]
    assert "http://www.w3.org/2004/02/skos/core#prefLabel" in completions["properties"]
    assert not any("dbpedia" in v for v in completions["prefixes"].values())


def test_pages_link_our_icon(client):
    html = client.get("/", headers={"Accept": BROWSER}).text
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
