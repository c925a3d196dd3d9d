"""The store's query workers, driven directly: no network, a time limit of their own, no death
by a bad request."""

from __future__ import annotations

import time

import pytest
from helpers import Listener

from nap_graph.embedded import OxigraphStore
from nap_graph.errors import QueryRejected
from nap_graph.query_worker import GRACE
from nap_graph.store import QueryRequest

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    data = tmp_path / "data.nt"
    data.write_text(
        "".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i % 7}> .\n" for i in range(1000))
    )
    store = OxigraphStore([data], mode=request.param, cache=tmp_path / "stores", timeout=5)
    yield store
    store.close()


def test_a_worker_cannot_open_a_tcp_connection(store):
    """SERVICE run by the store itself, past the server's check: the worker has no network,
    by its seccomp filter wherever it runs (namespaces or not: tests/test_ssrf.py)."""
    assert store.health()["network_filter"] is True
    listener = Listener()
    try:
        with pytest.raises(QueryRejected, match="tried to open a network connection"):
            store.query(
                QueryRequest(
                    f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
                )
            )
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_worker_stops_itself_shortly_after_the_time_limit(store):
    """Should the server not kill it (it died, or hangs), a worker past its limit stops."""
    worker = store._new_worker()
    try:
        worker.connection.send(
            {
                "query": SLOW,
                "results_format": "json",
                "graph_format": "turtle",
                "limit": 10,
                "max_bytes": 10_000,
                "timeout": 1,
            }
        )
        started = time.monotonic()
        # The worker's end closes when it dies: the connection reads as ready, then EOF.
        assert worker.connection.poll(1 + GRACE + 5)
        with pytest.raises(EOFError):
            worker.connection.recv()
        assert time.monotonic() - started < 1 + GRACE + 5
    finally:
        worker.kill()


@pytest.mark.parametrize(
    "request_",
    [
        {"default_graphs": ["not an iri"]},
        {"named_graphs": [""]},
        {"graph_format": "no such format"},
    ],
)
def test_a_bad_request_is_an_error_and_the_worker_lives_on(store, request_):
    query = "CONSTRUCT WHERE { ?s ?p ?o }" if "graph_format" in request_ else "ASK { ?s ?p ?o }"
    (worker,) = store._pools["site"].idle
    with pytest.raises(QueryRejected):
        store.query(QueryRequest(query, **request_))
    assert store._pools["site"].idle == [worker] and worker.alive()
    assert store.query(QueryRequest("ASK { ?s ?p ?o }")).body == b'{"head":{},"boolean":true}'


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_the_store_tells_why_a_query_stopped_its_worker(mode, tmp_path):
    """Out of memory, the network, a crash: each is told apart, to the client and in /health."""
    data = tmp_path / "data.nt"
    data.write_text('<http://e/s> <http://e/p> "x" .\n')
    store = OxigraphStore(
        [data], mode=mode, cache=tmp_path / "stores", timeout=20, memory=300_000_000
    )
    try:
        doubling = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(40))
        with pytest.raises(QueryRejected, match="needs more than the 300 MB"):
            store.query(
                QueryRequest(f"SELECT (STRLEN(?x40) AS ?n) WHERE {{ ?s ?p ?x0 {doubling} }}")
            )
        with pytest.raises(QueryRejected, match="tried to open a network connection"):
            store.query(
                QueryRequest(
                    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:59999/> { ?s ?p ?o } }"
                )
            )
        assert store.query(QueryRequest("ASK { ?s ?p ?o }")).body.endswith(b"true}")
        health = store.health()
        assert health["workers_out_of_memory"] == 1
        assert health["workers_stopped_for_network"] == 1
        assert health["workers_crashed"] == 0
    finally:
        store.close()
