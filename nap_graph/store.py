"""Open the built graph in Oxigraph, and run SPARQL queries against it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from nap_graph.errors import NotBuilt, QueryRejected

BUILT_FILE = "nap-graph.nq.gz"


def open_built(out_dir: Path) -> ox.Store:
    """Load the built graph (its N-Quads dump) into an in-memory Oxigraph store."""
    path = out_dir / BUILT_FILE
    if not path.exists():
        raise NotBuilt(f"no built graph in {out_dir}: run `nap-graph build` first")
    store = ox.Store()
    with gzip.open(path, "rb") as handle:
        store.load(handle, format=ox.RdfFormat.N_QUADS)
    return store


def run_query(store: ox.Store, query: str, prefixes: dict[str, str] | None = None):
    """Run a read-only SPARQL query over the union of the named graphs.

    `prefixes` are declared for the query unless it declares them itself. Raises
    QueryRejected with the parser's message for a malformed query.
    """
    try:
        return store.query(query, use_default_graph_as_union=True, prefixes=prefixes)
    except SyntaxError as exc:
        raise QueryRejected(f"malformed query: {exc}") from exc
