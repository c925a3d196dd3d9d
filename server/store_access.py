"""The app's store, and small helpers to ask it questions from views.

The views' queries run on the store's own workers for the site (its default pool), never on
the endpoint's: slow SPARQL queries cannot hold up a page or /health.
"""

from __future__ import annotations

import json

from flask import current_app

from nap_graph.store import QueryRequest, Store


def get_store() -> Store:
    """Return the store attached to the app by create_app (flaskr's get_db): the build this
    request is pinned to (server/serving.py)."""
    return current_app.extensions["nap_graph"]


def served():
    """The build this request is answered from: its files, store, VoID and caches."""
    return current_app.extensions["nap_graph"].current()


def select(query: str, limit: int | None = None) -> list[dict[str, dict]]:
    """Run a SELECT for a view and return its bindings as SPARQL JSON terms."""
    answer = get_store().query(QueryRequest(query, limit=limit))
    return json.loads(answer.body)["results"]["bindings"]


def ask(query: str) -> bool:
    """Run an ASK for a view."""
    return json.loads(get_store().query(QueryRequest(query)).body)["boolean"]


def construct(query: str, graph_format: str = "ntriples") -> bytes:
    """Run a CONSTRUCT or DESCRIBE for a view and return the graph, written as asked."""
    return get_store().query(QueryRequest(query, graph_format=graph_format)).body
