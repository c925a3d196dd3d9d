"""Serving: our server against its peers, on the same data, queries and machine, in one run.

Targets, each started here on loopback and stopped after:

- `nap-graph`: our server on its embedded store (granian, default settings);
- `nap-graph on Oxigraph server` / `nap-graph on Virtuoso`: our server answering from an
  external store that `nap-graph load` filled (issue: external stores);
- `Oxigraph server`: the standalone server of the `oxigraph` package, queried directly;
- `Virtuoso`: queried directly, with the graph's named graphs as its dataset;
- `rdflib-endpoint` on rdflib's default store and on its Oxigraph store (the nearest peer,
  installed from PyPI into its own virtual environment, bench/.peers-venv);
- `pyoxigraph`: the bare engine in a process of its own, answers written as SPARQL JSON or
  N-Triples: the ceiling, what HTTP and Flask cost us is the difference.

Each query of the mix (bench/queries/*.rq) is asked until it has 25 timings or 10 s are up
(at least 3); throughput is the whole mix, round robin, from 1, 4 and 16 clients for 10 s
each. The client runs on the same 2 cores as the server: its own cost is in every figure.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "bench" / "queries"
PEERS_VENV = ROOT / "bench" / ".peers-venv"
PEERS_REQUIREMENTS = ROOT / "bench" / "requirements-peers.txt"
GRAPHS = [
    "https://w3id.org/nap-graph/graph/naps",
    "https://w3id.org/nap-graph/graph/peacekeeping",
    "https://w3id.org/nap-graph/graph/vocabulary",
]
ALL_TARGETS = (
    "pyoxigraph",
    "nap-graph",
    "Oxigraph server",
    "nap-graph on Oxigraph server",
    "Virtuoso",
    "nap-graph on Virtuoso",
    "rdflib-endpoint",
    "rdflib-endpoint + Oxigraph",
)
SAMPLES, SECONDS_PER_QUERY, MIN_SAMPLES = 25, 10.0, 3
SKIPPED: list[str] = []  # targets that could not be measured, and why
CLIENTS, THROUGHPUT_SECONDS = (1, 4, 16), 10.0
REQUEST_TIMEOUT = 120


def mix() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(QUERIES_DIR.glob("*.rq"))}


def is_graph_query(query: str) -> bool:
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    words = body.upper().split()
    return any(w in ("CONSTRUCT", "DESCRIBE") for w in words[:40])


# ---------------------------------------------------------------- processes


def free_port() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import free_port as probe  # one way to find a free port, the tests'

    return probe()


def descendants(pid: int) -> list[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def tree_peak_memory_mb(pid: int) -> float:
    """The sum of the peak resident memory (VmHWM) of a process and all its descendants."""
    total = 0
    for current in descendants(pid):
        try:
            for line in (Path("/proc") / str(current) / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


@dataclass
class Target:
    """An HTTP SPARQL endpoint under test, or the bare engine (url None)."""

    name: str
    url: str | None = None
    params: dict = field(default_factory=dict)  # sent with every query (Virtuoso's dataset)
    process: subprocess.Popen | None = None
    start_s: float | None = None
    load_s: float | None = None
    note: str = ""

    def ask(self, session: requests.Session, query: str) -> tuple[int, bytes]:
        accept = (
            "application/n-triples, text/turtle;q=0.9"
            if is_graph_query(query)
            else "application/sparql-results+json"
        )
        response = session.post(
            self.url,
            data={"query": query, **self.params},
            headers={"Accept": accept},
            timeout=REQUEST_TIMEOUT,
        )
        return response.status_code, response.content

    def memory_mb(self) -> float | None:
        return tree_peak_memory_mb(self.process.pid) if self.process else None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_http(
    name: str, command: list[str], url: str, log: Path, env: dict | None = None, **kw
) -> Target:
    """Start a server and time it until it answers a query."""
    started = time.perf_counter()
    with log.open("w") as output:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=kw.pop("cwd", None),
        )
    target = Target(name, url, process=process, **kw)
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped:\n{log.read_text()[-2000:]}")
        try:
            status, body = target.ask(requests.Session(), "ASK { ?s ?p ?o }")
            if status == 200:
                target.start_s = time.perf_counter() - started
                return target
            if 400 <= status < 500:
                target.stop()
                raise SystemExit(f"{name} answered {status}: {body[:300]!r}")
        except requests.RequestException:
            pass
        time.sleep(0.2)
    target.stop()
    raise SystemExit(f"{name} did not start")


def peers_python() -> Path:
    """The peers' own virtual environment (rdflib-endpoint and its Oxigraph store), made once."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / "requirements.txt"
    wanted = PEERS_REQUIREMENTS.read_text()
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print("Installing the peers into bench/.peers-venv ...", file=sys.stderr)
        venv.create(PEERS_VENV, with_pip=True, clear=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(PEERS_REQUIREMENTS)], check=True
        )
        stamp.write_text(wanted)
    return python


def union_ntriples(built: Path, folder: Path) -> Path:
    """The built graph's triples as one N-Triples file (the union of the named graphs)."""
    target = folder / "nap-graph.nt"
    if not target.exists():
        with gzip.open(built / "nap-graph.nt.gz") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return target


# ---------------------------------------------------------------- the bare engine


BARE = """
import json, statistics, sys, time, gzip
import pyoxigraph as ox
built, queries, samples, seconds, minimum = sys.argv[1], json.loads(sys.argv[2]), *map(float, sys.argv[3:6])
started = time.perf_counter()
store = ox.Store()
with gzip.open(built + "/nap-graph.nq.gz") as handle:
    store.load(handle, format=ox.RdfFormat.N_QUADS)
load = time.perf_counter() - started
def run(q):
    result = store.query(q, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    return result.serialize(format=ox.QueryResultsFormat.JSON)
out = {"load_s": load, "queries": {}}
for name, q in queries.items():
    body = run(q)
    times, deadline = [], time.perf_counter() + seconds
    while len(times) < samples and (len(times) < minimum or time.perf_counter() < deadline):
        t = time.perf_counter(); run(q); times.append((time.perf_counter() - t) * 1000)
    out["queries"][name] = {"times": times, "body": body.decode()}
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        out["memory_mb"] = int(line.split()[1]) / 1024
print(json.dumps(out))
"""


def bare_engine(built: Path, queries: dict[str, str]) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BARE,
            str(built),
            json.dumps(queries),
            str(SAMPLES),
            str(SECONDS_PER_QUERY),
            str(MIN_SAMPLES),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"the bare engine failed:\n{result.stderr}")
    return json.loads(result.stdout)


# ---------------------------------------------------------------- measurements


def latencies(target: Target, queries: dict[str, str]) -> dict[str, dict]:
    session = requests.Session()
    figures = {}
    for name, query in queries.items():
        try:
            status, body = target.ask(session, query)
        except requests.RequestException as exc:
            figures[name] = {"error": type(exc).__name__}
            continue
        if status != 200:
            figures[name] = {"error": f"HTTP {status}", "body": body[:300].decode(errors="replace")}
            continue
        times, deadline = [], time.perf_counter() + SECONDS_PER_QUERY
        while len(times) < SAMPLES and (len(times) < MIN_SAMPLES or time.perf_counter() < deadline):
            started = time.perf_counter()
            target.ask(session, query)
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = {"times": times, "body": body.decode()}
    return figures


def throughput(target: Target, queries: dict[str, str], clients: int) -> tuple[float, int]:
    """Queries answered per second (200) by `clients` concurrent clients, and the failures."""
    texts = list(queries.values())
    ok, failed = [0] * clients, [0] * clients
    stop = time.perf_counter() + THROUGHPUT_SECONDS

    def client(index: int) -> None:
        session, n = requests.Session(), index
        while time.perf_counter() < stop:
            try:
                status, _ = target.ask(session, texts[n % len(texts)])
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


def answer_of(body: str, graph: bool):
    """A comparable form of an answer: the set of rows (values only) or the triple count."""
    if graph:
        return None  # DESCRIBE and CONSTRUCT are compared by the tests, not here
    try:
        document = json.loads(body)
    except ValueError:  # not SPARQL JSON, though asked for: differs, whatever it says
        return ("unreadable", body[:200])
    if "boolean" in document:
        return document["boolean"]
    rows = []
    for binding in document["results"]["bindings"]:
        rows.append(tuple(sorted((k, v["value"]) for k, v in binding.items())))
    return sorted(rows)


# ---------------------------------------------------------------- one size, every target


def run_serving(built: Path, work: Path, targets: set[str] | None = None) -> dict:
    """Measure every target on one build; return the figures by target."""
    queries = mix()
    results: dict[str, dict] = {}
    work.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return targets is None or name in targets

    def measure(target: Target) -> None:
        print(f"  {target.name}", file=sys.stderr)
        try:
            figures = {
                "start_s": target.start_s,
                "load_s": target.load_s,
                "note": target.note,
                "queries": latencies(target, queries),
                "throughput": {c: throughput(target, queries, c) for c in CLIENTS},
                "memory_mb": target.memory_mb(),
            }
        finally:
            target.stop()
        results[target.name] = figures

    if wanted("pyoxigraph"):
        print("  pyoxigraph (in process)", file=sys.stderr)
        bare = bare_engine(built, queries)
        results["pyoxigraph"] = {
            "start_s": bare["load_s"],
            "queries": bare["queries"],
            "memory_mb": bare["memory_mb"],
            "throughput": {},
            "note": "in process, no HTTP",
        }

    cache = work / "cache"
    if wanted("nap-graph"):
        port = free_port()
        measure(
            start_http(
                "nap-graph",
                [sys.executable, "-m", "nap_graph", "serve", "--out", str(built)]
                + ["--port", str(port), "--no-build"],
                f"http://127.0.0.1:{port}/sparql",
                work / "nap-graph.log",
                env={"NAP_GRAPH_STORE_DIR": str(cache)},
            )
        )

    for kind in ("oxigraph", "virtuoso"):
        store_name = {"oxigraph": "Oxigraph server", "virtuoso": "Virtuoso"}[kind]
        if not (wanted(store_name) or wanted(f"nap-graph on {store_name}")):
            continue
        store = external_store(kind, work / kind)
        if store is None:
            continue
        try:
            started = time.perf_counter()
            load = subprocess.run(
                [sys.executable, "-m", "nap_graph", "load", "-q", "--out", str(built)]
                + store.load_arguments(),
                capture_output=True,
                text=True,
                env={**os.environ, **store.environment()},
            )
            if load.returncode != 0:
                # Said under the table; the other targets are still measured.
                reason = (load.stdout + load.stderr).strip().splitlines()[-1][:400]
                SKIPPED.append(f"{store_name}: `nap-graph load` failed: {reason}")
                print(f"  {SKIPPED[-1]}", file=sys.stderr)
                continue
            load_s = time.perf_counter() - started
            if wanted(store_name):
                direct = Target(
                    store_name,
                    store.query,
                    params={"default-graph-uri": GRAPHS} if kind == "virtuoso" else {},
                    process=store.process,
                    start_s=None,
                    load_s=load_s,
                    note=f"{store_version(kind, store)}; loaded by `nap-graph load` (GSP)",
                )
                print(f"  {store_name}", file=sys.stderr)
                results[store_name] = {
                    "load_s": load_s,
                    "note": direct.note,
                    "queries": latencies(direct, queries),
                    "throughput": {c: throughput(direct, queries, c) for c in CLIENTS},
                    "memory_mb": direct.memory_mb(),
                }
            if wanted(f"nap-graph on {store_name}"):
                port = free_port()
                measure(
                    start_http(
                        f"nap-graph on {store_name}",
                        [sys.executable, "-m", "nap_graph", "serve", "--out", str(built)]
                        + ["--port", str(port), "--no-build", "--store", store.query],
                        f"http://127.0.0.1:{port}/sparql",
                        work / f"nap-graph-{kind}.log",
                        env={"NAP_GRAPH_STORE_DIR": str(cache), **store.environment()},
                        load_s=load_s,
                    )
                )
        finally:
            store.stop()

    for store_kind, label in (
        ("default", "rdflib-endpoint"),
        ("Oxigraph", "rdflib-endpoint + Oxigraph"),
    ):
        if not wanted(label):
            continue
        python = peers_python()
        port = free_port()
        data = union_ntriples(built, work)
        measure(
            start_http(
                label,
                [str(python.parent / "rdflib-endpoint"), "serve", "--host", "127.0.0.1"]
                + ["--port", str(port), "--store", store_kind, str(data)],
                f"http://127.0.0.1:{port}/",
                work / f"rdflib-endpoint-{store_kind}.log",
                note=f"rdflib-endpoint {peer_version(python)}, {store_kind} store",
            )
        )
    check_answers(results, queries)
    return results


def store_version(kind: str, store) -> str:
    command = [store.binary, "--version"] if kind == "oxigraph" else [store.binary, "-?"]
    result = subprocess.run(command, capture_output=True, text=True)
    text = (result.stdout + result.stderr).strip().splitlines()
    if kind == "virtuoso":
        text = [line for line in text if "Version" in line] or text
    return text[0].strip() if text else kind


def peer_version(python: Path) -> str:
    result = subprocess.run(
        [
            str(python),
            "-c",
            "from importlib.metadata import version; print(version('rdflib-endpoint'))",
        ],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def external_store(kind: str, folder: Path):
    """Start the Oxigraph server or Virtuoso as the tests do; None if it is not installed."""
    sys.path.insert(0, str(ROOT / "tests"))
    from external_stores import OxigraphServer, VirtuosoServer

    if kind == "virtuoso" and not shutil.which("virtuoso-t"):
        print("  Virtuoso is not installed: skipped", file=sys.stderr)
        return None
    store = (OxigraphServer if kind == "oxigraph" else VirtuosoServer)(folder)
    if kind == "oxigraph":
        store.command = _with_union(store.command)
    store.start()
    return store


def _with_union(command: Callable[[], list[str]]) -> Callable[[], list[str]]:
    # Queried directly, the Oxigraph server reads the union of its graphs, as ours does.
    return lambda: [*command(), "--union-default-graph"]


def check_answers(results: dict, queries: dict[str, str]) -> None:
    """Mark, per target, the queries whose answer differs from the bare engine's."""
    reference = results.get("pyoxigraph") or results.get("nap-graph")
    if reference is None:
        return
    for figures in results.values():
        differ = []
        for name, query in queries.items():
            mine, theirs = figures["queries"].get(name, {}), reference["queries"].get(name, {})
            if "body" not in mine or "body" not in theirs:
                continue
            graph = is_graph_query(query)
            if answer_of(mine["body"], graph) != answer_of(theirs["body"], graph):
                differ.append(name)
        figures["differs"] = differ


# ---------------------------------------------------------------- tables


def p(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def digits(ms: float) -> int:
    return 2 if ms < 1 else 1 if ms < 100 else 0


def tables(results: dict, size: str, triples: int) -> str:
    queries = list(mix())
    names = list(results)
    ours = results.get("nap-graph", {}).get("queries", {})
    lines = [f"#### {size}: {triples:,} triples", ""]
    lines.append(
        "Latency, median / 95th percentile in ms (and the median's ratio to our server's):"
    )
    lines.append("")
    lines.append("| query | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    for query in queries:
        cells = []
        for name in names:
            figure = results[name]["queries"].get(query, {})
            if "times" not in figure:
                cells.append(figure.get("error", "—"))
                continue
            median = statistics.median(figure["times"])
            cell = f"{median:,.{digits(median)}f} / {p(figure['times'], 95):,.{digits(median)}f}"
            base = ours.get(query, {}).get("times")
            if base and name != "nap-graph":
                cell += f" ({median / statistics.median(base):.2g}x)"
            if query in results[name].get("differs", []):
                cell += " ≠"
            cells.append(cell)
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    lines += ["", "Throughput, the whole mix round robin, answers per second (failed answers):", ""]
    http = [n for n in names if results[n]["throughput"]]
    lines.append("| clients | " + " | ".join(http) + " |")
    lines.append("|---:|" + "---:|" * len(http))
    for clients in CLIENTS:
        cells = []
        ours_qps = results.get("nap-graph", {}).get("throughput", {}).get(clients, (None,))[0]
        for name in http:
            qps, failed = results[name]["throughput"][clients]
            cell = f"{qps:,.1f}"
            if ours_qps and name != "nap-graph":
                cell += f" ({qps / ours_qps:.2g}x)"
            if failed:
                cell += f" ({failed} failed)"
            cells.append(cell)
        lines.append(f"| {clients} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| target | start s | load s | peak memory MB | note |",
        "|---|---:|---:|---:|---|",
    ]
    for name in names:
        figures = results[name]
        start = f"{figures['start_s']:.1f}" if figures.get("start_s") is not None else ""
        load = f"{figures['load_s']:.1f}" if figures.get("load_s") is not None else ""
        memory = f"{figures['memory_mb']:,.0f}" if figures.get("memory_mb") else ""
        lines.append(f"| {name} | {start} | {load} | {memory} | {figures.get('note', '')} |")
    return "\n".join(lines)


if __name__ == "__main__":  # one build, every target: python bench/serving.py BUILD_DIR
    with tempfile.TemporaryDirectory(prefix="nap-graph-serving-") as folder:
        found = run_serving(Path(sys.argv[1]), Path(folder))
        print(tables(found, "build", 0))
