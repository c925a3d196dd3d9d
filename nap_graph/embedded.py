"""The embedded store: Oxigraph, queried by worker processes under a time limit.

Oxigraph cannot cancel a query, so no query runs in the server's process. In memory (the
default), a zygote process loads the graph once and forks the workers, which share its
memory; on disk (`prepare_store`), each worker opens a store on disk read-only. A query past
its time limit has its worker killed and replaced, without stopping the others. The workers
run without a network, under a memory bound, and die with the server
(nap_graph/query_worker.py). Under `nap-graph serve`, the stores of all the server's processes
fork their workers from one zygote per graph, which its main process starts
(nap_graph/zygotes.py). The server sees only the `Store` protocol (nap_graph/store.py).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import fields
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from nap_graph.errors import (
    NapGraphError,
    NotBuilt,
    QueryRejected,
    QueryTimeout,
    StoreBusy,
    StoreUnavailable,
)
from nap_graph.store import Answer, QueryRequest, rdf_format

log = logging.getLogger(__name__)

# The fields of a QueryRequest a worker reads; the pool, the scan and whether a kept answer
# will do are the store's business.
SENT_FIELDS = [f.name for f in fields(QueryRequest) if f.name not in ("pool", "scan", "cached")]
# How a worker's end tells why its query stopped it: Oxigraph aborts past RLIMIT_DATA, the
# seccomp filter kills with SIGSYS (nap_graph/syscall_filter.py); anything else is a crash.
_CAUSES = {-signal.SIGABRT: "memory", -signal.SIGSYS: "network"}
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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


class _Spawner:
    """Starts the store's processes from one thread that lives as long as the store.

    The kernel sends a process its parent-death signal (PR_SET_PDEATHSIG) when the *thread*
    that started it ends, not the process: started from a request's thread, a worker could
    be killed with it.
    """

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, name="nap-graph-spawner", daemon=True).start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return  # and the processes it started get their parent-death signal
            args, kwargs, reply = job
            try:
                reply.put(subprocess.Popen(*args, **kwargs))
            except Exception as exc:  # the caller raises it
                reply.put(exc)

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        reply: queue.Queue = queue.Queue(1)
        self._jobs.put((args, kwargs, reply))
        result = reply.get()
        if isinstance(result, Exception):
            raise result
        return result

    def stop(self) -> None:
        self._jobs.put(None)


def _worker_command(mode: str, fd: int, memory: int, *paths) -> list[str]:
    # Arguments as nap_graph/query_worker.py reads them: MODE PARENT_PID FD MEMORY_BYTES PATH...
    return [
        sys.executable,
        "-m",
        "nap_graph.query_worker",
        mode,
        str(os.getpid()),
        str(fd),
        str(memory),
        *map(str, paths),
    ]


class _Worker:
    """A worker process and the connection to it."""

    def __init__(self, connection: Connection, description: str, process=None):
        self.connection = connection
        self.process = process  # the Popen of a disk worker, to reap it
        self.pid: int | None = None
        self.pidfd: int | None = None
        self._lock = threading.Lock()
        try:
            if not connection.poll(60):
                raise EOFError("no answer in 60 s")
            _, pid, self.isolation = connection.recv()
        except (EOFError, OSError, ValueError) as exc:
            self.kill()
            raise StoreUnavailable(
                f"a query worker could not start ({description}): {exc}"
            ) from exc
        # From now on the process is named by a pidfd, which never names another process: the
        # zygote's workers are reaped by the kernel, and their PIDs may be reused at once.
        # (Without pidfds, outside Linux, a PID it is.)
        self.pid = pid
        self.pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None

    def answered(self, timeout: float) -> bool:
        """Whether the worker's answer has come within `timeout` seconds. A poll object of
        its own: Connection.poll builds a selector each time, a fifth of a lookup's wait."""
        poller = getattr(self, "_poller", None)
        if poller is None:
            poller = self._poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN)
        return bool(poller.poll(max(timeout, 0) * 1000))

    def touched(self) -> int:
        """Bytes of memory a forked worker has made its own: its minor page faults since the
        fork, each a page of the zygote copied or a new page (0 for a disk worker)."""
        if self.process is not None or self.pid is None:
            return 0
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                faults = int(stat.read().rsplit(b")", 1)[1].split()[7])
        except (OSError, IndexError, ValueError):
            return 0
        return faults * _PAGE_BYTES

    def alive(self) -> bool:
        """Whether an idle worker still listens: a live one never writes unasked."""
        try:
            return not self.connection.poll(0)
        except OSError:
            return False

    def stop(self) -> None:
        """Kill the process, leaving the connection to the thread that may be reading it."""
        with self._lock:
            try:
                if self.pidfd is not None:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                elif self.process is not None:
                    self.process.kill()
                elif self.pid is not None:
                    os.kill(self.pid, signal.SIGKILL)
                    self.pid = None
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """Kill the process and close the connection; safe to call twice."""
        self.stop()
        with self._lock:
            if self.pidfd is not None:
                os.close(self.pidfd)
            self.pid = self.pidfd = None
            if self.process is not None:
                self.process.wait(5)
        self.connection.close()


def _spawn_disk_worker(spawner: _Spawner, path: Path, memory: int) -> _Worker:
    """Start `python -m nap_graph.query_worker disk ...`, a worker on the on-disk store.

    A plain subprocess rather than multiprocessing's spawn, which would import the parent's
    main module (the whole CLI, or a test runner) in every worker.
    """
    ours, theirs = socket.socketpair()
    with theirs:
        process = spawner.popen(
            _worker_command("disk", theirs.fileno(), memory, path), pass_fds=[theirs.fileno()]
        )
    return _Worker(Connection(ours.detach()), f"on-disk store {path}", process)


class _Zygote:
    """The process that holds the in-memory store and forks workers from it.

    `mode` is the zygote's (nap_graph/query_worker.py): "zygote", this store's own, which
    stops when this connection closes; "shared", a server's, started by its ZygoteHost
    (nap_graph/zygotes.py), which attaches a connection for each store that uses it.
    """

    def __init__(
        self,
        spawner: _Spawner,
        files: list[Path],
        memory: int,
        load_timeout=1800,
        mode: str = "zygote",
    ):
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = spawner.popen(
                _worker_command(mode, theirs.fileno(), memory, *files),
                pass_fds=[theirs.fileno()],
            )
        self.control = ours
        self.lock = threading.Lock()
        try:
            word, _, figures = self._line(load_timeout).partition(" ")
            if word != "ready":
                raise StoreUnavailable("the store could not load the graph into memory")
        except StoreUnavailable:
            self.close()
            raise
        self.figures = json.loads(figures)  # its quads and named graphs

    def _line(self, timeout: float) -> str:
        self.control.settimeout(timeout)
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = self.control.recv(4096)
                if not chunk:
                    raise StoreUnavailable("the in-memory store stopped")
                data += chunk
        except TimeoutError as exc:
            raise StoreUnavailable("the in-memory store does not answer") from exc
        except OSError as exc:
            raise StoreUnavailable(f"the in-memory store stopped: {exc}") from exc
        return data.decode().strip()

    def _send(self, message: bytes, fd: int) -> str:
        """Send a message with a socket, and return the zygote's answer."""
        try:
            socket.send_fds(self.control, [message], [fd])
        except OSError as exc:
            raise StoreUnavailable(f"the in-memory store stopped: {exc}") from exc
        return self._line(30)

    def fork(self) -> _Worker:
        with self.lock:
            ours, theirs = socket.socketpair()
            try:
                with theirs:
                    self._send(b"fork", theirs.fileno())  # the PID, which the worker tells too
            except BaseException:
                ours.close()
                raise
        return _Worker(Connection(ours.detach()), "forked from the in-memory store")

    def attach(self) -> socket.socket:
        """One more connection to this zygote, for another store (a shared zygote's owner)."""
        with self.lock:
            ours, theirs = socket.socketpair()
            try:
                with theirs:
                    if self._send(b"attach", theirs.fileno()) != "ok":
                        raise StoreUnavailable("the in-memory store refused a connection")
            except BaseException:
                ours.close()
                raise
        return ours

    def exit_code(self, pid: int) -> int | None:
        """How a worker it forked ended (a negative signal number, as Popen's returncode)."""
        with self.lock:
            try:
                self.control.sendall(f"status {pid}".encode())
                line = self._line(5)
            except (OSError, StoreUnavailable):
                return None
        return None if line == "-" else int(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_status(self) -> int | None:
        return self.process.poll()

    def close(self) -> None:
        self.control.close()
        self.process.kill()
        self.process.wait(5)


def abstract_address(address: str) -> str:
    # Printed with "@" as ss(8) does; the kernel's abstract names begin with a NUL byte.
    return "\0" + address.removeprefix("@")


def _ask_host(
    address: str, files: list[Path], memory: int, timeout: float
) -> tuple[socket.socket, int, dict]:
    """Ask a server's ZygoteHost (nap_graph/zygotes.py) for a connection to the zygote of
    these files.

    Returns the connection, a pidfd of the zygote (readable once it has ended) and the
    graph's figures (its quads and named graphs). Waits while the zygote loads the graph.
    """
    request = {"files": [str(path) for path in files], "memory": memory}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        try:
            connection.connect(abstract_address(address))
            connection.sendall(json.dumps(request).encode() + b"\n")
            message, fds, _, _ = socket.recv_fds(connection, 1 << 16, 2)
            while chunk := connection.recv(1 << 16):
                message += chunk
        except OSError as exc:
            raise StoreUnavailable(f"the server's shared store does not answer: {exc}") from exc
    try:
        answer = json.loads(message)
    except ValueError:
        answer = {"error": "the server's shared store stopped"}
    if "error" in answer or len(fds) != 2:
        for fd in fds:
            os.close(fd)
        raise StoreUnavailable(answer.get("error", "the server's shared store sent no connection"))
    return socket.socket(fileno=fds[0]), fds[1], answer["figures"]


class _SharedZygote(_Zygote):
    """A connection of this store's own to the zygote its server shares (nap_graph/zygotes.py).

    The server's ZygoteHost, at `host`, starts the zygote of these files if none runs (once,
    however many stores ask) and sends a connection to it, with a pidfd of the zygote; the
    store forks its workers through that connection, as through a zygote of its own. Closing
    it leaves the zygote to the server's other processes: it stops when none uses it.
    """

    def __init__(self, host: str, files: list[Path], memory: int, load_timeout=1800):
        self.process = None
        self.lock = threading.Lock()
        self.control, self._pidfd, self.figures = _ask_host(host, files, memory, load_timeout)

    def alive(self) -> bool:
        try:  # a pidfd reads as ready once its process has ended
            return not select.select([self._pidfd], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def exit_status(self) -> int | None:
        return None  # the server's main process reaps it, and logs how it ended

    def close(self) -> None:
        self.control.close()
        try:
            os.close(self._pidfd)
        except OSError:
            pass


class _Pool:
    """The workers of one kind of query, at most `size` of them, each answering one query."""

    def __init__(self, size: int):
        self.size = size
        self.idle: list[_Worker] = []
        self.started = 0
        self.changed = threading.Condition()


class OxigraphStore:
    """Oxigraph, queried by pools of worker processes under a time limit.

    In memory (the default), one zygote process loads the graph and forks the workers: the
    store's own, or, given the address of a server's ZygoteHost (`host`), the one it shares
    with the server's other processes. On disk, each worker opens the store read-only. The endpoint's queries (`pool="sparql"`)
    have `workers` of them and wait for one at most `QUEUE_WAIT` seconds; the site's own
    queries (pages, /health; the default pool) have `SITE_WORKERS` more, which no SPARQL
    query can hold.
    """

    name = "oxigraph"
    SITE_WORKERS = 2
    QUEUE_WAIT = 2.0  # past it, a query finding every worker busy gets 503 and Retry-After
    # Oxigraph's in-memory store writes as it reads (reference counts), so a forked worker
    # that scans much of the graph gets copies of the zygote's pages: up to the whole graph,
    # kept for as long as it lives. Past this much memory of its own, a worker is replaced by
    # a fresh fork after its answer (a few milliseconds), and the copies are given back.
    RECYCLE_BYTES = 32_000_000

    def __init__(
        self,
        files: list[Path],
        *,
        mode: str = "memory",
        cache: Path | None = None,
        workers: int = 2,
        timeout: float = 10.0,
        limit: int = 10_000,
        max_bytes: int = 50_000_000,
        memory: int = 2_000_000_000,
        base_iri: str | None = None,
        host: str | None = None,
    ):
        self.mode = mode
        self.timeout = timeout
        self.limit = limit
        self.max_bytes = max_bytes
        self.memory = memory
        self.base_iri = base_iri
        self._files = files
        self._host = host  # the server's ZygoteHost (nap_graph/zygotes.py), to share its zygote
        self._pools = {"sparql": _Pool(workers), "site": _Pool(self.SITE_WORKERS)}
        self._closed = False
        self._workers: set[_Worker] = set()  # every live worker, busy or idle, to stop at close
        self._isolation: dict | None = None  # as the workers report it
        self._reloading = False
        self._reloads = 0
        self._replaced = 0  # workers killed past a time limit, or stopped by their query
        self._recycled = 0  # workers that had taken too much memory of their own, replaced
        # Workers stopped by their query, by cause: past the memory a query may have
        # (Oxigraph aborts), a socket the seccomp filter forbids, or a crash of the engine.
        self._ended = {"memory": 0, "network": 0, "crash": 0}
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self._path: Path | None = None
        if mode == "memory":
            for path in files:
                rdf_format(path)  # refuse unknown formats here, not in the zygote
                if not path.exists():
                    raise NotBuilt(f"{path} does not exist")
        elif mode == "disk":
            self._path = prepare_store(files, cache or Path(".nap-graph") / "stores")
        else:
            raise NapGraphError(f"unknown store mode {mode!r}: memory or disk")
        self._spawner = _Spawner()
        if mode == "memory":
            try:
                self._zygote = self._open_zygote()
            except BaseException:
                self._spawner.stop()
                raise
        try:
            self._graphs, self._triples = self._count()
        except BaseException:
            self.close()
            raise

    def _count(self) -> tuple[list[str], int]:
        """The named graphs and the number of quads, as a first worker starts.

        In memory, the zygote counted them as it loaded the graph, once for all the stores
        that share it; on disk, a first query counts them. Either way a worker starts here, so
        that a store that cannot start one fails now, not at its first query.
        """
        if self._zygote is not None:
            self.query(QueryRequest("ASK {}", timeout=600, union=False))
            return self._zygote.figures["graphs"], self._zygote.figures["quads"]
        counts = json.loads(
            self.query(
                QueryRequest(
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g",
                    timeout=600,
                    limit=100_000,
                    union=False,
                )
            ).body
        )["results"]["bindings"]
        graphs = sorted(
            row["g"]["value"] for row in counts if "g" in row and row["g"]["type"] == "uri"
        )
        return graphs, sum(int(row["n"]["value"]) for row in counts)

    # ------------------------------------------------------------------ workers

    def _open_zygote(self) -> _Zygote:
        if self._host is not None:
            return _SharedZygote(self._host, self._files, self.memory)
        return _Zygote(self._spawner, self._files, self.memory)

    def _new_worker(self) -> _Worker:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        if self._path is not None:
            worker = _spawn_disk_worker(self._spawner, self._path, self.memory)
        else:
            zygote = self._zygote
            try:
                worker = zygote.fork()
            except StoreUnavailable:
                if zygote.alive():
                    raise
                self._reload(zygote)
                raise StoreUnavailable(
                    "the in-memory store stopped and is loading the graph again"
                ) from None
        if worker.isolation != self._isolation:
            if not any(worker.isolation.values()):
                log.warning(
                    "the query workers could not be cut off from the network (neither unshare() "
                    "nor a seccomp filter was permitted): SERVICE is refused before a query "
                    "runs, but nothing else stops it"
                )
            elif not worker.isolation["namespace"]:
                log.info(
                    "the query workers have no network namespace (unshare() was not "
                    "permitted); a seccomp filter forbids them every network socket"
                )
        self._isolation = worker.isolation
        with self._lock:
            self._workers.add(worker)
        if self._closed:
            worker.stop()
        return worker

    def _exit_code(self, worker: _Worker) -> int | None:
        """How a worker that stopped answering ended: from its zygote, or its own process."""
        if worker.process is not None:
            try:
                return worker.process.wait(1)
            except subprocess.TimeoutExpired:
                return None
        if self._zygote is None or worker.pid is None:
            return None
        return self._zygote.exit_code(worker.pid)

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.kill()

    def _reload(self, dead: _Zygote) -> None:
        """Start a new zygote, loading the graph again, in place of one that died.

        In the background, once however many queries notice: meanwhile queries and /health
        get 503 at once, rather than waiting for the load.
        """
        with self._lock:
            if self._reloading or self._zygote is not dead or self._closed:
                return
            self._reloading = True
        log.warning(
            "the in-memory store stopped (exit status %s): loading the graph again",
            dead.exit_status(),
        )

        def load():
            try:
                zygote = self._open_zygote()
            except Exception:
                log.exception("the in-memory store could not load the graph again")
                zygote = dead  # the next query tries again
            with self._lock:
                self._zygote, self._reloading = zygote, False
                if zygote is not dead:
                    self._reloads += 1
                    dead.close()
                if self._closed:
                    zygote.close()

        threading.Thread(target=load, name="nap-graph-reload", daemon=True).start()

    def _take(self, pool: _Pool, wait: float) -> _Worker:
        """Take an idle worker of a pool, or start one if it is not full, waiting `wait` s."""
        deadline = time.monotonic() + wait
        with pool.changed:
            while True:
                while pool.idle:
                    worker = pool.idle.pop()
                    if worker.alive():
                        return worker
                    self._kill(worker)  # died while idle: with its zygote, say
                    pool.started -= 1
                if pool.started < pool.size:
                    pool.started += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not pool.changed.wait(remaining):
                    raise StoreBusy(
                        f"all {pool.size} query workers are busy; none was free within "
                        f"{wait:g} s: try again shortly"
                    )
        try:
            return self._new_worker()
        except BaseException:
            self._release(pool, None)
            raise

    def _release(self, pool: _Pool, worker: _Worker | None) -> None:
        """Give a worker back to its pool, or, with None, the place of one that is gone."""
        if worker is not None and not self._closed and worker.touched() > self.RECYCLE_BYTES:
            self._replace(pool, worker, recycled=True)
            return
        self._give_back(pool, worker)

    def _give_back(self, pool: _Pool, worker: _Worker | None) -> None:
        with pool.changed:
            if worker is None:
                pool.started -= 1
            elif self._closed:
                self._kill(worker)
            else:
                pool.idle.append(worker)
            pool.changed.notify()

    def _replace(self, pool: _Pool, worker: _Worker, recycled: bool = False) -> None:
        """Kill a worker and start another in the background."""
        if recycled:
            self._recycled += 1
        else:
            self._replaced += 1
        self._kill(worker)
        if self._closed:
            self._release(pool, None)
            return

        def start():
            try:
                replacement = self._new_worker()
            except Exception as exc:
                log.warning("could not start a replacement query worker: %s", exc)
                replacement = None
            self._give_back(pool, replacement)

        threading.Thread(target=start, daemon=True).start()

    # ------------------------------------------------------------------ queries

    def query(self, request: QueryRequest) -> Answer:
        """Answer a query in a worker; raise QueryRejected, QueryTimeout or StoreUnavailable."""
        timeout = self.timeout if request.timeout is None else request.timeout
        pool = request.pool
        workers = self._pools[pool]
        worker = self._take(workers, min(timeout, self.QUEUE_WAIT) if pool == "sparql" else timeout)
        # What the worker reads (nap_graph/query_worker.py): the request's plain values, with
        # the store's defaults filled in; the pool and the scan are the store's business.
        # (A dict made here: dataclasses.asdict's deep copy cost a lookup a fifth of its time.)
        sent = {name: getattr(request, name) for name in SENT_FIELDS}
        sent.update(
            timeout=timeout,
            limit=self.limit if request.limit is None else request.limit,
            base_iri=request.base_iri or self.base_iri,
            max_bytes=self.max_bytes,
        )
        try:
            worker.connection.send(sent)
            if not worker.answered(timeout):
                self._replace(workers, worker)
                raise QueryTimeout(
                    f"the query ran past the time limit of {timeout:g} s and was stopped"
                )
            reply = worker.connection.recv()
        except (EOFError, OSError) as exc:
            code = self._exit_code(worker)
            self._replace(workers, worker)
            if self._closed or (self._zygote is not None and not self._zygote.alive()):
                raise StoreUnavailable(f"a query worker failed: {exc}") from exc
            # The store is well: the query itself stopped its worker.
            cause = _CAUSES.get(code, "crash")
            self._ended[cause] += 1
            raise QueryRejected(
                {
                    "network": "the query tried to open a network connection, which no query "
                    "may: the worker answering it was stopped",
                    "memory": "the query needs more than the "
                    f"{self.memory / 1e6:g} MB of memory a query may have",
                }.get(cause, f"the query crashed the worker answering it (exit status {code})")
            ) from exc
        self._release(workers, worker)
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
            "workers": sum(p.started for p in self._pools.values()),
            "sparql_workers_busy": self._pools["sparql"].started - len(self._pools["sparql"].idle),
            "network_isolated": any((self._isolation or {}).values()),
            "network_namespace": bool((self._isolation or {}).get("namespace")),
            "network_filter": bool((self._isolation or {}).get("filter")),
            "reloading": self._reloading,
            "reloads": self._reloads,
            "workers_replaced": self._replaced,
            "workers_recycled": self._recycled,
            "workers_crashed": self._ended["crash"],
            "workers_out_of_memory": self._ended["memory"],
            "workers_stopped_for_network": self._ended["network"],
        }

    def close(self) -> None:
        """Stop every worker, busy ones too, and the zygote; safe to call twice.

        A busy worker's thread sees it stop, and its client gets 503.
        """
        self._closed = True
        for pool in self._pools.values():
            with pool.changed:
                idle, pool.idle = pool.idle, []
            for worker in idle:
                self._kill(worker)
        with self._lock:
            busy, zygote = list(self._workers), self._zygote
        for worker in busy:
            worker.stop()
        if zygote is not None and zygote.alive():
            zygote.close()
        self._spawner.stop()
