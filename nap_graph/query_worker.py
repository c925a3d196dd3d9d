"""Query workers: processes that answer queries, so that a query past its time limit can be killed.

Oxigraph cannot cancel a running query. Each query runs in a worker process, which the store
kills at the time limit while the other workers go on serving. Two ways to make workers:

- memory (the default): a "zygote" process loads the graph into an in-memory Oxigraph store
  once and forks a worker whenever asked; forked workers share the zygote's memory, so a
  killed worker is replaced at once, with no reload.
- disk: each worker opens an on-disk Oxigraph store read-only; it starts in milliseconds and
  keeps memory low, but aggregations run several times slower (docs/benchmarks.md).

Every such process is confined, first thing, before Oxigraph loads:

- no network: Oxigraph runs SERVICE over HTTP and has no switch to turn that off, so the
  processes leave the host's network (a new network namespace, whose only interface, the
  loopback, is down), and a seccomp filter lets them open no socket but Unix ones: a process
  that tries is killed (nap_graph/syscall_filter.py). The filter holds where namespaces are
  refused (Docker's default profile refuses unshare()). The server refuses SERVICE before a
  query runs (nap_graph/query_check.py); these hold even if that check is wrong.
- no orphans: the kernel kills a zygote or worker whose parent dies (PR_SET_PDEATHSIG), and
  a worker stops itself shortly after a query's time limit, should the server not kill it.
- bounded memory: a worker may allocate QUERY_MEMORY_BYTES beyond what it holds at its start
  (RLIMIT_DATA).

This module imports only what a worker needs, so that workers start quickly.
"""

from __future__ import annotations

import ctypes
import gc
import gzip
import json
import os
import resource
import selectors
import signal
import socket
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
GRACE = 2.0  # seconds past a query's time limit after which its worker stops itself

_libc = ctypes.CDLL(None, use_errno=True)


def isolate_network() -> bool:
    """Move this process into a new network namespace, without a network; say if it worked.

    Without CAP_SYS_ADMIN, a new user namespace grants it (where the kernel allows them).
    unshare(CLONE_NEWUSER) needs a single-threaded process: call this before anything starts
    a thread.
    """
    unshare = getattr(_libc, "unshare", None)  # Linux only
    return unshare is not None and any(
        unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET)
    )


def die_with_parent(parent: int) -> None:
    """Be killed when the parent process dies, or stop now if it has died already."""
    if hasattr(_libc, "prctl"):  # Linux only
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


# How this process is cut off from the network: set below when run as a worker.
ISOLATION = {"namespace": False, "filter": False}
if __name__ == "__main__":
    from nap_graph.syscall_filter import forbid_network

    # argv: MODE PARENT_PID FD MEMORY_BYTES PATH...
    ISOLATION["namespace"] = isolate_network()  # first: unshare() is what the filter may not
    ISOLATION["filter"] = forbid_network()
    die_with_parent(int(sys.argv[2]))

# Only now: Oxigraph must not load, nor start a thread, before the process is confined.
from multiprocessing.connection import Connection  # noqa: E402

import pyoxigraph as ox  # noqa: E402

from nap_graph import formats  # noqa: E402
from nap_graph.results import write_result  # noqa: E402


def answer(store: ox.Store, request: dict) -> tuple:
    """Run one query request and return ("ok", kind, body, truncated, count) or an error.

    A request is a dict: the fields of a nap_graph.store.QueryRequest, with the store's
    defaults filled in and its `max_bytes` (nap_graph/embedded.py). The answer's kind comes
    from what Oxigraph returns, never from the text of the query.
    """
    try:
        options = {}
        defaults, named = request.get("default_graphs"), request.get("named_graphs")
        if defaults or named:
            # SPARQL 1.1 Protocol 2.1.4: the dataset is the graphs named, and only them: with
            # named graphs only, the default graph is empty; with default graphs only, there
            # are no named graphs.
            options["default_graph"] = [ox.NamedNode(g) for g in defaults or []]
            options["named_graphs"] = [ox.NamedNode(g) for g in named or []]
        else:
            options["use_default_graph_as_union"] = request.get("union", True)

        def run():
            return store.query(request["query"], base_iri=request.get("base_iri"), **options)

        return write_result(
            run(),
            results_format=request["results_format"],
            graph_format=request["graph_format"],
            limit=request["limit"],
            max_bytes=request["max_bytes"],
            again=run,  # for an answer Oxigraph's writers could not finish
        )
    except SyntaxError as exc:
        return ("error", "syntax", str(exc))
    except MemoryError:
        return ("error", "memory", "the query needs more memory than a query may have")
    except BaseException as exc:  # also pyo3's PanicException, which is no Exception
        # Oxigraph reports evaluation errors as OSError, RuntimeError, ValueError...: each is
        # the query's failure, and the worker goes on serving.
        return ("error", "evaluation", str(exc) or type(exc).__name__)


def _limit_memory(allowance: int) -> None:
    """Let this process allocate `allowance` bytes beyond what it holds now (RLIMIT_DATA).

    A forked worker holds the zygote's graph already, hence a bound relative to now. Past
    it Python raises MemoryError and Oxigraph aborts the worker: the store reports either.
    """
    if allowance <= 0:
        return
    with open("/proc/self/status") as status:
        held = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    resource.setrlimit(resource.RLIMIT_DATA, (held + allowance, held + allowance))


# Oxigraph parses and evaluates recursively: on the main thread's 8 MB a query of 10,000
# UNIONs, or 860 nested EXISTS, overflows the stack and kills the worker. Queries run on a
# thread with 64 times the stack, beyond what any query of MAX_QUERY_BYTES can nest (the
# server also refuses deep nesting: nap_graph/query_check.py). Untouched, it costs no memory.
QUERY_STACK_BYTES = 512 << 20


def serve(store: ox.Store, connection: Connection, memory: int) -> None:
    """Answer requests from a connection until it closes or sends None."""
    # The kernel kills the worker at this alarm (SIGALRM's default action), even while
    # Oxigraph holds the interpreter: a worker never runs long past a query's limit.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    threading.stack_size(QUERY_STACK_BYTES)
    thread = threading.Thread(target=_answer_requests, args=(store, connection, memory))
    thread.start()
    thread.join()


def _answer_requests(store: ox.Store, connection: Connection, memory: int) -> None:
    _limit_memory(memory)  # here, so that the stack's reservation is what the worker holds
    connection.send(("ready", os.getpid(), ISOLATION))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        signal.setitimer(signal.ITIMER_REAL, request["timeout"] + GRACE)
        connection.send(answer(store, request))
        signal.setitimer(signal.ITIMER_REAL, 0)


def load_in_memory(files: list[str]) -> ox.Store:
    """Load RDF files into an in-memory store; the format comes from each file's extension."""
    store = ox.Store()
    for name in files:
        fmt, gzipped = formats.from_path(name)
        with gzip.open(name, "rb") if gzipped else open(name, "rb") as handle:
            store.load(handle, format=fmt.ox)
    return store


def graph_figures(store: ox.Store) -> dict:
    """What the store reports of its graph: its quads, and its named graphs that hold any."""
    graphs = [
        graph.value
        for graph in store.named_graphs()
        if isinstance(graph, ox.NamedNode)
        and next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None
    ]
    return {"quads": len(store), "graphs": sorted(graphs)}


def zygote(owner: socket.socket, memory: int, files: list[str], shared: bool = False) -> None:
    """Load the graph, then fork a worker for each socket received on a connection.

    The first line on `owner` is `ready` and the graph's figures (graph_figures, as JSON).
    Then, on any connection, messages that each wait for their answer: `fork` with a socket
    (answered with the worker's PID); `status PID` (answered with how that worker ended, as
    os.waitstatus_to_exitcode gives it, or `-` if it has not), so that the store can tell a
    query that ran out of memory from one that tried the network or crashed the engine; and
    `attach` with a socket, one more connection (answered `ok`).

    A private zygote (one store's) stops when its one connection closes. A shared one (one
    server's, nap_graph/zygotes.py), whose owner attaches a connection for each store, stops
    when the last of those closes, or the owner's. When a connection closes, the workers
    forked through it are killed: they never outlive the process that asked for them.
    """
    store = load_in_memory(files)
    figures = graph_figures(store)
    # The workers share this process's pages until they write to them; the collector walking
    # the objects loaded so far would write to every one (gc.freeze leaves them out).
    gc.collect()
    gc.freeze()
    owner.sendall(f"ready {json.dumps(figures)}\n".encode())
    _Forker(store, memory, owner, shared).run()


class _Forker:
    """The zygote's loop: one thread (it forks), its connections watched by a selector."""

    def __init__(self, store: ox.Store, memory: int, owner: socket.socket, shared: bool):
        self.store, self.memory, self.owner, self.shared = store, memory, owner, shared
        self.selector = selectors.DefaultSelector()
        self.forked: dict[socket.socket, set[int]] = {}  # each connection's live workers
        self.ended: dict[int, int] = {}  # workers reaped, with their exit codes, until asked
        self.asked: list[tuple[socket.socket, int, float]] = []  # `status` not known yet
        self._add(owner)

    def _add(self, connection: socket.socket) -> None:
        self.forked[connection] = set()
        self.selector.register(connection, selectors.EVENT_READ)

    def run(self) -> None:
        while True:
            self._reap()
            self._answer_status()
            # Workers are reaped here only, never in a signal handler: a PID in `forked` is
            # one not reaped yet, which the kernel cannot have given to another process.
            for key, _ in self.selector.select(0.01 if self.asked else 1.0):
                if not self._read(key.fileobj):
                    return

    def _read(self, connection: socket.socket) -> bool:
        """Answer one message; return False when the zygote is to stop."""
        try:
            message, fds, _, _ = socket.recv_fds(connection, 32, 1)
        except OSError:
            message, fds = b"", []
        if not message:
            self._drop(connection)
            users = len(self.forked) - (self.owner in self.forked)
            return connection is not self.owner and (not self.shared or users > 0)
        if message == b"attach" and fds:
            self._add(socket.socket(fileno=fds[0]))
            connection.sendall(b"ok\n")
        elif message.startswith(b"status "):
            self.asked.append((connection, int(message.split()[1]), time.monotonic() + 1.0))
        elif message == b"fork" and fds:
            pid = self._fork(fds[0])
            self.forked[connection].add(pid)
            connection.sendall(f"{pid}\n".encode())
        else:
            for fd in fds:
                os.close(fd)
            connection.sendall(b"?\n")
        return True

    def _fork(self, fd: int) -> int:
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with_parent(me)  # the parent-death signal is not inherited across fork
            self.selector.close()
            for connection in self.forked:
                connection.close()
            try:
                serve(self.store, Connection(fd), self.memory)
            finally:
                os._exit(0)
        os.close(fd)
        return pid

    def _drop(self, connection: socket.socket) -> None:
        """Forget a connection that closed, and kill the workers forked through it."""
        for pid in self.forked.pop(connection, ()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.selector.unregister(connection)
        connection.close()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for pids in self.forked.values():
                pids.discard(pid)
            self.ended[pid] = os.waitstatus_to_exitcode(status)
            if len(self.ended) > 1000:  # nobody asked about the oldest
                del self.ended[next(iter(self.ended))]

    def _answer_status(self) -> None:
        """Answer `status` once the worker is reaped, or `-` after a second: the store asks as
        soon as its socket closes, a moment before the worker has ended."""
        now = time.monotonic()
        for entry in list(self.asked):
            connection, pid, deadline = entry
            if pid in self.ended or now >= deadline:
                self.asked.remove(entry)
                try:
                    connection.sendall(f"{self.ended.pop(pid, '-')}\n".encode())
                except OSError:
                    pass  # it closed: the selector sees it


if __name__ == "__main__":
    # A worker ignores Ctrl-C in the terminal: its server stops, and the worker with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    mode, fd, memory, paths = sys.argv[1], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
    if mode == "disk":
        serve(ox.Store.read_only(paths[0]), Connection(fd), memory)
    elif mode in ("zygote", "shared"):
        zygote(socket.socket(fileno=fd), memory, paths, shared=mode == "shared")
    else:
        raise SystemExit(f"unknown mode {mode!r}")
