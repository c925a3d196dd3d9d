"""A new build is served without a restart: SPARQL, the pages and the downloads switch together,
and no request fails during the switch (server/serving.py)."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import requests
from helpers import ONTOLOGY, SOURCES, LiveServer

from nap_graph.build import Settings, build

pytestmark = [pytest.mark.live, pytest.mark.timeout(600)]

OLD = "International operations"
NEW = "International operations (revised)"
TITLE_QUERY = (
    "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX wps: <https://w3id.org/nap-graph/def/wps#> "
    "SELECT ?t WHERE { ?area a wps:FocusArea ; dcterms:title ?t "
    f'FILTER STRSTARTS(?t, "{OLD}") }}'
)


def _build(data, out):
    return build(Settings(data_dir=data, ontology_dir=ONTOLOGY, out_dir=out))


def _built_and_served(tmp_path):
    """A build of a copy of the small sources, and the real server on it, looking for new
    builds every 0.2 s."""
    data, out = tmp_path / "data", tmp_path / "build"
    shutil.copytree(SOURCES, data)
    _build(data, out)
    server = LiveServer(
        ["--out", str(out)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache"), "NAP_GRAPH_RELOAD_INTERVAL": "0.2"},
        tmp_path / "server.log",
    )
    return data, out, server


def _title_in(text: str) -> str | None:
    if NEW in text:
        return NEW
    return OLD if OLD in text else None


def test_a_rebuild_switches_every_part_at_once_and_no_request_fails(tmp_path):
    data, out, server = _built_and_served(tmp_path)
    try:
        session = requests.Session()
        first = session.get(server.url + "/health", timeout=30).json()["build"]
        area = session.get(
            server.url + "/sparql",
            params={
                "query": TITLE_QUERY.replace("SELECT ?t", "SELECT ?area ?t"),
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        ).json()["results"]["bindings"][0]["area"]["value"]
        page = server.url + "/doc/" + area.split("/id/", 1)[1]

        seen: list[tuple[str, str, int, str | None]] = []  # part, build, status, title
        stop = threading.Event()

        def client(part: str, get):
            own = requests.Session()
            while not stop.is_set():
                try:
                    response = get(own)
                except requests.RequestException as exc:  # a refused or cut connection
                    seen.append((part, "", 0, repr(exc)))
                    continue
                seen.append(
                    (
                        part,
                        response.headers.get("NAP-Graph-Build", ""),
                        response.status_code,
                        _title_in(response.text),
                    )
                )

        parts = {
            "sparql": lambda s: s.get(
                server.url + "/sparql",
                params={"query": TITLE_QUERY},
                headers={"Accept": "text/csv"},
                timeout=30,
            ),
            "page": lambda s: s.get(page, headers={"Accept": "text/html"}, timeout=30),
            "download": lambda s: s.get(server.url + "/download/countries/NOR.ttl", timeout=30),
        }
        threads = [
            threading.Thread(target=client, args=item, daemon=True) for item in parts.items()
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1)
            focus_areas = data / "nap-facts" / "focus_areas.csv"
            focus_areas.write_text(focus_areas.read_text().replace(f",{OLD},", f",{NEW},"))
            _build(data, out)  # lands while the clients keep asking
            deadline = time.monotonic() + 120
            while session.get(server.url + "/health", timeout=30).json()["build"] == first:
                assert time.monotonic() < deadline, "the server never switched to the new build"
                time.sleep(0.2)
            time.sleep(1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
    finally:
        server.stop()

    failures = [s for s in seen if s[2] != 200]
    assert not failures, failures[:5]
    builds = {build for _, build, _, _ in seen}
    assert len(builds) == 2 and first in builds, builds
    # Every answer of one build tells that build's fact, whichever part gave it.
    for part, build_id, _, title in seen:
        assert title == (OLD if build_id == first else NEW), (part, build_id, title)
    for part in parts:
        assert {title for p, _, _, title in seen if p == part} == {OLD, NEW}, part
    assert any("Now serving build" in line for line in server.lines())


def test_a_build_that_does_not_load_leaves_the_old_one_served(tmp_path):
    data, out, server = _built_and_served(tmp_path)
    try:
        first = requests.get(server.url + "/health", timeout=30).json()["build"]
        # A broken build folder, as a failed copy by hand could leave: its graph is gone.
        (out / "void.ttl").write_text((out / "void.ttl").read_text() + "\n# changed\n")
        for name in out.iterdir():
            if name.name.startswith("nap-graph."):
                name.unlink()
        deadline = time.monotonic() + 60
        while not requests.get(server.url + "/health", timeout=30).json().get("build_reload_error"):
            assert time.monotonic() < deadline, "the failed load was never reported"
            time.sleep(0.2)
        health = requests.get(server.url + "/health", timeout=30).json()
        assert health["build"] == first
        answer = requests.get(
            server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30
        )
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert (
            requests.get(server.url + "/download/countries/NOR.ttl", timeout=30).status_code == 200
        )
    finally:
        server.stop()
