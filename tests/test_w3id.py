"""The base IRI resolves through w3id.org's redirect rules, and a deployment states its public
address (nap_graph/w3id.py, the PUBLIC_URL setting)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from helpers import ONTOLOGY, ROOT, SOURCES

from nap_graph import w3id
from nap_graph.build import Settings, build
from nap_graph.errors import NapGraphError

pytestmark = pytest.mark.timeout(300)
SHIPPED = ROOT / "w3id" / "nap-graph"
W3ID = "https://w3id.org/nap-graph/"


def rewrite(rules: str, path: str) -> tuple[int, str] | None:
    """Apply the RewriteRules of an .htaccess to a path under its folder, as mod_rewrite
    would for these rules: the first match wins, $1 is its group, R=code its status."""
    for line in rules.splitlines():
        match = re.fullmatch(r"RewriteRule\s+(\S+)\s+(\S+)\s+\[(.*)\]", line.strip())
        if not match:
            continue
        pattern, target, flags = match.groups()
        found = re.search(pattern, path)
        if found:
            status = int(re.search(r"R=(\d+)", flags).group(1))
            return status, target.replace("$1", found.group(1) if found.groups() else "")
    return None


def test_the_shipped_rules_are_the_generated_ones():
    assert (SHIPPED / ".htaccess").read_text() == w3id.htaccess(w3id.EXAMPLE_PUBLIC_URL)
    assert (SHIPPED / "README.md").read_text() == w3id.readme(w3id.EXAMPLE_PUBLIC_URL)


@pytest.mark.parametrize(
    "path,status,target",
    [
        ("id/country/NOR", 302, "id/country/NOR"),
        ("def/wps", 302, "def/wps"),
        ("graph/naps", 302, "graph/naps"),
        ("download/void.ttl", 302, "download/void.ttl"),
        ("sparql", 307, "sparql"),
        ("", 302, ""),
    ],
)
def test_every_path_goes_to_the_same_path_of_the_deployment(path, status, target):
    assert rewrite(w3id.htaccess("https://wps.example.org/"), path) == (
        status,
        "https://wps.example.org/" + target,
    )


@pytest.mark.parametrize("bad", ["ftp://x.org/", "https://", "https://x.org/?a=1", "x.org"])
def test_a_public_address_that_is_no_http_url_is_refused(bad):
    with pytest.raises(NapGraphError, match="public address"):
        w3id.htaccess(bad)


@pytest.mark.live
def test_iris_followed_through_the_rules_reach_their_documents(live_server):
    rules = w3id.htaccess(live_server.url + "/")
    for iri, accept, wanted in (
        (W3ID + "id/country/NOR", "text/turtle", "text/turtle"),
        (W3ID + "id/country/NOR", "text/html", "text/html"),
        (W3ID + "def/wps", "text/turtle", "text/turtle"),
    ):
        status, target = rewrite(rules, iri[len(W3ID) :])
        assert status == 302
        response = requests.get(target, headers={"Accept": accept}, timeout=30)
        assert response.status_code == 200, (iri, response.status_code)
        assert response.headers["Content-Type"].startswith(wanted)
    status, target = rewrite(rules, "sparql")
    answer = requests.post(
        target,
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert status == 307 and answer.json()["boolean"] is True


def test_the_build_writes_the_public_address_into_void(tmp_path):
    public = "https://wps.example.org/nap/"
    built = build(
        Settings(data_dir=SOURCES, ontology_dir=ONTOLOGY, out_dir=tmp_path / "b", public_url=public)
    )
    void = list(ox.parse(path=str(built.settings.out_dir / "void.ttl")))

    def objects(predicate: str) -> set[str]:
        return {t.object.value for t in void if t.predicate.value == predicate}

    assert objects("http://rdfs.org/ns/void#sparqlEndpoint") == {public + "sparql"}
    dumps = objects("http://rdfs.org/ns/void#dataDump")
    assert dumps and all(d.startswith(public + "download/") for d in dumps)
    downloads = objects("http://www.w3.org/ns/dcat#downloadURL")
    assert downloads and all(d.startswith(public + "download/") for d in downloads)
    # The things keep their names: the base IRI is not the address.
    assert any(t.subject.value.startswith(W3ID + "id/") for t in void)


def test_the_server_writes_its_public_address_into_absolute_links(built, tmp_path):
    from server import create_app

    app = create_app(
        {
            "TESTING": True,
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path / "cache"),
            "PUBLIC_URL": "https://wps.example.org/nap/",
        }
    )
    try:
        client = app.test_client()
        home = client.get("/").get_data(as_text=True)
        assert "https://wps.example.org/nap/sparql" in home
        description = client.get("/sparql", headers={"Accept": "text/turtle"})
        assert "<https://wps.example.org/nap/sparql>" in description.get_data(as_text=True)
    finally:
        app.extensions["nap_graph"].close()


def test_the_shipped_folder_is_where_the_docs_say(tmp_path):
    assert Path(SHIPPED / ".htaccess").is_file()
    assert "w3id/nap-graph/.htaccess" in (ROOT / "docs" / "deployment.md").read_text()
