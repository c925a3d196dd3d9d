"""Load the built graph into a SPARQL 1.1 store, graph by graph, without disturbing its readers.

Each named graph goes first into a fresh staging graph (`<graph>/load/<id>`), in batches, by
the Graph Store HTTP Protocol where the store has it and by SPARQL Update otherwise. Only when
every staging graph holds exactly the triples of the build does one update request move them
onto the live graphs (SPARQL 1.1 MOVE). A load that fails or is stopped before that leaves the
live graphs as they were, still served; its staging graphs are reported by the next load, which
can drop them (`drop_stale`). A switch that fails part way (Virtuoso keeps the operations done
before the one that failed) is looked at, and finished, or reported graph by graph.
"""

from __future__ import annotations

import gzip
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import requests
from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from nap_graph.errors import LoadFailed, NotBuilt
from nap_graph.progress import Progress
from nap_graph.remote import (
    Credentials,
    auth_scheme,
    failure_reason,
    requests_auth,
    store_message,
)
from nap_graph.store import BUILT_FILE

STAGING = "/load/"
RETRIES = 5  # of a request that the store rolled back as a deadlock
STALE_AFTER = 3600  # seconds after its start when a load's staging graphs count as stale


@dataclass
class Target:
    """Where to load: the store's endpoints, and who we are to it."""

    query: str
    update: str | None = None  # the SPARQL Update endpoint; the query endpoint if None
    graph_store: str | None = None  # the Graph Store HTTP Protocol endpoint, if the store has one
    credentials: Credentials | None = None
    timeout: float = (
        900.0  # seconds for one request (a batch, or the switch: minutes at 1.7M triples)
    )

    def __post_init__(self):
        self.update = self.update or self.query


@dataclass
class LoadReport:
    load_id: str
    protocol: str
    graphs: dict[str, int]  # graph -> triples now live
    dropped: list[str]  # live graphs that the build no longer has
    stale: list[str]  # staging graphs of earlier loads found in the store
    seconds: dict[str, float] = field(default_factory=dict)  # per step


@dataclass
class GraphFile:
    """One named graph of the build, ready to send: its triples without blank nodes in a
    file, those with blank nodes (few) in memory, with their labels."""

    path: Path
    count: int = 0
    blank: list[tuple[list[str], str]] = field(default_factory=list)


def split_by_graph(build_dir: Path, folder: Path) -> dict[str, GraphFile]:
    """Write the build's N-Quads as one N-Triples file per named graph.

    Streamed, so that a graph of millions of triples never sits in memory.
    """
    source = build_dir / BUILT_FILE
    if not source.is_file():
        raise NotBuilt(f"no built graph in {build_dir}: run `nap-graph build` first")
    graphs: dict[str, GraphFile] = {}
    handles = {}
    try:
        with gzip.open(source, "rb") as quads:
            for quad in ox.parse(quads, format=ox.RdfFormat.N_QUADS):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise LoadFailed(f"{source}: a triple outside the named graphs: {quad}")
                graph = quad.graph_name.value
                if graph not in graphs:
                    graphs[graph] = GraphFile(folder / f"graph-{len(graphs)}.nt")
                    handles[graph] = graphs[graph].path.open("w", encoding="utf-8")
                entry = graphs[graph]
                line = f"{quad.subject} {quad.predicate} {quad.object} ."
                labels = [
                    str(term)
                    for term in (quad.subject, quad.object)
                    if isinstance(term, ox.BlankNode)
                ]
                if labels:
                    entry.blank.append((labels, line))
                else:
                    handles[graph].write(line + "\n")
                entry.count += 1
    finally:
        for handle in handles.values():
            handle.close()
    return graphs


def batches(graph: GraphFile, size: int) -> Iterator[list[str]]:
    """Yield the triples of a graph in batches of about `size`.

    A blank node's label means one node only within one request, so every triple that
    shares a blank node (directly or through others) travels in the same batch.
    """
    batch: list[str] = []
    with graph.path.open(encoding="utf-8") as triples:
        for line in triples:
            batch.append(line.rstrip("\n"))
            if len(batch) >= size:
                yield batch
                batch = []
    # Union-find over blank node labels: one group per connected set of blank nodes.
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for labels, _ in graph.blank:
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    groups: dict[str, list[str]] = {}
    for labels, line in graph.blank:
        groups.setdefault(root(labels[0]), []).append(line)
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


class StoreClient:
    """Reads and writes a store for the loader: SPARQL with SPARQLWrapper, GSP with requests."""

    def __init__(self, target: Target):
        self.target = target
        # The scheme of the endpoint written to: Virtuoso's /sparql is open, its
        # /sparql-auth and /sparql-graph-crud-auth ask for digest.
        self.scheme = auth_scheme(target.graph_store or target.update, target.credentials)
        self.session = requests.Session()
        self.session.auth = requests_auth(target.credentials, self.scheme)

    def _sparql(self, url: str, text: str, update: bool):
        client = SPARQLWrapper(url, updateEndpoint=url)
        client.setMethod(POST)
        client.setTimeout(int(self.target.timeout))
        if update:
            client.setRequestMethod("postdirectly")
        if self.target.credentials is not None:
            client.setHTTPAuth(DIGEST if self.scheme == "digest" else BASIC)
            client.setCredentials(self.target.credentials.user, self.target.credentials.password)
        client.setQuery(text)
        try:
            if update:
                return client.query().response.read()
            client.setReturnFormat("json")
            return client.queryAndConvert()
        except Unauthorized as exc:
            raise LoadFailed(f"the store at {url} refused the credentials (401)") from exc
        except SPARQLWrapperException as exc:
            raise LoadFailed(
                f"the store at {url} refused the request: {store_message(exc)}"
            ) from exc
        except Exception as exc:  # urllib's HTTP and connection errors, timeouts
            code = getattr(exc, "code", None)
            if code in (401, 403):
                raise LoadFailed(f"the store at {url} refused the credentials ({code})") from exc
            raise LoadFailed(f"the store at {url} does not answer: {failure_reason(exc)}") from exc

    def select(self, query: str) -> list[dict[str, str]]:
        document = self._sparql(self.target.query, query, update=False)
        return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]

    def update(self, text: str) -> None:
        _retrying(lambda: self._sparql(self.target.update, text, update=True))

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]) if rows else 0

    def graphs_under(self, prefix: str) -> list[str]:
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER (STRSTARTS(STR(?g), "{prefix}")) }}'
        )
        return sorted(r["g"] for r in rows)

    def post(self, graph: str, triples: list[str], protocol: str) -> None:
        """Add triples to a graph; a batch that the store rolled back as a deadlock (Virtuoso,
        under concurrent readers) is sent again, a few times."""
        _retrying(lambda: self._post(graph, triples, protocol))

    def _post(self, graph: str, triples: list[str], protocol: str) -> None:
        """Add triples to a graph: a GSP POST of N-Triples, or an INSERT DATA."""
        if protocol == "update":
            body = "\n".join(triples)
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
            return
        try:
            response = self.session.post(
                self.target.graph_store,
                params={"graph": graph},
                data=("\n".join(triples) + "\n").encode("utf-8"),
                headers={"Content-Type": "application/n-triples"},
                timeout=self.target.timeout,
            )
        except requests.RequestException as exc:
            raise LoadFailed(
                f"the store at {self.target.graph_store} does not answer: {failure_reason(exc)}"
            ) from exc
        if response.status_code in (401, 403):
            raise LoadFailed(
                f"the store at {self.target.graph_store} refused the credentials "
                f"({response.status_code})"
            )
        if response.status_code not in (200, 201, 204):
            raise LoadFailed(
                f"the store's Graph Store endpoint answered {response.status_code}: "
                f"{response.text.strip()[:500]}"
            )


def _retrying(send) -> None:
    """Send a request again, a few times, while the store rolls it back as a deadlock."""
    for attempt in range(RETRIES + 1):
        try:
            send()
            return
        except LoadFailed as exc:
            if "deadlock" not in str(exc).lower() or attempt == RETRIES:
                raise
            time.sleep(0.5 * 2**attempt)


def started_at(graph: str) -> datetime | None:
    """When the load that made a staging graph started (its load id begins with the time)."""
    stamp = graph.rsplit(STAGING, 1)[-1].split("-", 1)[0]
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def load(
    build_dir: Path,
    target: Target,
    *,
    batch_size: int | None = None,
    drop_stale: bool = False,
    stale_after: float = STALE_AFTER,
    graph_prefix: str = "https://w3id.org/nap-graph/graph/",
    progress: Progress | None = None,
) -> LoadReport:
    """Load the build into the store; raise LoadFailed, leaving the live graphs as they were."""
    progress = progress or Progress()
    protocol = "gsp" if target.graph_store else "update"
    # Virtuoso refuses an update of over 10,000 lines of SQL, which about 1,000 triples make.
    size = batch_size or (10_000 if protocol == "gsp" else 500)
    load_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="nap-graph-load-") as folder:
        started = time.monotonic()
        with progress.step("Reading the build"):
            files = split_by_graph(build_dir, Path(folder))
        seconds["read"] = time.monotonic() - started

        started = time.monotonic()
        with progress.step(f"Asking the store at {target.query} what it holds"):
            client = StoreClient(target)
            present = client.graphs_under(graph_prefix)
            live = [g for g in present if STAGING not in g]
            # Staging graphs of a load started within the hour may be another load's, still
            # running: never dropped; older ones are an interrupted load's.
            now = datetime.now(UTC)
            stale, recent = [], []
            for graph in (g for g in present if STAGING in g):
                began = started_at(graph)
                old = began is None or (now - began).total_seconds() >= stale_after
                (stale if old else recent).append(graph)
            if stale and drop_stale:
                client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
        seconds["check"] = time.monotonic() - started

        started = time.monotonic()
        staging = {graph: f"{graph}{STAGING}{load_id}" for graph in files}
        total = sum(f.count for f in files.values())
        done = 0
        try:
            with progress.bar(f"Loading into new graphs ({protocol})", total) as bar:
                for graph, graph_file in files.items():
                    for batch in batches(graph_file, size):
                        client.post(staging[graph], batch, protocol)
                        done += len(batch)
                        bar.update(None, len(batch))
            for graph, graph_file in files.items():
                expected = graph_file.count
                found = client.count(staging[graph])
                if found != expected:
                    raise LoadFailed(
                        f"the store holds {found:,} triples in {staging[graph]} where the "
                        f"build has {expected:,}: nothing was switched"
                    )
        except LoadFailed as exc:
            _drop_quietly(client, list(staging.values()))
            raise LoadFailed(
                f"{exc} (after {done:,} of {total:,} triples). The live graphs are as they "
                "were, still served."
            ) from exc
        seconds["load"] = time.monotonic() - started

        # The switch: one request. The Oxigraph server runs it as one transaction: readers see
        # the old graphs or the new. Virtuoso applies its operations in turn and keeps those
        # done when a later one fails: a failed switch is looked at and finished below. MOVE
        # without SILENT: a staging graph gone missing fails it rather than empty a live graph.
        started = time.monotonic()
        dropped = [g for g in live if g not in files]
        operations = [f"MOVE <{staging[g]}> TO <{g}>" for g in files]
        operations += [f"DROP SILENT GRAPH <{g}>" for g in dropped]
        try:
            with progress.step("Switching the new graphs in"):
                client.update(" ;\n".join(operations))
        except LoadFailed as exc:
            _finish_switch(client, files, staging, dropped, exc)
        try:
            graphs = {graph: client.count(graph) for graph in files}
        except LoadFailed as exc:
            raise LoadFailed(
                f"the new graphs were switched in, but their counts could not be read: {exc}"
            ) from exc
        wrong = {g: n for g, n in graphs.items() if n != files[g].count}
        if wrong:
            raise LoadFailed(
                "the new graphs were switched in, but the store holds other counts than the "
                f"build (another load at the same time?): {wrong}"
            )
        seconds["switch"] = time.monotonic() - started
    return LoadReport(
        load_id, protocol, graphs, dropped, recent + ([] if drop_stale else stale), seconds
    )


def _finish_switch(client, files, staging, dropped, error: LoadFailed) -> None:
    """After a failed switch, see which graphs moved; move the rest one by one, or say exactly
    where each graph stands."""
    try:
        state = {g: (client.count(staging[g]), client.count(g)) for g in files}
    except LoadFailed as exc:
        raise LoadFailed(
            f"the switch to the new graphs failed ({error}), and the store cannot be asked "
            f"how far it went ({exc}). The staging graphs, verified complete: "
            + ", ".join(staging.values())
        ) from exc
    waiting = [g for g, (staged, _) in state.items() if staged == files[g].count]
    lost = [
        g
        for g, (staged, live) in state.items()
        if staged != files[g].count and live != files[g].count
    ]
    if lost:
        raise LoadFailed(
            f"the switch to the new graphs failed ({error}), and neither the staging graph nor "
            f"the live graph of {', '.join(lost)} holds the build's triples: load again"
        )
    try:
        for graph in waiting:
            client.update(f"MOVE <{staging[graph]}> TO <{graph}>")
        if dropped:
            client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in dropped))
    except LoadFailed as exc:
        done = [g for g in files if g not in waiting]
        raise LoadFailed(
            f"the switch to the new graphs failed ({error}) and could not be finished ({exc}): "
            f"new: {', '.join(done) or 'none'}; still the previous graph: "
            f"{', '.join(waiting)}. Load again to finish."
        ) from exc


def _drop_quietly(client: StoreClient, graphs: list[str]) -> None:
    """Drop a failed load's staging graphs if the store still answers; else leave them."""
    try:
        client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    except LoadFailed:
        pass
