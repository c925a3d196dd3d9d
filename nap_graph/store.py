"""The stores behind the CLI and the server.

`open_built` loads the built graph into memory for the CLI. `OxigraphStore` serves it: an
Oxigraph store on disk, queried by worker processes that each open it read-only, so that a
query past its time limit is killed without stopping the others (Oxigraph cannot cancel a
query). The server only sees the `Store` protocol, so that another store (a remote SPARQL
endpoint) can take its place.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from nap_graph.errors import NapGraphError, NotBuilt, QueryRejected

BUILT_FILE = "nap-graph.nq.gz"
log = logging.getLogger(__name__)


class QueryTimeout(NapGraphError):
    """A query ran past the time limit and was stopped."""

    code = "QUERY_TIMEOUT"


class StoreUnavailable(NapGraphError):
    """The store cannot answer: it is missing, down, or its workers are failing."""

    code = "STORE_UNAVAILABLE"


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

    def query(
        self,
        sparql: str,
        *,
        results_format: str = "json",
        graph_format: str = "turtle",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
        union: bool = True,
    ) -> Answer: ...

    def graph_names(self) -> list[str]: ...

    def health(self) -> dict: ...

    def close(self) -> None: ...


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


# ------------------------------------------------------------------ the server's store on disk

RDF_EXTENSIONS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """Return the RDF format of a file from its extension, and whether it is gzipped."""
    suffixes = path.suffixes
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    extension = suffixes[-2] if gzipped and len(suffixes) > 1 else path.suffix
    if extension not in RDF_EXTENSIONS:
        raise NapGraphError(
            f"{path}: unknown RDF format (expected one of {', '.join(RDF_EXTENSIONS)})"
        )
    return RDF_EXTENSIONS[extension], gzipped


def prepare_store(files: list[Path], cache: Path) -> Path:
    """Load RDF files into an Oxigraph store on disk, once per content, and return its folder.

    The folder is named by a hash of the files, so that a rebuilt graph gets a new store and
    an unchanged one is reused; a lock keeps several server processes from loading it twice.
    """
    digest = hashlib.sha256()
    for path in files:
        if not path.exists():
            raise NotBuilt(f"{path} does not exist")
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    target = cache / f"store-{digest.hexdigest()[:16]}"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".ready").exists():
            return target
        temporary = cache / f".loading-{target.name}"
        shutil.rmtree(temporary, ignore_errors=True)
        store = ox.Store(str(temporary))
        for path in files:
            fmt, gzipped = rdf_format(path)
            try:
                with gzip.open(path, "rb") if gzipped else path.open("rb") as handle:
                    store.bulk_load(handle, format=fmt)
            except SyntaxError as exc:
                shutil.rmtree(temporary, ignore_errors=True)
                raise NapGraphError(f"{path}: not valid RDF: {exc}") from exc
        store.flush()
        store.optimize()
        del store
        shutil.rmtree(target, ignore_errors=True)
        temporary.rename(target)
        (target / ".ready").touch()
        for stale in cache.glob("store-*"):
            if stale != target:
                shutil.rmtree(stale, ignore_errors=True)
    return target


class _Worker:
    """A worker process and the connection to it."""

    def __init__(self, connection: Connection, kill, description: str):
        self.connection = connection
        self._kill = kill
        if not connection.poll(60) or connection.recv() != ("ready",):
            self.kill()
            raise StoreUnavailable(f"a query worker could not start ({description})")

    def kill(self) -> None:
        self._kill()
        self.connection.close()


def _spawn_disk_worker(path: Path) -> _Worker:
    """Start `python -m nap_graph.query_worker disk PATH FD`, a worker on the on-disk store.

    A plain subprocess rather than multiprocessing's spawn, which would import the parent's
    main module (the whole CLI, or a test runner) in every worker.
    """
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(
        [sys.executable, "-m", "nap_graph.query_worker", "disk", str(path), str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
    )
    theirs.close()

    def kill():
        process.kill()
        process.wait(5)

    return _Worker(Connection(ours.detach()), kill, f"on-disk store {path}")


class _Zygote:
    """The process that holds the in-memory store and forks workers from it."""

    def __init__(self, files: list[Path], load_timeout: float = 1800):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nap_graph.query_worker",
                "zygote",
                str(theirs.fileno()),
                *map(str, files),
            ],
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self.control = ours
        self.lock = threading.Lock()
        if self._line(load_timeout) != "ready":
            self.close()
            raise StoreUnavailable("the store could not load the graph into memory")

    def _line(self, timeout: float) -> str:
        self.control.settimeout(timeout)
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = self.control.recv(64)
                if not chunk:
                    raise StoreUnavailable("the in-memory store stopped")
                data += chunk
        except TimeoutError as exc:
            raise StoreUnavailable("the in-memory store does not answer") from exc
        return data.decode().strip()

    def fork(self) -> _Worker:
        with self.lock:
            ours, theirs = socket.socketpair()
            try:
                socket.send_fds(self.control, [b"fork"], [theirs.fileno()])
                pid = int(self._line(30))
            except OSError as exc:
                raise StoreUnavailable(f"the in-memory store stopped: {exc}") from exc
            finally:
                theirs.close()

        def kill():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        return _Worker(Connection(ours.detach()), kill, "forked from the in-memory store")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.control.close()
        self.process.kill()
        self.process.wait(5)


class OxigraphStore:
    """Oxigraph, queried by a pool of worker processes under a time limit.

    In memory (the default), one zygote process loads the graph and forks the workers; on
    disk, each worker opens the store read-only.
    """

    name = "oxigraph"

    def __init__(
        self,
        files: list[Path],
        *,
        mode: str = "memory",
        cache: Path | None = None,
        workers: int = 2,
        timeout: float = 10.0,
        limit: int = 10_000,
        base_iri: str | None = None,
    ):
        self.mode = mode
        self.timeout = timeout
        self.limit = limit
        self.base_iri = base_iri
        self.size = workers
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        if mode == "memory":
            for path in files:
                rdf_format(path)  # refuse unknown formats here, not in the zygote
                if not path.exists():
                    raise NotBuilt(f"{path} does not exist")
            self._zygote: _Zygote | None = _Zygote(files)
            self._path: Path | None = None
        elif mode == "disk":
            self._zygote = None
            self._path = prepare_store(files, cache or Path(".nap-graph") / "stores")
        else:
            raise NapGraphError(f"unknown store mode {mode!r}: memory or disk")
        counts = json.loads(
            self.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g",
                timeout=600,
                limit=100_000,
                union=False,
            ).body
        )["results"]["bindings"]
        self._graphs = sorted(
            row["g"]["value"] for row in counts if "g" in row and row["g"]["type"] == "uri"
        )
        self._triples = sum(int(row["n"]["value"]) for row in counts)

    def _new_worker(self) -> _Worker:
        if self._zygote is not None:
            return self._zygote.fork()
        return _spawn_disk_worker(self._path)

    def _worker(self, deadline: float) -> _Worker:
        """Take an idle worker, starting one if the pool is not full, waiting until the deadline."""
        with self._lock:
            if self._idle.empty() and self._started < self.size:
                self._started += 1
                try:
                    return self._new_worker()
                except Exception:
                    self._started -= 1
                    raise
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"no query worker was free within {self.timeout:g} s") from None

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start another in the background."""
        worker.kill()

        def start():
            try:
                replacement = self._new_worker()
            except Exception:
                log.exception("could not start a replacement query worker")
                with self._lock:
                    self._started -= 1
                return
            if self._closed:
                replacement.kill()
            else:
                self._idle.put(replacement)

        threading.Thread(target=start, daemon=True).start()

    def query(
        self,
        sparql: str,
        *,
        results_format: str = "json",
        graph_format: str = "turtle",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
        union: bool = True,
    ) -> Answer:
        """Answer a query in a worker; raise QueryRejected, QueryTimeout or StoreUnavailable.

        Without a dataset, the default graph is the union of the named graphs (`union`), unless
        the query names its own with FROM. `base_iri` resolves the query's relative IRIs.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        worker = self._worker(deadline)
        request = {
            "query": sparql,
            "results_format": results_format,
            "graph_format": graph_format,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "limit": self.limit if limit is None else limit,
            "base_iri": base_iri or self.base_iri,
            "union": union,
        }
        try:
            worker.connection.send(request)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeout(
                    f"the query ran past the time limit of {timeout:g} s and was stopped"
                )
            reply = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._replace(worker)
            raise StoreUnavailable(f"a query worker failed: {exc}") from exc
        self._idle.put(worker)
        if reply[0] == "error":
            _, kind, message = reply
            if kind == "syntax":
                raise QueryRejected(f"malformed query: {message}")
            raise QueryRejected(f"the query could not be evaluated: {message}")
        _, kind, body, truncated, count = reply
        return Answer(kind, body, truncated, count)

    def graph_names(self) -> list[str]:
        return self._graphs

    def health(self) -> dict:
        return {
            "store": self.name,
            "mode": self.mode,
            "triples": self._triples,
            "graphs": len(self._graphs),
            "workers": self._started,
        }

    def alive(self) -> bool:
        """Whether the store can still make workers."""
        return self._zygote is None or self._zygote.alive()

    def close(self) -> None:
        self._closed = True
        while not self._idle.empty():
            self._idle.get_nowait().kill()
        if self._zygote is not None:
            self._zygote.close()
