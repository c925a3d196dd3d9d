"""Serving: our server against its peers, on the same data, queries and machine, in one run.

Targets, each started here on loopback and stopped after:

- `nap-graph`: our server on its embedded store (granian, default settings), and
  `nap-graph --workers 2`, the same with two granian worker processes;
- `nap-graph on Oxigraph server` / `nap-graph on Virtuoso`: our server answering from an
  external store that `nap-graph load` filled (issue: external stores);
- `Oxigraph server`: the standalone server of the `oxigraph` package, queried directly (the
  yardstick of the ratios);
- `Virtuoso`: queried directly, with the graph's named graphs as its dataset;
- `rdflib-endpoint` on rdflib's default store and on its Oxigraph store (the nearest peer,
  installed from PyPI into its own virtual environment, bench/.peers-venv);
- `pyoxigraph`: the bare engine in a process of its own, answers written as SPARQL JSON or
  N-Triples: the ceiling, what HTTP and Flask cost us is the difference;
- `Jena ARQ`: a second bare engine, Debian's Jena in a JVM (bench/JenaQueries.java), timed
  the same way; its answers are an independent check of the bare engine's.

The mix is bench/queries/*.rq and the query editor's examples (server/examples/*.rq). Each
query is asked once for its answer, then timed until it has 25 timings or 5 s are up (at least
3); a query whose first answer took longer than 5 s is timed by that answer alone, and one
that takes longer than 30 s is an error. Throughput is the whole mix, round robin, from 1, 4
and 16 clients for 10 s each. The client is http.client, one keep-alive connection per client
thread; it runs on the same 2 cores as the server, so its own cost is in every figure: the
"client floor" (a hello-world WSGI app under granian) measures it. Memory is PSS summed over
each target's processes, at idle after its start and after the run. docs/benchmarks.md says
what the tables give and how the answers are compared.
"""

from __future__ import annotations

import gzip
import http.client
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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "bench" / "queries"
EXAMPLES_DIR = ROOT / "server" / "examples"
PEERS_VENV = ROOT / "bench" / ".peers-venv"
PEERS_REQUIREMENTS = ROOT / "bench" / "requirements-peers.txt"
JENA = ROOT / "tests" / "tools" / "jena"
JENA_PROGRAM = ROOT / "bench" / "JenaQueries.java"
GRAPHS = [
    "https://w3id.org/nap-graph/graph/naps",
    "https://w3id.org/nap-graph/graph/peacekeeping",
    "https://w3id.org/nap-graph/graph/vocabulary",
]
FLOOR = "client floor"
BARE = "pyoxigraph"  # the bare engine: answers are compared with its, memory and start too
YARDSTICK = "Oxigraph server"  # the issue's: latency and throughput ratios are to it
ALL_TARGETS = (
    FLOOR,
    "pyoxigraph",
    "Jena ARQ",
    "Oxigraph server",
    "nap-graph",
    "nap-graph --workers 2",
    "nap-graph, answer cache",
    "nap-graph --workers 2, answer cache",
    "nap-graph on Oxigraph server",
    "Virtuoso",
    "nap-graph on Virtuoso",
    "rdflib-endpoint",
    "rdflib-endpoint + Oxigraph",
)
SAMPLES, SECONDS_PER_QUERY, MIN_SAMPLES = 25, 5.0, 3
SKIPPED: list[str] = []  # targets that could not be measured, and why
CLIENTS, THROUGHPUT_SECONDS = (1, 4, 16), 10.0
FLOOR_SAMPLES = 500
REQUEST_TIMEOUT = 30  # the Oxigraph server's and Virtuoso's own limit, as the tests set them
WITHIN = 1.5  # the bound on each query's median, as a ratio to the yardstick's
# Differences whose cause was looked at (docs/benchmarks.md), by target and query.
KNOWN_DIFFERENCES = {
    ("rdflib-endpoint", "queries/05-month-filter"): "rdflib compares no xsd:gYearMonth values",
    ("rdflib-endpoint", "queries/09-plans-in-force"): "rdflib's YEAR() takes no xsd:gYear",
}


def bench_queries() -> dict[str, str]:
    """The benchmark's own queries (bench/queries/), by file name."""
    return {path.stem: path.read_text() for path in sorted(QUERIES_DIR.glob("*.rq"))}


def left_out_examples() -> dict[str, str]:
    """The editor's examples that cannot be asked as they are, with the reason.

    Each example sets its parameters in VALUES and runs as it is; one that does not parse (a
    placeholder to fill in, say) is left out and said so."""
    import pyoxigraph as ox

    left_out = {}
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        try:
            ox.Store().query(path.read_text())  # an empty store: parses, and costs nothing
        except SyntaxError as exc:
            left_out[f"examples/{path.stem}"] = f"not standalone: {exc}"
    return left_out


def mix() -> dict[str, str]:
    """The mix by name: `queries/...` (bench/queries/) then `examples/...` (the editor's)."""
    queries = {f"queries/{name}": text for name, text in bench_queries().items()}
    left_out = left_out_examples()
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        if f"examples/{path.stem}" not in left_out:
            queries[f"examples/{path.stem}"] = path.read_text()
    return queries


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


def _tree_sum_kb(pid: int, file: str, key: str) -> int:
    total = 0
    for member in descendants(pid):
        try:
            for line in (Path("/proc") / str(member) / file).read_text().splitlines():
                if line.startswith(key):
                    total += int(line.split()[1])
                    break
        except OSError:  # gone meanwhile: a query worker replaced
            pass
    return total


def tree_pss_mb(pid: int) -> float:
    """The PSS of a process and all its descendants, in MB.

    PSS splits a page that forked processes share among them, so the sum is the memory the
    tree really holds; the sum of their resident memory counts a shared page in each."""
    return _tree_sum_kb(pid, "smaps_rollup", "Pss:") / 1024


def tree_peak_memory_mb(pid: int) -> float:
    """The sum of the peak resident memory (VmHWM) of a process and all its descendants."""
    return _tree_sum_kb(pid, "status", "VmHWM:") / 1024


def machine_load() -> float:
    """The machine's load average over the last minute."""
    return os.getloadavg()[0]


# ---------------------------------------------------------------- the client


# What a request can fail with: refused, reset, timed out (OSError), or a broken answer.
CLIENT_ERRORS = (OSError, http.client.HTTPException)


class Client:
    """One keep-alive HTTP/1.1 connection to an endpoint, as one client thread holds it.

    http.client rather than requests: requests costs about 0.75 ms a request on this machine,
    more than the servers' own differences on a lookup."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.path = parts.path or "/"
        self.connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT
            )
        try:
            # A body of bytes goes out with the headers in one write: no wait for Nagle.
            self.connection.request("POST", self.path, body, headers)
            response = self.connection.getresponse()
            content = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            # The server closed the connection while it was idle: once more on a new one.
            return self.post(body, headers)
        except CLIENT_ERRORS:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, content

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Target:
    """An HTTP SPARQL endpoint under test, or a bare engine (url None)."""

    name: str
    url: str | None = None
    params: dict = field(default_factory=dict)  # sent with every query (Virtuoso's dataset)
    process: subprocess.Popen | None = None
    start_s: float | None = None
    load_s: float | None = None
    note: str = ""
    load_before: float | None = None  # the machine's load average as the target started

    def form(self, query: str) -> dict:
        return {"query": query, **self.params}

    def headers(self, query: str) -> dict[str, str]:
        accept = (
            "application/n-triples, text/turtle;q=0.9"
            if is_graph_query(query)
            else "application/sparql-results+json"
        )
        return {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}

    def ask(self, client: Client, query: str) -> tuple[int, bytes]:
        body = urlencode(self.form(query), doseq=True).encode()
        return client.post(body, self.headers(query))

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
    load_before = machine_load()
    started = time.perf_counter()
    with log.open("w") as output:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=kw.pop("cwd", None),
        )
    target = Target(name, url, process=process, load_before=load_before, **kw)
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped:\n{log.read_text()[-2000:]}")
        client = Client(url)
        try:
            status, body = target.ask(client, "ASK { ?s ?p ?o }")
            if status == 200:
                target.start_s = time.perf_counter() - started
                return target
            if 400 <= status < 500:
                target.stop()
                raise SystemExit(f"{name} answered {status}: {body[:300]!r}")
        except CLIENT_ERRORS:
            pass
        finally:
            client.close()
        time.sleep(0.05)
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


# ---------------------------------------------------------------- the client's floor


# The least a server can do for a request: read it, answer a fixed ASK result.
FLOOR_APP = """
BODY = b'{"head":{},"boolean":true}'

def app(environ, start_response):
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
"""


def client_floor(work: Path) -> dict:
    """What the client itself costs: a hello-world WSGI app under granian, asked by the lean
    client (latency and throughput) and, for comparison, by requests."""
    folder = work / "floor"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "floor_app.py").write_text(FLOOR_APP)
    port = free_port()
    target = start_http(
        FLOOR,
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1"]
        + ["--port", str(port), "--no-ws", "--working-dir", str(folder), "floor_app:app"],
        f"http://127.0.0.1:{port}/",
        folder / "granian.log",
    )
    ask = {"ask": "ASK {}"}
    try:
        client, times = Client(target.url), []
        for _ in range(FLOOR_SAMPLES):
            started = time.perf_counter()
            target.ask(client, "ASK {}")
            times.append((time.perf_counter() - started) * 1000)
        session, by_requests = requests.Session(), []
        for _ in range(min(FLOOR_SAMPLES, 200)):
            started = time.perf_counter()
            session.post(
                target.url,
                data=target.form("ASK {}"),
                headers=target.headers("ASK {}"),
                timeout=REQUEST_TIMEOUT,
            )
            by_requests.append((time.perf_counter() - started) * 1000)
        client.close()
        session.close()
        rates = {c: throughput(target, ask, c) for c in CLIENTS}
    finally:
        target.stop()
    return {"floor": True, "times": times, "requests_times": by_requests, "throughput": rates}


# ---------------------------------------------------------------- the bare engines


BARE_SCRIPT = """
import json, sys, time, gzip
import pyoxigraph as ox
built, queries, samples, seconds, minimum = sys.argv[1], json.loads(sys.argv[2]), *map(float, sys.argv[3:6])
def memory():
    found = {}
    for file, key, name in (("smaps_rollup", "Pss:", "pss_mb"), ("status", "VmHWM:", "peak_mb")):
        for line in open("/proc/self/" + file):
            if line.startswith(key):
                found[name] = int(line.split()[1]) / 1024
    return found
started = time.perf_counter()
store = ox.Store()
with gzip.open(built + "/nap-graph.nq.gz") as handle:
    store.load(handle, format=ox.RdfFormat.N_QUADS)
out = {"load_s": time.perf_counter() - started, "memory_idle": memory(), "queries": {}}
def run(q):
    result = store.query(q, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    return result.serialize(format=ox.QueryResultsFormat.JSON)
for name, q in queries.items():
    t = time.perf_counter()
    body = run(q)
    first = time.perf_counter() - t
    if first > seconds:
        out["queries"][name] = {"times": [first * 1000], "body": body.decode()}
        continue
    times, deadline = [], time.perf_counter() + seconds
    while len(times) < samples and (len(times) < minimum or time.perf_counter() < deadline):
        t = time.perf_counter(); run(q); times.append((time.perf_counter() - t) * 1000)
    out["queries"][name] = {"times": times, "body": body.decode()}
out["memory_after"] = memory()
print(json.dumps(out))
"""


def bare_figures(found: dict, note: str, load_before: float) -> dict:
    """A bare engine's figures, as the tables read them."""
    return {
        "load_s": found["load_s"],
        "queries": found["queries"],
        "pss_idle_mb": found["memory_idle"]["pss_mb"],
        "pss_after_mb": found["memory_after"]["pss_mb"],
        "peak_rss_mb": found["memory_after"]["peak_mb"],
        "throughput": {},
        "note": note,
        "machine_load": (load_before, machine_load()),
    }


def bare_engine(built: Path, queries: dict[str, str]) -> dict:
    """The bare engine (pyoxigraph) in a process of its own, without HTTP."""
    load_before = machine_load()
    result = subprocess.run(
        [sys.executable, "-c", BARE_SCRIPT, str(built), json.dumps(queries)]
        + [str(SAMPLES), str(SECONDS_PER_QUERY), str(MIN_SAMPLES)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"the bare engine failed:\n{result.stderr}")
    from importlib.metadata import version

    note = f"pyoxigraph {version('pyoxigraph')}, in memory, in process, no HTTP"
    return bare_figures(json.loads(result.stdout), note, load_before)


def jena_engine(built: Path, queries: dict[str, str], work: Path) -> dict | None:
    """Jena ARQ, a second bare engine (bench/JenaQueries.java); None, said in SKIPPED, when
    Java or Jena cannot run it."""
    if shutil.which("java") is None:
        SKIPPED.append("Jena ARQ: no `java` (.ci/run installs Debian's libapache-jena-java)")
        return None
    work.mkdir(parents=True, exist_ok=True)
    (work / "queries.json").write_text(json.dumps(queries))
    out = work / "jena.json"
    load_before = machine_load()
    result = subprocess.run(
        [str(JENA), str(JENA_PROGRAM), str(built / "nap-graph.nq.gz"), str(work / "queries.json")]
        + [str(out), str(SAMPLES), str(SECONDS_PER_QUERY), str(MIN_SAMPLES)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not out.exists():
        # The exception's own line (or javac's error) says more than the last of a stack.
        said = result.stderr.strip().splitlines() or ["no output"]
        reason = next((line for line in said if "Exception" in line or "rror" in line), said[-1])
        reason = reason.strip()[:300]
        SKIPPED.append(f"Jena ARQ: the program failed: {reason}")
        return None
    found = json.loads(out.read_text())
    figures = {"load_s": found["load_ns"] / 1e9, "queries": {}}
    for name, figure in found["queries"].items():
        if "times" in figure:
            figure["times"] = [ns / 1e6 for ns in figure["times"]]
        figures["queries"][name] = figure
    for moment in ("memory_idle", "memory_after"):
        figures[moment] = {
            "pss_mb": found[moment]["pss_kb"] / 1024,
            "peak_mb": found[moment]["peak_rss_kb"] / 1024,
        }
    note = f"{found['version']}, in memory (the quads' triples in one graph), no HTTP"
    return bare_figures(figures, note, load_before)


# ---------------------------------------------------------------- measurements


def latencies(target: Target, queries: dict[str, str]) -> dict[str, dict]:
    """Each query asked once for its answer, then timed (ms) as SAMPLES and the time allow."""
    client = Client(target.url)
    figures = {}
    for name, query in queries.items():
        try:
            started = time.perf_counter()
            status, body = target.ask(client, query)
            first_s = time.perf_counter() - started
        except CLIENT_ERRORS as exc:
            figures[name] = {"error": type(exc).__name__}
            continue
        if status != 200:
            figures[name] = {"error": f"HTTP {status}", "body": body[:300].decode(errors="replace")}
            continue
        if first_s > SECONDS_PER_QUERY:  # longer than the time allowed: timed by this one
            figures[name] = {"times": [first_s * 1000], "body": body.decode()}
            continue
        times, deadline = [], time.perf_counter() + SECONDS_PER_QUERY
        while len(times) < SAMPLES and (len(times) < MIN_SAMPLES or time.perf_counter() < deadline):
            started = time.perf_counter()
            try:
                target.ask(client, query)
            except CLIENT_ERRORS:
                break  # the answer and the timings so far stand
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = {"times": times or [first_s * 1000], "body": body.decode()}
    client.close()
    return figures


def throughput(target: Target, queries: dict[str, str], clients: int) -> tuple[float, int]:
    """Queries answered per second (200) by `clients` concurrent clients, and the failures."""
    texts = list(queries.values())
    ok, failed = [0] * clients, [0] * clients
    stop = time.perf_counter() + THROUGHPUT_SECONDS

    def client(index: int) -> None:
        connection, n = Client(target.url), index
        while time.perf_counter() < stop:
            try:
                status, _ = target.ask(connection, texts[n % len(texts)])
            except CLIENT_ERRORS:
                status = 0
            if status == 200:
                ok[index] += 1
            else:
                failed[index] += 1
            n += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ok) / (time.perf_counter() - started), sum(failed)


XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    XSD + name
    for name in (
        "integer decimal double float int long short byte nonNegativeInteger positiveInteger "
        "negativeInteger nonPositiveInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
}


def value_of(term: dict) -> str:
    """A term's value; a number's as a number, so that 1.0 and 1, or 1E0, are equal."""
    if term.get("datatype") in NUMERIC:
        try:
            return format(float(term["value"]), ".12g")
        except ValueError:
            pass
    return term["value"]


def answer_of(body: str, graph: bool):
    """A comparable form of an answer: the rows (values only, in any order) or the boolean."""
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
        rows.append(tuple(sorted((k, value_of(v)) for k, v in binding.items())))
    return sorted(rows)


def difference(mine, theirs) -> str:
    """How an answer differs from the bare engine's, in a few words."""
    if not isinstance(mine, list) or not isinstance(theirs, list):
        return f"{str(mine)[:120]} where the bare engine has {str(theirs)[:120]}"

    def shown(row: tuple) -> str:
        return ", ".join(f"{k}={v}" for k, v in row)[:160]

    missing, extra = Counter(theirs) - Counter(mine), Counter(mine) - Counter(theirs)
    text = f"{len(mine)} rows where the bare engine has {len(theirs)}"
    if missing:
        text += f"; {sum(missing.values())} of its rows missing, as ({shown(next(iter(missing)))})"
    if extra:
        text += f"; {sum(extra.values())} rows not in it, as ({shown(next(iter(extra)))})"
    return text


# ---------------------------------------------------------------- one size, every target


def run_serving(built: Path, work: Path, targets: set[str] | None = None) -> dict:
    """Measure every target on one build; return the figures by target (and the floor)."""
    queries = mix()
    results: dict[str, dict] = {}
    work.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return targets is None or name in targets

    def measure(target: Target) -> None:
        print(f"  {target.name}", file=sys.stderr)
        pid = target.process.pid
        try:
            figures = {
                "start_s": target.start_s,
                "load_s": target.load_s,
                "note": target.note,
                "pss_idle_mb": tree_pss_mb(pid),
                "queries": latencies(target, queries),
                "throughput": {c: throughput(target, queries, c) for c in CLIENTS},
                "pss_after_mb": tree_pss_mb(pid),
                "peak_rss_mb": tree_peak_memory_mb(pid),
                "machine_load": (target.load_before, machine_load()),
            }
        finally:
            target.stop()
        results[target.name] = figures

    if wanted(FLOOR):
        print(f"  {FLOOR}", file=sys.stderr)
        results[FLOOR] = client_floor(work)

    if wanted("pyoxigraph"):
        print("  pyoxigraph (in process)", file=sys.stderr)
        results["pyoxigraph"] = bare_engine(built, queries)

    if wanted("Jena ARQ"):
        print("  Jena ARQ (in process)", file=sys.stderr)
        jena = jena_engine(built, queries, work / "jena")
        if jena is not None:
            results["Jena ARQ"] = jena

    # Our server without its answer cache: each query's own cost, as a new query pays it; and
    # with it (the default), where each query after the first is answered from it.
    for name, extra, cache in (
        ("nap-graph", [], "0"),
        ("nap-graph --workers 2", ["--workers", "2"], "0"),
        ("nap-graph, answer cache", [], None),
        ("nap-graph --workers 2, answer cache", ["--workers", "2"], None),
    ):
        if not wanted(name):
            continue
        port = free_port()
        folder = "nap-graph" + "".join(extra).replace("--", "-") + ("" if cache else "-cache")
        no_cache = {} if cache is None else {"NAP_GRAPH_ANSWER_CACHE_BYTES": cache}
        measure(
            start_http(
                name,
                [sys.executable, "-m", "nap_graph", "serve", "--out", str(built)]
                + ["--port", str(port), "--no-build", *extra],
                f"http://127.0.0.1:{port}/sparql",
                work / f"{folder}.log",
                # A cache of its own: each start is a cold one.
                env={"NAP_GRAPH_STORE_DIR": str(work / f"cache-{folder}"), **no_cache},
            )
        )

    for kind in ("oxigraph", "virtuoso"):
        store_name = {"oxigraph": "Oxigraph server", "virtuoso": "Virtuoso"}[kind]
        if not (wanted(store_name) or wanted(f"nap-graph on {store_name}")):
            continue
        load_before = machine_load()
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
                    load_s=load_s,
                    note=f"{store_version(kind, store)}; loaded by `nap-graph load` (GSP)",
                    load_before=load_before,
                )
                print(f"  {store_name}", file=sys.stderr)
                pid = store.process.pid
                results[store_name] = {
                    "load_s": load_s,
                    "note": direct.note,
                    "pss_idle_mb": tree_pss_mb(pid),
                    "queries": latencies(direct, queries),
                    "throughput": {c: throughput(direct, queries, c) for c in CLIENTS},
                    "pss_after_mb": tree_pss_mb(pid),
                    "peak_rss_mb": tree_peak_memory_mb(pid),
                    "machine_load": (load_before, machine_load()),
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
                        env={
                            "NAP_GRAPH_STORE_DIR": str(work / f"cache-{kind}"),
                            "NAP_GRAPH_ANSWER_CACHE_BYTES": "0",  # the store's own cost
                            **store.environment(),
                        },
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
    # In the order of ALL_TARGETS: the bare engines and the yardstick first, then ours.
    return {name: results[name] for name in ALL_TARGETS if name in results}


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
        SKIPPED.append("Virtuoso: not installed (Debian's virtuoso-opensource)")
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
    """Mark, per target, the queries whose answer differs from the bare engine's, and how."""
    reference = results.get(BARE) or results.get("nap-graph")
    if reference is None:
        return
    for figures in results.values():
        if figures.get("floor"):
            continue
        differ = {}
        for name, query in queries.items():
            mine, theirs = figures["queries"].get(name, {}), reference["queries"].get(name, {})
            if "times" not in mine or "times" not in theirs:
                continue  # an error: the tables show it
            graph = is_graph_query(query)
            ours, its = answer_of(mine["body"], graph), answer_of(theirs["body"], graph)
            if ours != its:
                differ[name] = difference(ours, its)
        figures["differs"] = differ


# ---------------------------------------------------------------- tables


def p(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def digits(ms: float) -> int:
    return 2 if ms < 1 else 1 if ms < 100 else 0


def times_of(figures: dict, query: str) -> list[float] | None:
    return figures["queries"].get(query, {}).get("times")


def ratio(value: float) -> str:
    return f"{value:,.0f}x" if value >= 100 else f"{value:.2g}x"


def mix_summary(figures: dict, yardstick: dict | None, queries: list[str]) -> dict:
    """The geometric mean of a target's medians over the mix (the queries it answered), and
    against the yardstick: the geometric mean of the ratios over the queries both answered
    (the ratio of the two means on those), and how many are within WITHIN of its median."""
    medians = {q: statistics.median(t) for q in queries if (t := times_of(figures, q))}
    summary = {
        "mean_ms": statistics.geometric_mean(medians.values()) if medians else None,
        "answered": len(medians),
    }
    if yardstick is not None:
        ratios = [
            medians[q] / statistics.median(t)
            for q in medians
            if (t := times_of(yardstick, q)) and statistics.median(t) > 0
        ]
        summary["ratio"] = statistics.geometric_mean(ratios) if ratios else None
        summary["within"] = sum(r <= WITHIN for r in ratios)
        summary["compared"] = len(ratios)
    return summary


def tables(results: dict, size: str, triples: int, yardstick: str = YARDSTICK) -> str:
    queries = list(mix())
    names = [n for n in results if not results[n].get("floor")]
    base = results.get(yardstick)
    versus = f"the {yardstick}'s" if base else None
    lines = [f"#### {size}: {triples:,} triples", ""]
    heading = "Latency, median / 95th percentile in ms"
    lines += [heading + (f" (and the median's ratio to {versus}):" if versus else ":"), ""]
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
            reference = times_of(base, query) if base else None
            if reference and name != yardstick:
                cell += f" ({ratio(median / statistics.median(reference))})"
            if query in results[name].get("differs", {}):
                cell += " ≠"
            cells.append(cell)
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    summaries = {n: mix_summary(results[n], base, queries) for n in names}
    cells = []
    for name in names:
        summary = summaries[name]
        if summary["mean_ms"] is None:
            cells.append("—")
            continue
        cell = f"{summary['mean_ms']:,.{digits(summary['mean_ms'])}f}"
        if summary["answered"] < len(queries):
            cell += f" ({summary['answered']} of {len(queries)})"
        if base and name != yardstick and summary["ratio"]:
            cell += f" ({ratio(summary['ratio'])})"
        cells.append(cell)
    lines.append("| geometric mean of the medians | " + " | ".join(cells) + " |")
    if base:
        cells = [
            "" if name == yardstick else f"{summaries[name]['within']} of {len(queries)}"
            for name in names
        ]
        lines.append(f"| queries within {WITHIN}x of {versus} median | " + " | ".join(cells) + " |")

    http = [n for n in names if results[n]["throughput"]]
    heading = "Throughput, the whole mix round robin, answers per second"
    extra = f", its ratio to {versus}" if versus else ""
    lines += ["", f"{heading}{extra} (and failed answers):", ""]
    lines.append("| clients | " + " | ".join(http) + " |")
    lines.append("|---:|" + "---:|" * len(http))
    for clients in CLIENTS:
        cells = []
        base_qps = base["throughput"].get(clients, (None,))[0] if base else None
        for name in http:
            qps, failed = results[name]["throughput"][clients]
            cell = f"{qps:,.1f}"
            if base_qps and name != yardstick:
                cell += f" ({ratio(qps / base_qps)})"
            if failed:
                cell += f" ({failed} failed)"
            cells.append(cell)
        lines.append(f"| {clients} | " + " | ".join(cells) + " |")

    bare = results.get(BARE, {})
    lines += [
        "",
        "| target | start s | load s | start (or load) / bare engine's load | PSS MB, idle | "
        "PSS MB, after the run | PSS / bare engine's | peak RSS MB (sum) | machine load, "
        "before → after | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name in names:
        figures = results[name]
        cells = [name]
        for key in ("start_s", "load_s"):
            cells.append(f"{figures[key]:.1f}" if figures.get(key) is not None else "")
        ready = (
            figures.get("start_s") if figures.get("start_s") is not None else figures.get("load_s")
        )
        cells.append(ratio(ready / bare["load_s"]) if ready and bare.get("load_s") else "")
        for key in ("pss_idle_mb", "pss_after_mb"):
            cells.append(f"{figures[key]:,.0f}" if figures.get(key) else "")
        after, bare_after = figures.get("pss_after_mb"), bare.get("pss_after_mb")
        cells.append(ratio(after / bare_after) if after and bare_after else "")
        cells.append(f"{figures['peak_rss_mb']:,.0f}" if figures.get("peak_rss_mb") else "")
        before, later = figures.get("machine_load", (None, None))
        cells.append(f"{before:.2f} → {later:.2f}" if before is not None else "")
        cells.append(figures.get("note", ""))
        lines.append("| " + " | ".join(cells) + " |")

    floor = results.get(FLOOR)
    if floor:
        median = statistics.median(floor["times"])
        by_requests = statistics.median(floor["requests_times"])
        rates = ", ".join(f"{floor['throughput'][c][0]:,.0f}" for c in CLIENTS)
        lines += [
            "",
            f"The client's floor: a hello-world WSGI app under granian answers the client in "
            f"{median:.2f} ms (median; {p(floor['times'], 95):.2f} ms at the 95th percentile, "
            f"{len(floor['times'])} requests), {by_requests:.2f} ms when asked through "
            f"`requests`; {rates} answers per second from {', '.join(map(str, CLIENTS))} "
            "clients.",
        ]
    lines += ["", answers_said(results, names)]
    left_out = left_out_examples()
    if left_out:
        lines += [
            "",
            "Examples left out of the mix: "
            + "; ".join(f"{name} ({why})" for name, why in left_out.items()),
        ]
    return "\n".join(lines)


def answers_said(results: dict, names: list[str]) -> str:
    """The differences from the bare engine's answers and the errors, one line each."""
    lines = []
    for name in names:
        for query, how in results[name].get("differs", {}).items():
            known = KNOWN_DIFFERENCES.get((name.split(" + ")[0], query))
            lines.append(f"- ≠ {name}, {query}: {how}" + (f" ({known})." if known else "."))
        for query, figure in results[name]["queries"].items():
            if "error" in figure:
                said = " ".join(figure.get("body", "").split())[:200]  # one line of it
                said = f": {said}" if said else ""
                lines.append(f"- {name}, {query}: {figure['error']}{said}".rstrip() + ".")
    if not lines:
        return (
            "Every SELECT and ASK answer of every target equals the bare engine's, and every "
            "query was answered."
        )
    return "Answers that differ from the bare engine's, and errors:\n\n" + "\n".join(lines)


if __name__ == "__main__":  # one build, every target: python bench/serving.py BUILD_DIR
    with tempfile.TemporaryDirectory(prefix="nap-graph-serving-") as folder:
        found = run_serving(Path(sys.argv[1]), Path(folder))
        print(tables(found, "build", 0))
        if SKIPPED:
            print("\nNot measured: " + "; ".join(SKIPPED))
