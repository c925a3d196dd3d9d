"""The production mode (granian, several workers) and `nap-graph serve` building first."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from helpers import ONTOLOGY, SOURCES, LiveServer

from nap_graph.build import Settings, build

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
QUERY_PROCESS = "nap_graph.query_worker"


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


def granian_workers(root: int) -> list[int]:
    """The granian worker processes of a server: its children that run the app."""
    table = processes()
    return [
        pid
        for pid, (parent, state, _) in table.items()
        if parent == root and state != "Z" and "nap_graph serve" in command(pid)
    ]


def query_processes(root: int) -> dict[int, str]:
    """The zygotes and query workers under a process: PID -> start time."""
    return {pid: started for pid, started in tree(root).items() if QUERY_PROCESS in command(pid)}


def zygotes(root: int) -> list[int]:
    """The processes under root that hold a graph: query processes whose parent is none."""
    table = processes()
    return [
        pid
        for pid in query_processes(root)
        if pid in table and table[pid][1] != "Z" and QUERY_PROCESS not in command(table[pid][0])
    ]


def query_workers(zygote: int) -> list[int]:
    table = processes()
    return [pid for pid, (parent, state, _) in table.items() if parent == zygote and state != "Z"]


def cpu_ticks(pid: int) -> int:
    """The CPU time a process has used (user and system), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def busiest(pids: list[int], seconds: float = 0.5) -> tuple[int, int]:
    """The process that used the most CPU over a moment, and how many ticks it used."""
    before = {pid: cpu_ticks(pid) for pid in pids}
    time.sleep(seconds)
    used = {pid: cpu_ticks(pid) - before[pid] for pid in pids if Path(f"/proc/{pid}").exists()}
    pid = max(used, key=used.get)
    return pid, used[pid]


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
        (worker,) = granian_workers(server.process.pid)
        # The zygote and the query workers, below the main process (which shares the zygote
        # among its workers): the only worker gone, they go too, the busy one as well.
        below = query_processes(server.process.pid)
        assert len(below) >= 3 and len(zygotes(server.process.pid)) == 1
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
        (zygote,) = zygotes(server.process.pid)
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


# ------------------------------------------------------------------ several workers, one graph

ASK = {"query": "ASK { ?s ?p ?o }"}


def two_workers(build_dir: Path, folder: Path, **settings: str) -> LiveServer:
    """`nap-graph serve --workers 2` on a build, once both of its workers have started."""
    server = LiveServer(
        ["--out", str(build_dir), "--workers", "2", "--threads", "4"],
        {
            "NAP_GRAPH_STORE_DIR": str(folder / "cache"),
            **{f"NAP_GRAPH_{name}": value for name, value in settings.items()},
        },
        folder / "server.log",
    )
    if not wait_until(lambda: started_workers(server) == 2, 60):
        server.stop()
        raise AssertionError("\n".join(server.lines()))
    return server


def started_workers(server: LiveServer) -> int:
    return "\n".join(server.lines()).count("Started worker-")  # granian's word for each


def loads(server: LiveServer) -> int:
    """How many times the server loaded a graph into memory (nap_graph/zygotes.py logs each)."""
    return "\n".join(server.lines()).count("Loading the graph")


def ask(server: LiveServer) -> requests.Response:
    return requests.get(server.url + "/sparql", params=ASK, timeout=30)


def test_two_workers_share_one_graph_and_each_answers_within_the_time_limit(built, tmp_path):
    """The graph is loaded once, into one zygote below the server's main process; both
    workers answer, each from query workers of its own, and a query past the time limit is
    stopped while the others are answered. Killed, the server leaves no process behind."""
    server = two_workers(built.settings.out_dir, tmp_path, QUERY_TIMEOUT="3")
    root = server.process.pid
    try:
        workers = granian_workers(root)
        assert len(workers) == 2
        (zygote,) = zygotes(root)
        assert loads(server) == 1

        # Both answer: each spends CPU on its share of 400 queries (an idle one spends none).
        before = {pid: cpu_ticks(pid) for pid in workers}
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: ask(server).status_code, range(400)))
        assert set(statuses) == {200}
        spent = {pid: cpu_ticks(pid) - before[pid] for pid in workers}
        assert min(spent.values()) >= 5, spent

        results: list = []
        slow = start_slow_query(server, results)
        assert wait_until(lambda: busiest(query_workers(zygote))[1] >= 10, 10)
        busy_worker = busiest(query_workers(zygote))[0]
        running = {busy_worker: tree(zygote)[busy_worker]}
        meanwhile = [ask(server).status_code for _ in range(10)]
        assert not results, "the slow query ended before the others were asked"
        slow.join(30)
        assert set(meanwhile) == {200}
        (answer,) = results
        assert answer.status_code == 503 and answer.json()["code"] == "QUERY_TIMEOUT"
        assert wait_until(lambda: not still_running(running), 5)  # killed, not left to run
        assert zygotes(root) == [zygote]

        everything = tree(root)
        assert len(everything) >= 6  # the server, 2 workers, the zygote, 2 query workers at least
        os.kill(root, signal.SIGKILL)
        assert wait_until(lambda: not still_running(everything), 10), [
            command(p) for p in still_running(everything)
        ]
    finally:
        server.stop()


def test_a_worker_killed_takes_its_own_query_workers_and_leaves_the_graph(built, tmp_path):
    server = two_workers(built.settings.out_dir, tmp_path, QUERY_TIMEOUT="60")
    root = server.process.pid
    try:
        (zygote,) = zygotes(root)
        results: list = []
        start_slow_query(server, results)
        assert wait_until(lambda: busiest(query_workers(zygote))[1] >= 10, 10)
        busy_worker = busiest(query_workers(zygote))[0]
        running = {busy_worker: tree(zygote)[busy_worker]}
        # Which worker asked for it, HTTP does not tell: kill one; if the query runs on, it
        # was the other's, and the zygote lives on for it; then kill the other.
        first, second = granian_workers(root)
        os.kill(first, signal.SIGKILL)
        if not wait_until(lambda: not still_running(running), 3):
            assert zygotes(root) == [zygote]
            os.kill(second, signal.SIGKILL)
            assert wait_until(lambda: not still_running(running), 3)
        else:
            # The other worker still serves the graph, which stays; the respawned worker
            # takes it too, without loading it again.
            assert zygotes(root) == [zygote]
            assert wait_until(lambda: started_workers(server) == 3, 60)
            assert zygotes(root) == [zygote] and loads(server) == 1
        assert wait_until(lambda: ask(server).status_code == 200, 60)
    finally:
        server.stop()


def test_a_rebuild_moves_both_workers_to_one_new_graph(tmp_path):
    data, out = tmp_path / "data", tmp_path / "build"
    shutil.copytree(SOURCES, data)
    build(Settings(data_dir=data, ontology_dir=ONTOLOGY, out_dir=out))
    server = two_workers(out, tmp_path, RELOAD_INTERVAL="0.2")
    root = server.process.pid
    try:
        (old,) = zygotes(root)
        first = ask(server).headers["NAP-Graph-Build"]
        focus_areas = data / "nap-facts" / "focus_areas.csv"
        text = focus_areas.read_text()
        focus_areas.write_text(text.replace("International operations", "Operations abroad"))
        build(Settings(data_dir=data, ontology_dir=ONTOLOGY, out_dir=out))
        # The old graph leaves memory once neither worker serves it: both have switched.
        assert wait_until(lambda: old not in zygotes(root), 120), server.lines()[-20:]
        assert len(zygotes(root)) == 1 and loads(server) == 2
        builds = {ask(server).headers["NAP-Graph-Build"] for _ in range(40)}
        assert len(builds) == 1 and builds != {first}
    finally:
        server.stop()
