"""Answers kept per build (nap_graph/answer_cache.py): a query asked again is answered without
running it, alike; what may differ from one asking to the next never is."""

from __future__ import annotations

import pytest
from helpers import NORWAY

from nap_graph.answer_cache import CachedStore
from nap_graph.errors import QueryRejected
from nap_graph.store import QueryRequest


@pytest.fixture
def store(app):
    """A small cache around the app's store (itself cached: this one's figures are its own)."""
    return CachedStore(app.extensions["nap_graph"].current().store, max_bytes=20_000)


def test_a_query_asked_again_is_answered_from_the_cache_alike(store):
    first = store.query(QueryRequest(NORWAY))
    again = store.query(QueryRequest(NORWAY, pool="sparql", timeout=5))  # pool and limit aside
    assert again.body == first.body and again.kind == first.kind
    assert (store.hits, store.misses) == (1, 1)
    assert store.health()["answers_cached"] == 1


@pytest.mark.parametrize(
    "other",
    [
        QueryRequest(NORWAY, results_format="csv"),
        QueryRequest(NORWAY, limit=2),
        QueryRequest(NORWAY, default_graphs=["https://w3id.org/nap-graph/graph/naps"]),
        QueryRequest(NORWAY, union=False),
        QueryRequest(NORWAY, base_iri="http://example.org/"),
        QueryRequest(NORWAY + " "),
    ],
)
def test_another_format_dataset_or_limit_is_another_answer(store, other):
    store.query(QueryRequest(NORWAY))
    store.query(other)
    assert (store.hits, store.misses) == (0, 2)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) WHERE {}",
        "SELECT (rand() AS ?r) WHERE {}",
        "SELECT (UUID() AS ?u) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "CONSTRUCT { ?s <http://example.org/p> ?b } WHERE { ?s a ?c BIND(BNODE() AS ?b) } LIMIT 2",
    ],
)
def test_answers_that_change_at_each_asking_are_never_kept(store, query):
    store.query(QueryRequest(query))
    store.query(QueryRequest(query))
    assert (store.hits, store.misses, store.health()["answers_cached"]) == (0, 0, 0)


def test_a_request_may_ask_the_store_itself(store):
    """As /health does: a kept answer would say a store that has stopped is well."""
    for _ in range(2):
        store.query(QueryRequest("ASK {}", cached=False))
    assert (store.hits, store.misses, store.health()["answers_cached"]) == (0, 0, 0)


def test_errors_are_not_kept(store):
    for _ in range(2):
        with pytest.raises(QueryRejected):
            store.query(QueryRequest("SELECT * WHERE { ?s ?p"))
    assert store.health()["answers_cached"] == 0


def test_the_least_recently_asked_go_first_within_the_bytes(store):
    queries = [f"SELECT ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}" for n in range(1, 40)]
    for query in queries:
        store.query(QueryRequest(query))
    health = store.health()
    assert 0 < health["answers_cached"] < len(queries)
    assert health["answer_cache_bytes"] <= store.max_bytes
    store.query(QueryRequest(queries[-1]))  # the latest is kept
    store.query(QueryRequest(queries[0]))  # the first is gone
    assert (store.hits, store.misses) == (1, len(queries) + 1)


def test_an_answer_over_a_tenth_of_the_cache_is_not_kept(store):
    store.query(QueryRequest("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100"))
    assert store.health()["answers_cached"] == 0


def test_the_endpoint_answers_from_it(client, app):
    cache = app.extensions["nap_graph"].current().store
    assert isinstance(cache, CachedStore)
    query = NORWAY + "# asked twice by the endpoint"
    hits = cache.hits
    first = client.post("/sparql", data={"query": query})
    again = client.post("/sparql", data={"query": query})
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert cache.hits == hits + 1
