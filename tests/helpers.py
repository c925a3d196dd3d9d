"""What the tests share besides fixtures: paths, time limits, the real server, small readers.

Test modules (and bench/) import this module, never conftest and never each other; conftest.py
holds the fixtures only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from flask.testing import FlaskClient
from rdflib import Graph

if TYPE_CHECKING:
    from external_stores import ExternalStore

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SOURCES = TESTS / "data" / "sources"
ONTOLOGY = ROOT / "ontology"
# Seconds an HTTP call of a test may wait: requests waits forever without one, so a hung
# server would hold a test until pytest-timeout's far longer limit (test_suite_guards checks).
TIMEOUT = 60
JENA = TESTS / "tools" / "jena"

# The settings of the tests' server on the small build (the live_server and app fixtures),
# short enough to test the limits: a query's time, its rows, a request's bytes.
SHORT_LIMITS = {
    "QUERY_TIMEOUT": 2,
    "RESULT_LIMIT": 100,
    "EXPORT_LIMIT": 1000,
    "PROXY_HOPS": 1,
    "ALLOWED_HOSTS": "127.0.0.1 wps.example.org",
    "MAX_REQUEST_BYTES": 20000,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_jsonld(data) -> Graph:
    """Parse JSON-LD with rdflib, whose parser still uses classes it deprecates.

    A document naming our published context (/def/context.jsonld, which an in-process
    server cannot be asked for over the network) gets the context made from the ontology."""
    import json

    from nap_graph import jsonld
    from nap_graph.dump import data_prefixes
    from nap_graph.iris import Iris

    document = json.loads(data)
    if isinstance(document, dict) and str(document.get("@context", "")).endswith(
        "/" + jsonld.CONTEXT_PATH
    ):
        document["@context"] = jsonld.context(ONTOLOGY, data_prefixes(Iris()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=json.dumps(document), format="json-ld")


def tool(name: str) -> str:
    """Return the path of an external tool, or skip when .ci/run has not installed it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def require(name: str) -> None:
    """Skip without the tool; fail where .ci/run should have installed it."""
    if shutil.which(name) is None:
        if os.environ.get("NAP_GRAPH_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is not installed, and .ci/run should have installed it")
        pytest.skip(f"{name} is not installed (.ci/run installs it)")


def require_installed(what: str, present: bool) -> None:
    """The same for a file of a package (npm's): skip without it, fail in CI."""
    if not present:
        if os.environ.get("NAP_GRAPH_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{what} is not installed, and .ci/run should have installed it")
        pytest.skip(f"{what} is not installed (.ci/run installs it)")


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page, exclude: str | None = None) -> list[str]:
    """The WCAG 2.1 A and AA violations that axe-core finds on a page of Playwright (opened
    with bypass_csp: the pages' policy refuses injected scripts), outside `exclude`."""
    page.add_script_tag(path=str(AXE))
    context = f'{{exclude: [["{exclude}"]]}}' if exclude else "document"
    result = page.evaluate(
        f"""async () => await axe.run({context},
               {{runOnly: {{type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


# ---------------------------------------------------------------- the app in process


class BufferedClient(FlaskClient):
    """Flask's test client reading each answer whole, as an HTTP client does: an answer sent
    from a file (downloads, /void, /vendor) closes the file at once, not when collected."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


# ---------------------------------------------------------------- the real server


class LiveServer:
    """A real `nap-graph serve` process on a free port of this machine, talked to over HTTP."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        log_path: Path,
        healthy: bool = True,
        launcher: list[str] | None = None,  # a script that runs the command, in its way
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *(launcher or []),
                "-m",
                "nap_graph",
                "serve",
                "--port",
                str(self.port),
                *args,
            ],
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log_path.read_text()}")
            try:
                status = requests.get(self.url + "/health", timeout=2).status_code
                if status == 200 or not healthy:  # healthy=False: any answer will do
                    return
            except requests.RequestException:  # not listening yet, or still loading
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start:\n{log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()

    def lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()


def serve_build(build_dir: Path, folder: Path, launcher: list[str] | None = None) -> LiveServer:
    """The server on a build with its default settings, its store and log kept in `folder`."""
    return LiveServer(
        ["--out", str(build_dir)],
        {"NAP_GRAPH_STORE_DIR": str(folder / "cache")},
        folder / "server.log",
        launcher=launcher,
    )


def run_load(build_dir: Path, store: ExternalStore, *extra: str, env: dict | None = None):
    """Run `nap-graph load` of a build into an external store (tests/external_stores.py)."""
    return subprocess.run(
        [sys.executable, "-m", "nap_graph", "load", "-q", "--out", str(build_dir)]
        + store.load_arguments()
        + list(extra),
        capture_output=True,
        text=True,
        env={**os.environ, **store.environment(), **(env or {})},
        timeout=900,
    )


def serve_from(
    store: ExternalStore, build_dir: Path, folder: Path, healthy=True, **env
) -> LiveServer:
    """The server answering from an external store that holds the build."""
    return LiveServer(
        ["--out", str(build_dir), "--store", store.query],
        {
            "NAP_GRAPH_STORE_DIR": str(folder / "cache"),
            **store.environment(),
            **{f"NAP_GRAPH_{k}": str(v) for k, v in env.items()},
        },
        folder / "server.log",
        healthy=healthy,
    )


@contextmanager
def filled_and_served(kind: type[ExternalStore], build_dir: Path, folder: Path):
    """(store, server): a store of `kind` filled with a build, and our server answering from it."""
    store = kind(folder / "store")
    store.start()
    try:
        result = run_load(build_dir, store)
        assert result.returncode == 0, result.stdout + result.stderr
        # The stores' own limit (30 s): on disk, with the dataset named in every request, an
        # aggregate of every month takes them about 11 s where the embedded store takes 1 s
        # (docs/deployment.md), more on a busy machine; these tests compare answers, not speed.
        # A CSV table cut at 20,000 rows rather than 200,000 keeps the cap test short.
        server = serve_from(store, build_dir, folder, QUERY_TIMEOUT=30, EXPORT_LIMIT=20000)
        try:
            yield store, server
        finally:
            server.stop()
    finally:
        store.stop()


class Listener:
    """A TCP listener on this machine that records whether anybody connects."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()


# ---------------------------------------------------------------- queries of the small build

PREFIX = "PREFIX wps: <https://w3id.org/nap-graph/def/wps#>\n"
NORWAY = (
    PREFIX
    + """SELECT ?edition ?start WHERE { ?plan a wps:NationalActionPlan ;
    wps:country <https://w3id.org/nap-graph/id/country/NOR> ; wps:edition ?edition .
    OPTIONAL { ?plan wps:startYear ?start } } ORDER BY ?edition"""
)
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }"
EXPECTED = [("1", "2006"), ("2", "2011"), ("3", "2015"), ("4", "2019"), ("5", "2023")]


def rows_from_json(document: dict) -> list[tuple]:
    return [
        tuple(b[v]["value"] if v in b else None for v in document["head"]["vars"])
        for b in document["results"]["bindings"]
    ]


def escaped_service_queries(port: int) -> list[str]:
    """Queries whose SERVICE a scan that misreads escapes takes for part of a comment or string."""
    endpoint = f"http://127.0.0.1:{port}/x"
    return [
        # PN_LOCAL_ESC: `\#` belongs to the prefixed name; read as a comment, it hid the rest.
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\#b AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # A \u escape in an IRI, then `#`.
        f"SELECT * WHERE {{ BIND(<http://e/\\u0041#> AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # `\'` in a prefixed name, read as the start of a string.
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\' AS ?z) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        # `<?b)SERVICE?x#>` looks like an IRI; Oxigraph reads `<` `)` SERVICE ?x and a comment.
        f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?x) BIND(1 AS ?a) BIND(2 AS ?b) "
        f"FILTER(?a<?b)SERVICE?x#>\n{{ ?s ?p ?o }} }}",
    ]


# ---------------------------------------------------------------- the full build

FULL_PREFIXES = """
PREFIX country: <https://w3id.org/nap-graph/id/country/>
PREFIX plan: <https://w3id.org/nap-graph/id/plan/>
"""


def select(build, query: str) -> list[tuple]:
    """Run a SELECT on a build's store, with the graph's prefixes; rows of values or None."""
    from nap_graph.namespaces import PREFIXES

    prologue = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + FULL_PREFIXES
    solutions = build.store.query(prologue + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [tuple(None if row[n] is None else row[n].value for n in names) for row in solutions]


# ---------------------------------------------------------------- the shapes' fixtures

DATA = TESTS / "data"
INVALID = sorted((DATA / "invalid").glob("*.ttl"))


def expected(path: Path) -> set[tuple[str, str]]:
    """Read the `# expect: shape | component` lines at the top of a fixture."""
    found = set()
    for line in path.read_text().splitlines():
        if line.startswith("# expect:"):
            shape, component = (part.strip() for part in line[len("# expect:") :].split("|"))
            found.add((shape, f"http://www.w3.org/ns/shacl#{component}"))
    return found


def graph_of(*paths: Path) -> Graph:
    """The ontology, the valid base graph and the fixtures given, in one graph."""
    graph = Graph()
    for path in (ONTOLOGY / "wps.ttl", DATA / "valid" / "base.ttl", *paths):
        graph.parse(path, format="turtle")
    return graph


# ---------------------------------------------------------------- the results writers' cases

# A small graph and SELECT queries whose answers try the results writers (test_results.py,
# test_result_writers.py): every kind of term, unbound values, what each format escapes.
XSD = "http://www.w3.org/2001/XMLSchema#"
RESULTS_DATA = f"""
<http://e/s> <http://e/p> _:b0 .
_:b0 <http://e/p> _:b1 .
<http://e/s> <http://e/lang> "chat"@fr .
<http://e/s> <http://e/lang> "colour"@en-GB .
<http://e/s> <http://e/typed> "2020"^^<{XSD}gYear> .
<http://e/s> <http://e/typed> "x"^^<http://e/type?a=1&b=2> .
<http://e/s> <http://e/typed> "x"^^<{XSD}string> .
"""

RESULTS_SELECTS = {
    "empty": "SELECT ?a ?b WHERE { FILTER(false) }",
    "no variables": "SELECT * WHERE { }",
    "unbound beside bound": "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 UNDEF) (UNDEF 'x') } }",
    "all unbound": "SELECT ?a ?b WHERE { VALUES (?a ?b) { (UNDEF UNDEF) } }",
    "one column, unbound": "SELECT ?a WHERE { VALUES ?a { UNDEF } }",
    "one column, empty string": "SELECT ?a WHERE { VALUES ?a { '' } }",
    "two columns, empty strings": "SELECT ?a ?b WHERE { VALUES (?a ?b) { ('' '') } }",
    "language tags": "SELECT ?o WHERE { ?s <http://e/lang> ?o } ORDER BY ?o",
    "datatypes": "SELECT ?o WHERE { ?s <http://e/typed> ?o } ORDER BY STR(DATATYPE(?o))",
    "integers and doubles": f"SELECT ?a WHERE {{ VALUES ?a {{ 1 -3 +4 '12'^^<{XSD}int> 1e3 "
    f"'01'^^<{XSD}integer> 'abc'^^<{XSD}integer> 'NaN'^^<{XSD}double> }} }}",
    "decimals": f"SELECT ?a WHERE {{ VALUES ?a {{ 1.5 -1.5 .5 '1.'^^<{XSD}decimal> }} }}",
    "booleans": f"SELECT ?a WHERE {{ VALUES ?a {{ true false 'TRUE'^^<{XSD}boolean> }} }}",
    "blank nodes": "SELECT ?s ?o WHERE { ?s <http://e/p> ?o } ORDER BY STR(?s)",
    "IRIs": "SELECT ?a WHERE { VALUES ?a { <http://e/a?b=1&c=d> <http://e/é> } }",
    "an apostrophe in an IRI": "SELECT ?a WHERE { VALUES ?a { <http://e/a'b> } }",
    "markup and separators in strings": "SELECT ?a WHERE { VALUES ?a "
    "{ 'a\"b<c>&d' 'tab\\there' 'new\\nline' 'carriage\\rreturn' 'a,b' } }",
    "an apostrophe in a string": 'SELECT ?a WHERE { VALUES ?a { "it\'s" } }',
    "spaces around a string": "SELECT ?a WHERE { VALUES ?a { ' lead' 'trail ' '\\tx' 'x\\n' } }",
    "white space at the ends only": "SELECT ?a WHERE { VALUES ?a "
    "{ '  two' 'x\\r' '\\rx' ' ' '\\n\\n' 'a  b' 'mid\\rdle' '\\u00A0x' } }",
    "digits that are not ASCII": f"SELECT ?a WHERE {{ VALUES ?a {{ '²'^^<{XSD}integer> "
    f"'١٢'^^<{XSD}integer> '1.٥'^^<{XSD}decimal> }} }}",
    "doubles and floats": f"SELECT ?a WHERE {{ VALUES ?a {{ 1e3 '-1.5e-3'^^<{XSD}double> "
    f"'INF'^^<{XSD}double> '1.5'^^<{XSD}float> '1'^^<{XSD}decimal> '5.'^^<{XSD}decimal> }} }}",
    "back slashes and quotes": "SELECT ?a WHERE { VALUES ?a { 'back\\\\slash' 'q\"q' } }",
    "commas and quotes in a triple term": "SELECT ?a WHERE "
    "{ BIND(<<( <http://e/s> <http://e/p> 'x,y \"z\"' )>> AS ?a) }",
    "non-ASCII": "SELECT ?a WHERE { VALUES ?a { 'é ü 日本' 'emoji 🕊' } }",
    "control characters": "SELECT ?a WHERE { VALUES ?a { 'a\\u0001b\\u007Fc' } }",
    "characters N-Triples escapes": "SELECT ?a WHERE { VALUES ?a { 'a\\uFFFEb\\uFFFFc\\u0008' } }",
    "unusual variable names": "SELECT ?été ?_x ?a1 WHERE { BIND(1 AS ?été) BIND(2 AS ?a1) }",
    # RDF 1.2, which Oxigraph reads and writes.
    "triple terms": "SELECT ?a WHERE { BIND(<<( <http://e/s> <http://e/p> 'x' )>> AS ?a) }",
    "base directions": "SELECT ?a WHERE { VALUES ?a { 'x'@ar--rtl } }",
}
