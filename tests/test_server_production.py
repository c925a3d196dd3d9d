"""The production mode (gunicorn, several workers) and `nap-graph serve` building first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from conftest import SOURCES, LiveServer


def test_gunicorn_with_several_workers(built, tmp_path):
    server = LiveServer(
        ["--out", str(built.settings.out_dir), "--workers", "2", "--threads", "4"],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache")},
        tmp_path / "server.log",
    )
    try:
        query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}

        def ask(_):
            response = requests.get(server.url + "/sparql", params=query, timeout=30)
            return response.status_code, response.json()["results"]["bindings"][0]["n"]["value"]

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(40)))
        assert {status for status, _ in answers} == {200}
        assert len({count for _, count in answers}) == 1
        log = "\n".join(server.lines())
        assert "gunicorn" in log.lower() and log.count('"GET /sparql?query=') >= 40
        assert (
            requests.get(
                server.url + "/id/country/NOR", headers={"Accept": "text/turtle"}
            ).status_code
            == 200
        )
    finally:
        server.stop()


def test_serve_builds_first_when_there_is_no_build(tmp_path):
    out = tmp_path / "build"
    server = LiveServer(
        ["--out", str(out)],
        {"NAP_GRAPH_DATA_DIR": str(SOURCES), "NAP_GRAPH_STORE_DIR": str(tmp_path / "cache")},
        tmp_path / "server.log",
    )
    try:
        assert (out / "nap-graph.nq.gz").is_file()
        assert "building it first" in "\n".join(server.lines())
        assert requests.get(server.url + "/health").json()["ok"] is True
    finally:
        server.stop()
