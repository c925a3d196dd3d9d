"""One graph in memory for several stores: the zygote a server's processes share
(nap_graph/zygotes.py), driven directly, and query workers that give their memory back."""

from __future__ import annotations

import logging
import os
import select
import signal
import time

import pytest

from nap_graph.embedded import OxigraphStore
from nap_graph.errors import QueryTimeout, StoreUnavailable
from nap_graph.store import QueryRequest
from nap_graph.zygotes import ZygoteHost

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = QueryRequest("ASK { ?s ?p ?o }", pool="sparql")


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.nt"
    path.write_text(
        "".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i % 7}> .\n" for i in range(1000))
    )
    return path


@pytest.fixture
def host():
    host = ZygoteHost()
    yield host
    host.close()


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def ended(pid: int) -> bool:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], 0)[0])
    finally:
        os.close(fd)


def loads(caplog) -> int:
    return sum("Loading the graph" in record.getMessage() for record in caplog.records)


def test_the_stores_of_one_graph_share_one_zygote_and_keep_their_own_workers(
    host, data, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="nap_graph.zygotes")
    snapshot = tmp_path / "snapshot.nt"
    os.link(data, snapshot)  # as each worker's snapshot of a build: a hard link
    first = OxigraphStore([data], host=host.address, timeout=1)
    second = OxigraphStore([snapshot], host=host.address, timeout=5)
    try:
        assert host.zygotes() == 1 and loads(caplog) == 1
        assert first.health()["triples"] == second.health()["triples"] == 1000
        # A query past its limit in one store stops that store's worker only.
        with pytest.raises(QueryTimeout):
            first.query(QueryRequest(SLOW, pool="sparql"))
        assert b"true" in second.query(ASK).body and b"true" in first.query(ASK).body
        assert first.health()["workers_replaced"] == 1
        assert second.health()["workers_replaced"] == 0
        first.close()
        assert second.query(ASK).kind == "boolean" and host.zygotes() == 1
    finally:
        first.close()
        second.close()
    # Its last store closed, the zygote stops.
    assert wait_until(lambda: host.zygotes() == 0, 5)


def test_another_graph_gets_a_zygote_of_its_own(host, data, tmp_path):
    copy = tmp_path / "copy.nt"
    copy.write_bytes(data.read_bytes())  # the same triples, another file: another build's
    stores = [OxigraphStore([path], host=host.address) for path in (data, copy)]
    try:
        assert host.zygotes() == 2
    finally:
        for store in stores:
            store.close()


def test_the_query_workers_of_a_store_die_when_its_connection_closes(host, data):
    """As when the process holding the store dies: the zygote kills the workers forked
    through its connection, a busy one too, and goes on serving the other stores."""
    doomed = OxigraphStore([data], host=host.address, timeout=60)
    other = OxigraphStore([data], host=host.address)
    try:
        worker = doomed._new_worker()
        worker.connection.send(
            {
                "query": SLOW,
                "results_format": "json",
                "graph_format": "turtle",
                "limit": 10,
                "max_bytes": 10_000,
                "timeout": 60,
            }
        )
        pid = worker.pid
        doomed._zygote.control.close()
        assert wait_until(lambda: ended(pid), 5)
        assert other.query(ASK).kind == "boolean"
    finally:
        doomed.close()
        other.close()


def test_a_shared_zygote_that_dies_is_loaded_again_once(host, data, caplog):
    caplog.set_level(logging.INFO, logger="nap_graph.zygotes")
    stores = [OxigraphStore([data], host=host.address, timeout=2) for _ in range(3)]
    try:
        (hosted,) = host._zygotes.values()
        os.kill(hosted.zygote.process.pid, signal.SIGKILL)
        assert wait_until(lambda: host.zygotes() == 0, 5)

        def answered(store) -> bool:
            try:  # its idle workers died with the zygote: it needs a new one, and notices
                return b"true" in store.query(ASK).body
            except StoreUnavailable:
                return False

        for store in stores:
            assert wait_until(lambda store=store: answered(store), 30)
        assert loads(caplog) == 2 and host.zygotes() == 1
        assert [store.health()["reloads"] for store in stores] == [1, 1, 1]
    finally:
        for store in stores:
            store.close()


def test_a_worker_that_took_much_memory_is_replaced_after_its_answer(data, monkeypatch):
    store = OxigraphStore([data])
    try:
        assert store.query(ASK).kind == "boolean"
        assert store.health()["workers_recycled"] == 0
        monkeypatch.setattr(OxigraphStore, "RECYCLE_BYTES", 0)  # every worker is past it
        assert store.query(ASK).kind == "boolean"
        assert store.health()["workers_recycled"] == 1
        monkeypatch.setattr(OxigraphStore, "RECYCLE_BYTES", 32_000_000)
        for _ in range(5):  # its place is taken by a fresh fork, which answers
            assert store.query(ASK).kind == "boolean"
        health = store.health()
        assert health["workers_recycled"] == 1 and health["workers_replaced"] == 0
        assert health["workers_crashed"] == 0
    finally:
        store.close()
