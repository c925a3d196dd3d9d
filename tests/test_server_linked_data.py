"""Dereferenceable IRIs, downloads, VoID and proxies: in process through Flask's test client,
and on the real server over HTTP where the transfer itself is tested (marked live).

How each address negotiates its format is in test_negotiation.py.
"""

from __future__ import annotations

import gzip
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import TIMEOUT, LiveServer
from rdflib import Graph, URIRef

BASE = "https://w3id.org/nap-graph/"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TURTLE = {"Accept": "text/turtle"}


def our_iris(built) -> list[str]:
    """Every IRI under id/ that the build minted, in the graph or in its VoID description,
    as a subject or as an object."""
    out = built.settings.out_dir
    graph = Graph().parse(out / "nap-graph.ttl").parse(out / "void.ttl")
    terms = {t for triple in graph for t in (triple[0], triple[2])}
    return sorted(
        str(t) for t in terms if isinstance(t, URIRef) and str(t).startswith(BASE + "id/")
    )


def test_every_iri_of_the_dump_dereferences_as_html_and_turtle(client, built):
    iris = our_iris(built)
    assert len(iris) > 500

    def check(iri: str) -> str | None:
        path = "/" + iri[len(BASE) :]
        page = client.get(path, headers=HTML, follow_redirects=True)
        if page.status_code != 200 or "text/html" not in page.headers["Content-Type"]:
            return f"{iri} as HTML: {page.status_code}"
        data = client.get(path, headers=TURTLE, follow_redirects=True)
        if data.status_code != 200 or not data.headers["Content-Type"].startswith("text/turtle"):
            return f"{iri} as Turtle: {data.status_code}"
        graph = Graph().parse(data=data.text, format="turtle")
        if (URIRef(iri), None, None) not in graph:
            return f"{iri}: its Turtle says nothing about it"
        return None

    failures = [f for f in map(check, iris) if f]
    assert not failures, failures[:10]


def test_page_shows_labels_types_properties_and_links(client):
    page = client.get("/id/plan/NOR/4", headers=HTML, follow_redirects=True).text
    assert "<h1>Norway, national action plan 4 (2019-2022)</h1>" in page
    assert 'href="/id/country/NOR"' in page  # the country, as a local link
    assert "Sustaining Peace" in page  # a focus area, by its label
    assert 'href="/def/wps#NationalActionPlan"' in page
    country = client.get("/id/country/NOR", headers=HTML, follow_redirects=True).text
    assert 'href="/id/plan/NOR/4"' in country  # linked from: the plans


def test_unknown_iri_gets_a_helpful_404_page(client):
    response = client.get("/id/country/ATL", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "/id/country/NOR" in response.text and "SPARQL" in response.text


def test_ontology_terms_dereference_to_their_definitions(client):
    turtle = client.get("/def/wps", headers=TURTLE)
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(BASE + "def/wps#NationalActionPlan"), None, None) in graph
    page = client.get("/def/wps", headers=HTML).text
    assert 'id="NationalActionPlan"' in page and 'id="focusArea"' in page
    shapes = client.get("/def/shapes", headers=TURTLE)
    assert "sh:NodeShape" in shapes.text


def test_named_graph_iri_describes_the_graph(client):
    response = client.get("/graph/naps", headers=HTML)
    assert response.status_code == 200 and "triples" in response.text


def test_downloads(client, built):
    url = "/download/nap-graph.ttl"
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="nap-graph.ttl"'
    assert response.data == (built.settings.out_dir / "nap-graph.ttl").read_bytes()
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert (
        client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "identity"}).status_code
        == 304
    )
    assert (
        client.get(
            url, headers={"If-Modified-Since": modified, "Accept-Encoding": "identity"}
        ).status_code
        == 304
    )
    head = client.head(url, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(response.data)
    part = client.get(url, headers={"Range": "bytes=0-9", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.data == response.data[:10]


@pytest.mark.live
def test_downloads_are_gzipped_for_clients_that_take_it(live_server, built):
    raw = requests.get(
        live_server.url + "/download/nap-graph.jsonld",
        headers={"Accept-Encoding": "gzip"},
        stream=True,
        timeout=TIMEOUT,
    )
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in raw.headers["Vary"]
    body = gzip.decompress(raw.raw.read())
    assert body == (built.settings.out_dir / "nap-graph.jsonld").read_bytes()


@pytest.mark.live
def test_compressed_dumps_are_served_as_they_are(live_server, built):
    response = requests.get(
        live_server.url + "/download/nap-graph.nt.gz", stream=True, timeout=TIMEOUT
    )
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    data = response.raw.read()
    assert (
        hashlib.sha256(data).hexdigest()
        == hashlib.sha256((built.settings.out_dir / "nap-graph.nt.gz").read_bytes()).hexdigest()
    )


def test_download_list_and_unknown_files(client):
    listing = client.get("/download/", headers={"Accept": "application/json"}).json
    names = {f["name"] for f in listing["files"]}
    assert {
        "nap-graph.ttl",
        "nap-graph.nq.gz",
        "countries/NOR.ttl",
        "statistics/contributions-by-mission.csv",
        "reports/validation.txt",
    } <= names
    for bad in ("../pyproject.toml", "reports/nothing.txt", "nothing.ttl", "reports/../../dev"):
        response = client.get("/download/" + bad)
        assert response.status_code == 404, bad


def test_void_at_the_well_known_address(client):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(
        "text/turtle"
    )
    graph = Graph().parse(data=response.text, format="turtle")
    assert (
        URIRef(BASE + "id/dataset/nap-graph"),
        URIRef("http://rdfs.org/ns/void#triples"),
        None,
    ) in graph
    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["Content-Type"] == "application/ld+json"


def test_health(client):
    body = client.get("/health").json
    assert body["ok"] is True and body["store"] == "oxigraph" and body["triples"] > 1000


@pytest.mark.live
def test_links_and_redirects_behind_a_proxy_on_a_sub_path(live_server):
    proxy = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "wps.example.org",
        "X-Forwarded-Prefix": "/nap",
        "X-Forwarded-For": "203.0.113.7",
    }
    redirect = requests.get(
        live_server.url + "/id/country/NOR",
        headers={**proxy, **HTML},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert redirect.status_code == 303
    assert redirect.headers["Location"] == "/nap/doc/country/NOR.html"
    page = requests.get(
        live_server.url + "/doc/country/NOR.html", headers=proxy, timeout=TIMEOUT
    ).text
    assert 'href="/nap/id/region/northern-europe"' in page and 'href="/nap/sparql"' in page
    description = requests.get(
        live_server.url + "/sparql", headers={**proxy, "Accept": "text/turtle"}, timeout=TIMEOUT
    ).text
    assert "<https://wps.example.org/nap/sparql>" in description
    assert any("203.0.113.7" in line for line in live_server.lines())


def test_cors_on_data_and_downloads(client):
    for path in ("/doc/country/NOR.ttl", "/download/nap-graph.ttl", "/.well-known/void"):
        response = client.get(path, headers={"Origin": "https://example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path


def test_version_iris_of_the_vocabularies_dereference(client):
    for name in ("wps", "shapes"):
        iri = BASE + f"def/{name}/1.1.0"
        response = client.get(f"/def/{name}/1.1.0", headers=TURTLE)
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        assert (None, URIRef("http://www.w3.org/2002/07/owl#versionIRI"), URIRef(iri)) in graph
        unknown = client.get(f"/def/{name}/0.9.0")
        assert unknown.status_code == 404
    negotiated = client.get("/def/wps", headers=TURTLE)
    assert negotiated.headers["Content-Location"] == "/def/wps.ttl"


@pytest.mark.live
def test_concurrent_first_downloads_share_one_gzip_copy(built, tmp_path):
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache")},
        tmp_path / "server.log",
    )
    try:
        url = server.url + "/download/nap-graph.trig"

        def fetch(_):
            response = requests.get(
                url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=TIMEOUT
            )
            return (
                response.status_code,
                response.headers.get("Content-Encoding"),
                response.raw.read(),
            )

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(fetch, range(8)))
    finally:
        server.stop()
    expected = (built.settings.out_dir / "nap-graph.trig").read_bytes()
    for status, encoding, body in answers:
        assert (status, encoding) == (200, "gzip")
        assert gzip.decompress(body) == expected
    assert not list((tmp_path / "cache").rglob("*.partial"))


@pytest.mark.live
def test_gzip_refused_with_q_zero_is_not_sent(live_server, built):
    response = requests.get(
        live_server.url + "/download/nap-graph.jsonld",
        headers={"Accept-Encoding": "gzip;q=0, identity"},
        stream=True,
        timeout=TIMEOUT,
    )
    assert "Content-Encoding" not in response.headers
    assert response.raw.read() == (built.settings.out_dir / "nap-graph.jsonld").read_bytes()
