"""The production mode (granian, several workers) and `nap-graph serve` building first."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from helpers import SOURCES, LiveServer

pytestmark = pytest.mark.live


def test_granian_with_several_workers(built, tmp_path):
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
        assert "granian" in log.lower() and log.count('"GET /sparql?query=') >= 40
        assert log.count("Spawning worker-") == 2  # both processes came up
        assert (
            requests.get(
                server.url + "/id/country/NOR", headers={"Accept": "text/turtle"}, timeout=60
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
        assert requests.get(server.url + "/health", timeout=60).json()["ok"] is True
    finally:
        server.stop()


# ------------------------------------------------------------------ query processes and the server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes


def processes() -> dict[int, tuple[int, str, str]]:
    """Every process of this machine: PID -> (parent PID, state, start time), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), fields[0], fields[19])
    return found


def tree(root: int) -> dict[int, str]:
    """A process and its descendants: PID -> start time (which tells a reused PID apart)."""
    table = processes()
    members, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            members[pid] = table[pid][2]
            todo += [child for child, (parent, _, _) in table.items() if parent == pid]
    return members


def still_running(members: dict[int, str]) -> list[int]:
    table = processes()
    return [
        pid
        for pid, started in members.items()
        if pid in table and table[pid][2] == started and table[pid][1] != "Z"
    ]


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def start_slow_query(server: LiveServer, results: list) -> threading.Thread:
    def ask():
        try:
            results.append(
                requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=120)
            )
        except requests.RequestException as exc:
            results.append(exc)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread


def busy(server: LiveServer) -> int | None:
    try:
        return requests.get(server.url + "/health", timeout=10).json()["sparql_workers_busy"]
    except requests.ConnectionError:  # granian's workers listen themselves: none is up yet
        return None


def test_query_processes_never_outlive_the_server(built, tmp_path):
    """Killed (SIGKILL: no cleanup runs) or stopped (SIGTERM), a server process takes its
    zygote and its query workers with it, a busy one too."""
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache"), "NAP_GRAPH_QUERY_TIMEOUT": "600"},
        tmp_path / "server.log",
    )
    try:
        results = []
        start_slow_query(server, results)
        assert wait_until(lambda: busy(server) == 1, 10)
        (worker,) = [pid for pid in tree(server.process.pid) if "nap_graph serve" in command(pid)][
            1:
        ]  # the granian worker, below the main process
        below = tree(worker)
        assert sum("query_worker" in command(pid) for pid in below) >= 2  # zygote, workers
        os.kill(worker, signal.SIGKILL)
        assert wait_until(lambda: not still_running(below), 5), [command(p) for p in below]

        # granian starts another worker; a query busy in it, the server is stopped.
        assert wait_until(lambda: busy(server) == 0, 30)
        start_slow_query(server, results)
        assert wait_until(lambda: busy(server) == 1, 10)
        everything = tree(server.process.pid)
        assert sum("query_worker" in command(pid) for pid in everything) >= 2
        stopped = time.monotonic()
    finally:
        server.stop()
    assert wait_until(lambda: not still_running(everything), 10), [
        command(p) for p in still_running(everything)
    ]
    assert time.monotonic() - stopped < 10


def test_the_store_loads_again_when_its_zygote_is_killed(built, tmp_path):
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache"), "NAP_GRAPH_QUERY_TIMEOUT": "2"},
        tmp_path / "server.log",
    )
    try:
        (zygote,) = [
            pid
            for pid, (parent, _, _) in processes().items()
            if pid in tree(server.process.pid)
            and "query_worker zygote" in command(pid)
            and "query_worker" not in command(parent)
        ]
        os.kill(zygote, signal.SIGKILL)
        # A slow query makes the store need a new worker (past the limit, its own is killed).
        requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=30)
        statuses = []

        def answered():
            response = requests.get(
                server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30
            )
            statuses.append(response.status_code)
            return response.status_code == 200

        assert wait_until(answered, 30), statuses
        assert set(statuses) <= {200, 503}
        health = requests.get(server.url + "/health", timeout=10)
        assert health.status_code == 200 and health.json()["reloads"] == 1
        assert "loading the graph again" in "\n".join(server.lines())
    finally:
        server.stop()


def test_slow_queries_cannot_starve_the_pages_and_health(built, tmp_path):
    """QUERY_WORKERS (2) slow SPARQL queries: pages and /health have workers of their own, and
    a third query gets 503 with Retry-After at once rather than waiting its whole limit."""
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {"NAP_GRAPH_STORE_DIR": str(tmp_path / "cache"), "NAP_GRAPH_QUERY_TIMEOUT": "20"},
        tmp_path / "server.log",
    )
    try:
        results = []
        for _ in range(2):
            start_slow_query(server, results)
        assert wait_until(lambda: busy(server) == 2, 10)
        for path in ("/doc/country/NOR.html", "/health", "/"):
            started = time.monotonic()
            response = requests.get(server.url + path, timeout=30)
            assert response.status_code == 200, (path, response.text)
            assert time.monotonic() - started < 2, path
        started = time.monotonic()
        third = requests.get(
            server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30
        )
        assert third.status_code == 503 and third.headers["Retry-After"]
        assert third.json()["code"] == "STORE_BUSY" and "within 2 s" in third.json()["error"]
        assert time.monotonic() - started < 5
    finally:
        server.stop()
