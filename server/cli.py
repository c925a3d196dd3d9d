"""`nap-graph serve`: the server's command, added to the nap-graph group through an entry point
(nap_graph knows nothing of Flask)."""

from __future__ import annotations

import gc
import logging
import os
import resource
import sys
from multiprocessing.util import Finalize
from pathlib import Path

import click

from nap_graph.build import Settings, build, recover_build
from nap_graph.errors import DataInvalid, NapGraphError, SourceErrors
from nap_graph.progress import Progress, RichProgress
from nap_graph.query_worker import die_with_parent
from nap_graph.settings import option_help, row_of, value_of
from nap_graph.store import BUILT_FILE
from server import create_app
from server.settings import SETTINGS

# A client has this long to send a request's line and headers, and so many bytes for them:
# past either, granian closes the connection (431 for too many bytes).
HEADER_READ_TIMEOUT_MS = 10_000
MAX_HEADER_BYTES = 16_384
MAX_CONNECTIONS = 1024  # open at once, per process


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--out",
    "build_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=option_help(row_of("BUILD_DIR"), "The built graph to serve."),
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve this RDF file (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML) instead; repeatable.",
)
@click.option(
    "--store",
    "store_endpoint",
    metavar="URL",
    help="Answer from this SPARQL endpoint, filled by `nap-graph load` from the same build, "
    "instead of the embedded store [env NAP_GRAPH_STORE_ENDPOINT].",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Server processes (granian); they share one copy of the graph in memory.",
)
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Threads per server process."
)
@click.option("--dev", is_flag=True, help="Run Werkzeug's development server instead of granian.")
@click.option(
    "--no-build", is_flag=True, help="Fail rather than build when there is no built graph."
)
def serve_command(
    host, port, build_dir, data_files, store_endpoint, workers, threads, dev, no_build
):
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs and downloads.

    Without a built graph, builds it first. Settings come from the table of server/settings.py
    and their environment variables: `nap-graph settings` lists them (see docs/server.md).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our own log has one line per request
    config = {"LISTEN_HOST": host}
    if store_endpoint:
        config["STORE_ENDPOINT"] = store_endpoint
    if data_files:
        config["DATA_FILES"] = [str(p.resolve()) for p in data_files]
    else:
        # BUILD_DIR, as `nap-graph build` reads it: the same variable, the same default.
        build_dir = (build_dir or value_of("BUILD_DIR")).resolve()
        config["BUILD_DIR"] = str(build_dir)
        recover_build(build_dir)  # a build that crashed in its swap left only the previous one
        if not (build_dir / BUILT_FILE).is_file():
            if no_build:
                raise click.ClickException(f"no built graph in {build_dir}: run `nap-graph build`")
            _build_first(build_dir)
    try:
        if dev:
            app = create_app(config)
            click.echo(
                f"Serving on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops.", err=True
            )
            app.run(host=host, port=port, threaded=True)
        else:
            _granian(config, host, port, workers, threads)
    except NapGraphError as exc:
        raise click.ClickException(str(exc)) from exc


# `nap-graph settings` lists the server's settings with the library's.
serve_command.settings = SETTINGS


def _build_first(build_dir: Path) -> None:
    click.echo(f"No built graph in {build_dir}: building it first.", err=True)
    progress = RichProgress() if sys.stderr.isatty() else Progress()
    try:
        with progress:
            build(Settings.from_env(out_dir=build_dir), progress)
    except (SourceErrors, DataInvalid) as exc:
        raise click.ClickException(f"the build failed; nothing to serve:\n{exc}") from exc


def _close_store(app) -> None:
    """Stop a worker's query processes, busy ones too, as the worker exits.

    They would die with the worker anyway (PR_SET_PDEATHSIG); closing first also answers the
    requests still waiting on them.
    """
    store = app.extensions.get("nap_graph")
    if store is not None:
        store.close()


def _worker_app(config: dict, server_pid: int):
    """Make the app in a granian worker process, tied to the server process."""
    # granian's workers outlive a killed server process; this one goes with it (its query
    # processes follow, by their own parent-death signal).
    die_with_parent(server_pid)
    app = create_app(config)
    # Run when the worker ends its graceful stop; multiprocessing skips atexit in children.
    Finalize(app, _close_store, args=(app,), exitpriority=10)
    return app


# The logs, the server's and granian's own, as the rest of the command writes them: to stderr,
# in every worker process too (granian configures logging again in each).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "_granian": {"handlers": [], "propagate": True},
        "granian.access": {"handlers": [], "propagate": True},
        "werkzeug": {"level": "WARNING"},
    },
}


def _granian(config: dict, host: str, port: int, workers: int, threads: int) -> None:
    """Run granian in this process: `workers` processes, each running the app in `threads`.

    granian reads requests in Rust's async runtime and hands the app's threads only those whose
    headers are complete: a client slow to send them holds a connection, not a thread
    (docs/server.md says how the front was chosen).
    """
    from functools import partial

    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    # Each connection is a file descriptor: MAX_CONNECTIONS per process is more than a soft
    # limit of 1024 leaves room for.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # an unlimited hard limit is no soft limit to take
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 65536), hard))
    server = Server(
        "server:create_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backpressure=MAX_CONNECTIONS,  # beyond, new connections wait in the listen queue
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_TIMEOUT_MS, max_buffer_size=MAX_HEADER_BYTES
        ),
        log_access=False,  # the app logs one line per request
        log_dictconfig=LOGGING,
        respawn_failed_workers=True,
        workers_kill_timeout=5,  # a graceful stop waits this long for answers under way
    )
    if hasattr(os, "pidfd_open"):  # Linux: elsewhere each worker loads the graph itself
        from nap_graph.zygotes import ZygoteHost

        # Here, in the main process, which outlives every worker: one zygote per build for
        # all of them, which dies with the server (docs/server.md, "Several worker
        # processes, one graph").
        config = {**config, "ZYGOTE_HOST": ZygoteHost().address}
    # The workers are forked from this process: the objects it holds so far, out of the
    # collector's sight, are not written to in each of them by its collections (about 100 MB
    # less with 4 workers, docs/server.md).
    gc.collect()
    gc.freeze()
    click.echo(
        f"Serving on http://{host}:{port}/ (SPARQL at /sparql) with granian, {workers} "
        f"process(es) of {threads} threads; Ctrl-C stops.",
        err=True,
    )
    server.serve(target_loader=partial(_worker_app, config, os.getpid()), wrap_loader=False)
