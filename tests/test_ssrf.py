"""No query makes the server fetch a URL: SERVICE, however spelt, with network namespaces and
without them, and in front of an external store.

First Oxigraph itself says which spellings it acts on (run here, with a network, against a
listener), and the server's check must refuse every one of them. Then the real server is asked
them over HTTP in three setups, and the listener must see no request at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest
import requests
from helpers import TESTS, TIMEOUT, filled_and_served, serve_build
from ssrf_spellings import SparqlListener, spellings

from nap_graph.errors import QueryRejected
from nap_graph.query_check import inspect

WITHOUT_NAMESPACES = [str(TESTS / "tools" / "without_namespaces.py")]


@pytest.fixture(scope="module")
def listener():
    listener = SparqlListener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def acted_on(listener) -> list[str]:
    """The spellings that Oxigraph, given a network, sends to the listener."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(1)))
    reached = []
    for query in spellings(listener.url):
        before = listener.requests
        try:
            result = store.query(query, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass
        if listener.requests > before:
            reached.append(query)
    listener.requests = 0
    return reached


def test_the_check_refuses_every_spelling_oxigraph_acts_on(acted_on, listener):
    # The adversarial run's own spellings are among them: glued to a prefixed name.
    assert any("SERVICESILENTl:x" in q for q in acted_on)
    assert any("SERVICE: {" in q for q in acted_on)
    assert len(acted_on) > 10_000, len(acted_on)  # of 21,615 tried
    passed = []
    for query in acted_on:
        try:
            inspect(query)
            passed.append(query)
        except QueryRejected:
            pass
    assert passed == [], f"{len(passed)} pass, such as {passed[:3]}"


def sample(queries: list[str], every: int = 25) -> list[str]:
    """A deterministic sample, and the adversarial run's spellings (the last ones) whole."""
    return queries[::every] + [q for q in queries[-15:] if q not in queries[::every]]


def assert_refused_and_unheard(server_url: str, queries: list[str], listener) -> None:
    heard = listener.requests
    statuses = {}
    for i, query in enumerate(queries):
        if i % 2:
            response = requests.post(server_url + "/sparql", data={"query": query}, timeout=TIMEOUT)
        else:
            response = requests.get(
                server_url + "/sparql", params={"query": query}, timeout=TIMEOUT
            )
        statuses.setdefault(response.status_code, []).append(query)
        assert "LEAKED" not in response.text
    assert listener.requests == heard
    assert set(statuses) == {400}, {code: q[:2] for code, q in statuses.items()}


@pytest.fixture(scope="module", params=["namespaces", "no-namespaces"])
def embedded(request, built, tmp_path_factory):
    server = serve_build(
        built.settings.out_dir,
        tmp_path_factory.mktemp(request.param),
        launcher=WITHOUT_NAMESPACES if request.param == "no-namespaces" else None,
    )
    yield request.param, server
    server.stop()


@pytest.mark.live
def test_the_embedded_server_fetches_nothing(embedded, acted_on, listener):
    mode, server = embedded
    health = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=TIMEOUT)
    assert health.status_code == 200
    health = requests.get(server.url + "/health", timeout=TIMEOUT).json()
    # Without namespaces (as in Docker) the seccomp filter still cuts the workers off.
    assert health["network_filter"] is True
    if mode == "no-namespaces":
        assert health["network_namespace"] is False
    assert_refused_and_unheard(server.url, sample(acted_on), listener)


@pytest.mark.live
def test_in_front_of_an_external_store_it_fetches_nothing(built, acted_on, listener, tmp_path):
    from external_stores import OxigraphServer

    with filled_and_served(OxigraphServer, built.settings.out_dir, tmp_path) as (store, server):
        assert_refused_and_unheard(server.url, sample(acted_on, every=50), listener)
        # The store itself would fetch: the check is what stands between.
        heard = listener.requests
        direct = requests.get(
            store.query,
            params={"query": f"SELECT * {{ SERVICE SILENT <{listener.url}> {{ ?x ?x ?x }} }}"},
            timeout=TIMEOUT,
        )
        assert direct.status_code == 200 and listener.requests > heard


STORE_SCRIPT = """
import json, sys
from pathlib import Path
from nap_graph.embedded import OxigraphStore
from nap_graph.errors import QueryRejected
from nap_graph.store import QueryRequest
from nap_graph.syscall_filter import forbid_namespaces

if sys.argv[1] == "no-namespaces":
    assert forbid_namespaces()
data = Path(sys.argv[2])
store = OxigraphStore([data], mode=sys.argv[3], cache=data.parent / "stores", timeout=5)
outcomes = []
for query in json.loads(sys.argv[4]):
    try:
        store.query(QueryRequest(query))
        outcomes.append("answered")
    except QueryRejected as exc:
        outcomes.append(str(exc))
print(json.dumps({"health": store.health(), "outcomes": outcomes}))
store.close()
"""


@pytest.mark.parametrize("mode", ["memory", "disk"])
@pytest.mark.parametrize("namespaces", ["namespaces", "no-namespaces"])
def test_a_worker_that_tries_the_network_is_stopped(namespaces, mode, listener, tmp_path):
    """SERVICE run by the store itself, past the server's check: no socket opens, SILENT or not."""
    heard = listener.requests
    data = tmp_path / "data.nt"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    queries = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o SERVICE SILENT <{listener.url}sparql> {{ ?x ?y ?z }} }}",
        "SELECT * WHERE { ?s ?p ?o }",
    ]
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(STORE_SCRIPT), namespaces, str(data), mode]
        + [json.dumps(queries)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    assert report["health"]["network_filter"] is True
    if namespaces == "no-namespaces":
        assert report["health"]["network_namespace"] is False
    refused, silent, plain = report["outcomes"]
    assert "tried to open a network connection" in refused
    assert "tried to open a network connection" in silent  # SILENT hides no attempt
    assert plain == "answered"  # and the next query finds a worker
    assert listener.requests == heard


def test_the_launcher_really_refuses_namespaces(tmp_path):
    """The no-namespaces setups are what they claim: unshare fails under the launcher, where
    it works without it."""
    script = tmp_path / "try.py"
    script.write_text(
        "from nap_graph.query_worker import isolate_network\nprint(isolate_network())\n"
    )

    def isolated(*launcher: str) -> str:
        run = subprocess.run(
            [sys.executable, *launcher, str(script)], capture_output=True, text=True, timeout=60
        )
        return run.stdout.strip() or run.stderr

    if isolated() != "True":
        pytest.skip("this machine permits no network namespace anyway")
    assert isolated(*WITHOUT_NAMESPACES) == "False"
