"""Query workers: processes that answer queries, so that a query past its time limit can be killed.

Oxigraph cannot cancel a running query. Each query runs in a worker process, which the store
kills at the time limit while the other workers go on serving. Two ways to make workers:

- memory (the default): a "zygote" process loads the graph into an in-memory Oxigraph store
  once and forks a worker whenever asked; forked workers share the zygote's memory, so a
  killed worker is replaced at once, with no reload.
- disk: each worker opens an on-disk Oxigraph store read-only; it starts in milliseconds and
  keeps memory low, but aggregations run several times slower (docs/benchmarks.md).

This module imports only what a worker needs, so that workers start quickly.
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

from nap_graph.results import write_ask, write_select

GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def answer(store: ox.Store, request: dict) -> tuple:
    """Run one query request and return ("ok", kind, body, truncated, count) or an error."""
    options = {}
    defaults, named = request.get("default_graphs"), request.get("named_graphs")
    if defaults or named:
        # SPARQL 1.1 Protocol 2.1.4: the dataset is the graphs named; with named graphs only,
        # the default graph is empty.
        options["default_graph"] = [ox.NamedNode(g) for g in defaults or []]
        if named:
            options["named_graphs"] = [ox.NamedNode(g) for g in named]
    else:
        options["use_default_graph_as_union"] = request.get("union", True)
    try:
        result = store.query(request["query"], base_iri=request.get("base_iri"), **options)
        limit = request["limit"]
        if isinstance(result, ox.QueryBoolean):
            return ("ok", "boolean", write_ask(bool(result), request["results_format"]), False, 1)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            truncated = False
            for solution in result:
                if len(rows) == limit:
                    truncated = True
                    break
                rows.append(tuple(solution[v] for v in variables))
            body = write_select(variables, rows, request["results_format"])
            return ("ok", "bindings", body, truncated, len(rows))
        triples = []
        truncated = False
        for triple in result:
            if len(triples) == limit:
                truncated = True
                break
            triples.append(triple)
        body = ox.serialize(triples, format=GRAPH_FORMATS[request["graph_format"]])
        return ("ok", "graph", body, truncated, len(triples))
    except SyntaxError as exc:
        return ("error", "syntax", str(exc))
    except OSError as exc:  # Oxigraph's evaluation errors
        return ("error", "evaluation", str(exc))


def serve(store: ox.Store, connection: Connection) -> None:
    """Answer requests from a connection until it closes or sends None."""
    connection.send(("ready",))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        connection.send(answer(store, request))


def load_in_memory(files: list[str]) -> ox.Store:
    """Load RDF files into an in-memory store; the format comes from each file's extension."""
    store = ox.Store()
    for name in files:
        gzipped = name.endswith(".gz")
        fmt = ox.RdfFormat.from_extension(
            name[:-3].rsplit(".", 1)[-1] if gzipped else name.rsplit(".", 1)[-1]
        )
        with gzip.open(name, "rb") if gzipped else open(name, "rb") as handle:
            store.load(handle, format=fmt)
    return store


def zygote(control: socket.socket, files: list[str]) -> None:
    """Load the graph, then fork a worker for each socket received on the control socket."""
    store = load_in_memory(files)
    # Workers are reaped by the kernel: nobody waits for them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    control.sendall(b"ready\n")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            return
        if not message:
            return  # the server closed the control socket: stop
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                serve(store, Connection(fds[0]))
            finally:
                os._exit(0)
        os.close(fds[0])
        control.sendall(f"{pid}\n".encode())


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "disk":
        serve(ox.Store.read_only(sys.argv[2]), Connection(int(sys.argv[3])))
    elif mode == "zygote":
        zygote(socket.socket(fileno=int(sys.argv[2])), sys.argv[3:])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
