"""Workers: what `nap-graph serve --workers N` costs in memory and start time, beside the engine.

    python bench/workers.py --build build                  # --workers 1, 2 and 4
    python bench/workers.py --build build --workers 1,2 --rounds 2

For each N, starts `nap-graph serve --workers N --no-build` on the build (a store folder of its
own), and measures:

- start: seconds from the command until an ASK over HTTP answers 200;
- all ready: seconds until every one of the N granian workers has made its app (granian logs
  "Started worker-K" for each);
- the PSS of the server's process tree (the sum of `Pss:` in /proc/PID/smaps_rollup over the
  server and all its descendants), after a short warm-up from 4 clients (queries and pages, so
  that the query workers of every pool are forked), and by role: the granian master, the
  granian workers, the zygotes that hold the graph, the query workers;
- throughput: ASKs, country lookups and pages answered per second by 8 clients for 5 s.

The bare engine is pyoxigraph loading the build's nap-graph.nq.gz in one process: its load
time and its PSS. PSS counts a page that processes share once in all, split among them, so the
sum is the memory the server really holds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import descendants, free_port, start_http  # noqa: E402

WARM_UP_SECONDS, THROUGHPUT_SECONDS, CLIENTS = 4.0, 5.0, 8
LOOKUP = (ROOT / "bench" / "queries" / "01-country-lookup.rq").read_text()
PAGES = ["/doc/country/NOR.html", "/health", "/id/plan/NOR/4"]

BARE = r"""
import gzip, json, sys, time
import pyoxigraph as ox
started = time.perf_counter()
store = ox.Store()
with gzip.open(sys.argv[1], "rb") as handle:
    store.load(handle, format=ox.RdfFormat.N_QUADS)
load = time.perf_counter() - started
assert store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)
rollup = open("/proc/self/smaps_rollup").read().splitlines()
pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
print(json.dumps({"load_s": load, "pss_mb": pss / 1024, "triples": len(store)}))
"""


def bare_engine(built: Path) -> dict:
    """pyoxigraph alone: the dump loaded in memory in one process, its time and PSS."""
    result = subprocess.run(
        [sys.executable, "-c", BARE, str(built / "nap-graph.nq.gz")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def role(pid: int, root: int) -> str:
    text = command(pid)
    if pid == root:
        return "server (granian master)"
    if "nap_graph.query_worker" in text:
        # The zygote is the query process whose parent is not one: a granian worker's (its
        # own, before workers shared one), or the server's.
        return "query workers" if "nap_graph.query_worker" in command(parent(pid)) else "zygotes"
    return "granian workers"


def pss_by_role(root: int) -> dict[str, dict[str, float]]:
    """PSS in MB by role, with its anonymous and file-backed parts, and a count of processes."""
    roles: dict[str, dict[str, float]] = {}
    for pid in descendants(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:  # gone meanwhile
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}
        figures = roles.setdefault(role(pid, root), {"n": 0, "pss": 0, "anon": 0, "file": 0})
        figures["n"] += 1
        figures["pss"] += fields.get("Pss", 0) / 1024
        figures["anon"] += fields.get("Pss_Anon", 0) / 1024
        figures["file"] += fields.get("Pss_File", 0) / 1024
    return roles


def load(url: str, seconds: float, clients: int) -> tuple[float, int]:
    """Answers per second (200) from `clients` asking ASK, the country lookup and pages."""
    calls = [("sparql", "ASK { ?s ?p ?o }"), ("sparql", LOOKUP)] + [("page", p) for p in PAGES]
    ok, failed = [0] * clients, [0] * clients
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        session, n = requests.Session(), index
        while time.perf_counter() < stop:
            kind, what = calls[n % len(calls)]
            try:
                if kind == "sparql":
                    response = session.post(url + "/sparql", data={"query": what}, timeout=60)
                else:
                    response = session.get(url + what, timeout=60)
                status = response.status_code
            except requests.RequestException:
                status = 0
            if status == 200:
                ok[index] += 1
            else:
                failed[index] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ok) / (time.perf_counter() - started), sum(failed)


def serve(built: Path, workers: int, work: Path) -> dict:
    port = free_port()
    log = work / f"server-{workers}.log"
    target = start_http(
        f"--workers {workers}",
        [sys.executable, "-m", "nap_graph", "serve", "--out", str(built), "--no-build"]
        + ["--port", str(port), "--workers", str(workers)],
        f"http://127.0.0.1:{port}/sparql",
        log,
        env={"NAP_GRAPH_STORE_DIR": str(work / f"cache-{workers}")},
    )
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter() - target.start_s
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if log.read_text().count("Started worker-") >= workers:
                break
            time.sleep(0.2)
        all_ready = time.perf_counter() - started
        idle = pss_by_role(target.process.pid)
        load(url, WARM_UP_SECONDS, 4)
        time.sleep(1)
        warm = pss_by_role(target.process.pid)
        rate, failed = load(url, THROUGHPUT_SECONDS, CLIENTS)
        return {
            "workers": workers,
            "start_s": target.start_s,
            "all_ready_s": all_ready,
            "idle_pss_mb": sum(r["pss"] for r in idle.values()),
            "pss_mb": sum(r["pss"] for r in warm.values()),
            "roles": warm,
            "idle_roles": idle,
            "answers_per_s": rate,
            "failed": failed,
        }
    finally:
        target.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    built = args.build.resolve()
    results = {"bare": [], "servers": []}
    with tempfile.TemporaryDirectory(prefix="nap-graph-workers-") as folder:
        for _ in range(args.rounds):
            results["bare"].append(bare_engine(built))
            for n in map(int, args.workers.split(",")):
                results["servers"].append(serve(built, n, Path(folder)))
                print(json.dumps(results["servers"][-1]), file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=1))
        return
    bare = min(results["bare"], key=lambda b: b["load_s"])
    print(
        f"bare engine: load {bare['load_s']:.1f} s, PSS {bare['pss_mb']:,.0f} MB "
        f"({bare['triples']:,} quads)"
    )
    print(
        "| workers | start s | x load | all ready s | PSS MB | x engine | idle PSS MB | answers/s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results["servers"]:
        print(
            f"| {r['workers']} | {r['start_s']:.1f} | {r['start_s'] / bare['load_s']:.2f} | "
            f"{r['all_ready_s']:.1f} | {r['pss_mb']:,.0f} | {r['pss_mb'] / bare['pss_mb']:.2f} | "
            f"{r['idle_pss_mb']:,.0f} | {r['answers_per_s']:.0f} |"
        )
        for name, figures in sorted(r["roles"].items()):
            print(
                f"|  | {name}: {figures['n']} process(es), PSS {figures['pss']:,.0f} MB "
                f"(anonymous {figures['anon']:,.0f}, files {figures['file']:,.0f}) |"
            )


if __name__ == "__main__":
    main()
