"""What a store is to the server, and the CLI's store.

The server sees only the `Store` protocol: `store.query(QueryRequest(...))` returns an
`Answer`, already written in the format asked. Two stores implement it: the embedded one
(`nap_graph.embedded.OxigraphStore`, Oxigraph in sandboxed worker processes) and a remote
SPARQL store (`nap_graph.remote.RemoteStore`). `open_built` and `run_query` are the CLI's:
the built graph in memory, queried in this process.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from nap_graph import formats
from nap_graph.errors import NotBuilt, QueryRejected

if TYPE_CHECKING:
    from nap_graph.query_check import Scan

BUILT_FILE = "nap-graph.nq.gz"


@dataclass(frozen=True)
class QueryRequest:
    """A query for a store, and how to answer it: the one argument of `Store.query`.

    Without a dataset (`default_graphs`, `named_graphs`: SPARQL 1.1 Protocol 2.1.4), the
    default graph is the union of the named graphs (`union`), unless the query names its own
    with FROM. `base_iri` resolves the query's relative IRIs; `timeout` (seconds), `limit`
    (rows or triples) and `base_iri` are the store's when None. `pool` is "sparql" for the
    endpoint's queries, "site" for the server's own (pages, /health). `scan` is the text's
    scan when the caller has made one (the endpoint does), so that a store reads it there
    rather than scanning the text again. `cached` lets the answer come from an answer cache
    (nap_graph/answer_cache.py).
    """

    query: str
    results_format: str = "json"  # a name in nap_graph.formats, for SELECT and ASK
    graph_format: str = "turtle"  # a name in nap_graph.formats, for CONSTRUCT and DESCRIBE
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    union: bool = True
    pool: str = "site"
    timeout: float | None = None
    limit: int | None = None
    scan: Scan | None = field(default=None, repr=False, compare=False)
    cached: bool = True  # False asks the store itself, never a kept answer (/health does)

    def __post_init__(self):
        # Lists (or None) are taken, and kept as tuples: a request does not change.
        object.__setattr__(self, "default_graphs", tuple(self.default_graphs or ()))
        object.__setattr__(self, "named_graphs", tuple(self.named_graphs or ()))
        # A scan of another text would let that text's checks pass for this one.
        if self.scan is not None and self.scan.text != self.query:
            raise ValueError("a request's scan must be of its own query text")


@dataclass
class Answer:
    """A query's answer, already written in the format asked for."""

    kind: str  # "bindings" (SELECT), "boolean" (ASK) or "graph" (CONSTRUCT, DESCRIBE)
    body: bytes
    truncated: bool
    count: int  # rows or triples written


class Store(Protocol):
    """What the server needs of a store."""

    name: str

    def query(self, request: QueryRequest) -> Answer:
        """Answer a query; raise QueryRejected, QueryTimeout or StoreUnavailable."""
        ...

    def graph_names(self) -> list[str]: ...

    def health(self) -> dict: ...

    def close(self) -> None: ...


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """Return the RDF format of a file from its extension, and whether it is gzipped."""
    fmt, gzipped = formats.from_path(path)
    return fmt.ox, gzipped


# ------------------------------------------------------------------ the CLI's in-memory store


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
