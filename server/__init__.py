"""The NAP Graph server: a SPARQL 1.1 endpoint, dereferenceable IRIs and downloads (Flask).

    create_app()                          # settings from server/settings.py and their variables
    create_app({"BUILD_DIR": "build"})    # and explicit overrides (tests)

Production: `nap-graph serve --workers 4`, which runs it under granian (see docs/server.md).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from nap_graph.answer_cache import cached
from nap_graph.embedded import OxigraphStore
from nap_graph.errors import NapGraphError, NotBuilt
from nap_graph.settings import PROJECT_ROOT, from_environment
from nap_graph.store import BUILT_FILE, Store
from server import fast_sparql
from server.errors import APIError
from server.every_answer import log_request, served_headers
from server.hosts import allowed_hosts, host_allowed, prefix_is_a_path
from server.serving import Serving
from server.settings import DEFAULTS, SETTINGS

log = logging.getLogger("nap_graph.server")


def create_app(config: dict | None = None) -> Flask:
    """Make the app: settings, store, blueprints, error handlers, CORS and request log."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    # The table's variables only: others, such as NAP_GRAPH_STORE_PASSWORD, stay out of the config.
    app.config.update(from_environment(SETTINGS))
    if config:
        app.config.update(config)
    _resolve_paths(app)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_BYTES"])
    app.config["MAX_FORM_MEMORY_SIZE"] = int(app.config["MAX_REQUEST_BYTES"])
    # The store the views see, and the build it serves, switched when a new build lands
    # (server/serving.py); the VoID description is parsed once per build.
    app.extensions["nap_graph"] = Serving(
        Path(app.config["BUILD_DIR"]),
        Path(app.config["CACHE_DIR"]),
        lambda build_dir: _open_store(app, build_dir),
        data_files=bool(app.config["DATA_FILES"]),
        interval=float(app.config["RELOAD_INTERVAL"]),
    )

    # The endpoint's common queries skip Flask (server/fast_sparql.py), behind ProxyFix.
    app.wsgi_app = fast_sparql.SparqlFastPath(app, app.wsgi_app)
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    # The other views are imported here, as in flaskr: `serve --help` imports this package and
    # needs none of them (the endpoint comes with the fast path).
    from server import (
        downloads,
        endpoint,
        errors,
        guide,
        jsonld_context,
        releases,
        render,
        resources,
        result_chart,
        search,
        site,
        vendor,
        words,
    )

    for blueprint in (endpoint.bp, resources.bp, downloads.bp, releases.bp, site.bp, vendor.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(search.bp)  # /search
    app.register_blueprint(jsonld_context.bp)  # /def/context.jsonld
    app.register_blueprint(guide.bp)  # /guide
    app.register_blueprint(result_chart.bp)  # /sparql/chart
    # Links in pages go to this server for IRIs under its base, wherever it runs.
    app.jinja_env.globals["local_url"] = render.local_url
    app.jinja_env.globals["external_url"] = render.external_url
    app.jinja_env.filters["possessive"] = words.possessive
    app.jinja_env.filters["in_sentence"] = words.in_sentence
    app.jinja_env.globals["disputed_value"] = words.disputed_value
    errors.register_error_handlers(app)
    _add_cors_and_log(app)
    return app


def _resolve_paths(app: Flask) -> None:
    build = Path(app.config["BUILD_DIR"])
    app.config["BUILD_DIR"] = str(build if build.is_absolute() else PROJECT_ROOT / build)
    modules = Path(app.config["NODE_MODULES"])
    app.config["NODE_MODULES"] = str(modules if modules.is_absolute() else PROJECT_ROOT / modules)
    store_dir = app.config["STORE_DIR"] or str(PROJECT_ROOT / ".nap-graph")
    app.config["CACHE_DIR"] = store_dir
    files = app.config["DATA_FILES"]
    if isinstance(files, str):
        files = [f for f in files.split(os.pathsep) if f]
    app.config["DATA_FILES"] = [str(Path(f).resolve()) for f in files]


def _open_store(app: Flask, build_dir: Path) -> Store:
    if app.config["STORE_ENDPOINT"]:
        return _open_remote_store(app, build_dir)
    if app.config["DATA_FILES"]:
        sources = [Path(f) for f in app.config["DATA_FILES"]]
    else:
        built = build_dir / BUILT_FILE
        if not built.is_file():
            raise NotBuilt(
                f"no built graph in {app.config['BUILD_DIR']}: run `nap-graph build`, "
                "or `nap-graph serve`, which builds first"
            )
        sources = [built]
    return cached(
        OxigraphStore(
            sources,
            mode=app.config["STORE_MODE"],
            cache=Path(app.config["CACHE_DIR"]) / "stores",
            workers=int(app.config["QUERY_WORKERS"]),
            timeout=float(app.config["QUERY_TIMEOUT"]),
            limit=int(app.config["RESULT_LIMIT"]),
            max_bytes=int(app.config["MAX_RESULT_BYTES"]),
            memory=int(app.config["QUERY_MEMORY_BYTES"]),
            host=app.config.get("ZYGOTE_HOST"),  # `nap-graph serve`'s: one zygote for its workers
        ),
        int(app.config["ANSWER_CACHE_BYTES"]),
    )


def _open_remote_store(app: Flask, build_dir: Path) -> Store:
    """Answer from a remote store that `nap-graph load` filled from the build in BUILD_DIR.

    The build's VoID names the graphs to read. A store that is down or holds another build
    does not stop the server: it starts, says so in its log, and /health answers 503 until
    the store answers as it should.
    """
    from nap_graph.remote import Credentials, RemoteStore, graphs_of_void

    endpoint = app.config["STORE_ENDPOINT"]
    if app.config["DATA_FILES"]:
        raise NapGraphError("serve data files from the embedded store, or a remote store: not both")
    void = build_dir / "void.ttl"
    if not void.is_file():
        raise NotBuilt(
            f"no built graph in {app.config['BUILD_DIR']}: the server reads there which graphs "
            f"the store at {endpoint} holds, and offers the downloads"
        )
    graphs = graphs_of_void(list(ox.parse(path=str(void), format=ox.RdfFormat.TURTLE)))
    store = RemoteStore(
        endpoint,
        graphs,
        timeout=float(app.config["QUERY_TIMEOUT"]),
        limit=int(app.config["RESULT_LIMIT"]),
        max_bytes=int(app.config["MAX_RESULT_BYTES"]),
        workers=int(app.config["QUERY_WORKERS"]),
        credentials=Credentials.from_environment(),
        checker=OxigraphStore(
            [],  # empty: strangers' queries are checked here before the store sees them
            workers=int(app.config["QUERY_WORKERS"]),
            timeout=float(app.config["QUERY_TIMEOUT"]),
            limit=1,
            memory=int(app.config["QUERY_MEMORY_BYTES"]),
            host=app.config.get("ZYGOTE_HOST"),
        ),
    )
    problem = store.check()
    if problem:
        log.error("The store at %s is not ready: %s", endpoint, problem)
    else:
        log.info("Answering from the store at %s (%d graphs)", endpoint, len(graphs))
    return cached(store, int(app.config["ANSWER_CACHE_BYTES"]))


# Pages load scripts, styles and data from this server alone; a link in query results can
# never run script. YASGUI sets inline styles, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _add_cors_and_log(app: Flask) -> None:
    allowed = allowed_hosts(app.config)
    serving: Serving = app.extensions["nap_graph"]

    @app.before_request
    def start_clock():
        g.started = request.environ.get(fast_sparql.STARTED) or time.perf_counter()
        serving.begin_request()  # every part of this answer comes from one build
        # First of all: the host and the prefix are written into links and descriptions.
        if not host_allowed(request.host, allowed):
            raise APIError(
                f"this server does not answer for the host {request.host[:100]!r}: "
                "it is not in ALLOWED_HOSTS",
                400,
                "HOST_NOT_ALLOWED",
            )
        if not prefix_is_a_path(request.script_root):
            raise APIError(
                "X-Forwarded-Prefix must be a path such as /nap", 400, "BAD_FORWARDED_PREFIX"
            )
        # A query the fast path ran and that failed: answered here, as every error is.
        handed = request.environ.get(fast_sparql.FAILED)
        if handed is not None:
            raise handed

    @app.after_request
    def cors_and_log(response):
        response.headers.update(served_headers(app.config, serving.current()))
        if request.method == "OPTIONS" and app.config["CORS_ORIGIN"]:
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Content-Type, Accept-Encoding"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        log_request(
            request.remote_addr,
            request.method,
            request.full_path,
            response.status_code,
            response.content_length,
            g.get("started"),
        )
        return response

    @app.teardown_request
    def end_request(exc):
        serving.end_request()
