"""`nap-graph serve`: the server's command, added to the nap-graph group through an entry point
(nap_graph knows nothing of Flask)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from nap_graph.build import PROJECT_ROOT, Settings, build
from nap_graph.errors import DataInvalid, NapGraphError, SourceErrors
from nap_graph.progress import Progress, RichProgress
from nap_graph.store import BUILT_FILE


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--out",
    "build_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built graph to serve [default: build/; env NAP_GRAPH_BUILD_DIR].",
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
    help="Server processes (gunicorn); each holds its own copy of the store.",
)
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Threads per server process."
)
@click.option("--dev", is_flag=True, help="Run Werkzeug's development server instead of gunicorn.")
@click.option(
    "--no-build", is_flag=True, help="Fail rather than build when there is no built graph."
)
def serve_command(
    host, port, build_dir, data_files, store_endpoint, workers, threads, dev, no_build
):
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs and downloads.

    Without a built graph, builds it first. Settings come from server/settings.py and the
    NAP_GRAPH_* environment variables (see docs/server.md).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our own log has one line per request
    config = {}
    if store_endpoint:
        config["STORE_ENDPOINT"] = store_endpoint
    if data_files:
        config["DATA_FILES"] = [str(p.resolve()) for p in data_files]
    else:
        build_dir = (
            build_dir or Path(os.environ.get("NAP_GRAPH_BUILD_DIR") or PROJECT_ROOT / "build")
        ).resolve()
        config["BUILD_DIR"] = str(build_dir)
        if not (build_dir / BUILT_FILE).is_file():
            if no_build:
                raise click.ClickException(f"no built graph in {build_dir}: run `nap-graph build`")
            _build_first(build_dir)
    from server import create_app

    try:
        if dev:
            app = create_app(config)
            click.echo(
                f"Serving on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops.", err=True
            )
            app.run(host=host, port=port, threaded=True)
        else:
            _gunicorn(config, host, port, workers, threads)
    except NapGraphError as exc:
        raise click.ClickException(str(exc)) from exc


def _build_first(build_dir: Path) -> None:
    click.echo(f"No built graph in {build_dir}: building it first.", err=True)
    progress = RichProgress() if sys.stderr.isatty() else Progress()
    try:
        with progress:
            build(Settings.from_env(out_dir=build_dir), progress)
    except (SourceErrors, DataInvalid) as exc:
        raise click.ClickException(f"the build failed; nothing to serve:\n{exc}") from exc


def _close_store(server, worker) -> None:
    """gunicorn's worker_exit hook: stop the worker's query processes, busy ones too.

    They would die with the worker anyway (PR_SET_PDEATHSIG); closing first also answers the
    requests still waiting on them.
    """
    app = getattr(worker, "wsgi", None)
    store = app.extensions.get("nap_graph") if hasattr(app, "extensions") else None
    if store is not None:
        store.close()


def _gunicorn(config: dict, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process, each of its workers making the app with this config."""
    from gunicorn.app.base import BaseApplication

    from server import create_app

    class Application(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 60,
                "graceful_timeout": 5,
                "control_socket_disable": True,
                "accesslog": None,
                "worker_exit": _close_store,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(config)

    click.echo(
        f"Serving on http://{host}:{port}/ (SPARQL at /sparql) with gunicorn, {workers} "
        f"process(es) of {threads} threads; Ctrl-C stops.",
        err=True,
    )
    Application().run()
