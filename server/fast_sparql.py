"""The endpoint's common requests answered without Flask's request machinery.

A query by GET, by POST of a form or by POST directly, for a host the server answers for,
in a format other than a page or compacted JSON-LD: Flask's routing, request and response
objects and hooks cost several times the query itself for a lookup (docs/benchmarks.md). The
checks, the store's request, the headers and the log line are the endpoint's own
(server/endpoint.py, server/render.py, server/every_answer.py), called here with what the WSGI
environ holds. Everything else goes to Flask untouched (a body read here is put back), and a
query that fails here is answered by Flask's error handlers, so errors read alike whichever
path a request took.
"""

from __future__ import annotations

import functools
import io
import time
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import get_host

from nap_graph.errors import NapGraphError
from nap_graph.results import check_xml
from server import endpoint
from server.errors import APIError
from server.every_answer import log_request, served_headers
from server.hosts import allowed_hosts, host_allowed, prefix_is_a_path
from server.render import result_headers

# What the fast path leaves in the environ for Flask: when the request began, and the error
# of a query it ran, for Flask to answer.
STARTED = "nap_graph.started"
FAILED = "nap_graph.failed"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
# Answers that Flask writes: a page, and JSON-LD (compacted when its profile asks).
FLASK_FORMATS = ("html", "jsonld")
# Parameters the fast path reads; a request with any other goes to Flask.
GRAPH_PARAMETERS = ("default-graph-uri", "named-graph-uri")


class SparqlFastPath:
    """WSGI middleware: answers /sparql's common queries, passes everything else on."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.next = wsgi_app
        self.serving = app.extensions["nap_graph"]
        self.answered = 0  # requests answered here, not by Flask (the tests read it)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/sparql" or environ.get("REQUEST_METHOD") not in (
            "GET",
            "POST",
        ):
            return self.next(environ, start_response)
        started = time.perf_counter()
        environ[STARTED] = started
        request = self._read(environ)
        if request is None:
            return self.next(environ, start_response)
        query, defaults, named = request
        config = self.app.config
        generation = self.serving.enter()
        try:
            try:
                checked = endpoint.checked(
                    query,
                    defaults,
                    named,
                    max_bytes=int(config["MAX_QUERY_BYTES"]),
                    endpoint_url=self._endpoint_url(environ),
                    graph_names=generation.store.graph_names(),
                )
                formats, expected = _answer_formats(
                    environ.get("HTTP_ACCEPT"), checked.scan.inspection.returns_graph
                )
            except (APIError, NapGraphError):
                return self.next(environ, start_response)  # Flask checks again, and answers
            if formats[expected].name in FLASK_FORMATS:
                return self.next(environ, start_response)
            limit = endpoint.result_limit(
                formats["results"] if expected == "results" else None, config
            )
            try:
                answer = generation.store.query(
                    endpoint.query_request(checked, *endpoint.store_formats(formats), limit)
                )
                fmt = formats["graph" if answer.kind == "graph" else "results"]
                if fmt is None or fmt.name in FLASK_FORMATS:
                    # An answer of the other kind than its text reads as (which Oxigraph's
                    # parse decides): rare enough for Flask to answer it again, its way.
                    return self.next(environ, start_response)
                if fmt.name in ("xml", "rdfxml"):
                    check_xml(answer.body, fmt.name)
            except (APIError, NapGraphError) as exc:
                environ[FAILED] = exc
                return self.next(environ, start_response)
            headers = {
                "Content-Type": fmt.content_type,
                "Content-Length": str(len(answer.body)),
                **result_headers(answer, limit, checked.unknown),
                **served_headers(config, generation),
            }
        finally:
            generation.leave()
        start_response("200 OK", list(headers.items()))
        self.answered += 1
        log_request(
            environ.get("REMOTE_ADDR"),
            environ["REQUEST_METHOD"],
            _full_path(environ),
            200,
            len(answer.body),
            started,
        )
        return [answer.body]

    def _read(self, environ) -> tuple[str, list[str], list[str]] | None:
        """The query and its graphs, if this is a request the fast path answers, else None
        (with the body, if read, put back for Flask)."""
        host = get_host(environ)
        if not host_allowed(host, self._allowed()) or not prefix_is_a_path(_script_root(environ)):
            return None
        arguments = _parameters(environ.get("QUERY_STRING", "").encode("latin-1"))
        if arguments is None:
            return None
        if environ["REQUEST_METHOD"] == "GET":
            parameters = arguments
        else:
            media_type, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                return None
            if media_type not in (FORM, DIRECT) or not 0 <= length <= int(
                self.app.config["MAX_REQUEST_BYTES"]
            ):
                return None
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)  # for Flask, if it is passed on
            if media_type == DIRECT:
                if options.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
                    return None
                if "query" in arguments:
                    return None
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return None
                parameters = {**arguments, "query": [text]}
            else:
                form = _parameters(body)
                if form is None:
                    return None
                parameters = {
                    k: arguments.get(k, []) + form.get(k, []) for k in {*arguments, *form}
                }
        query = parameters.get("query", [])
        if len(query) != 1:
            return None
        return (
            query[0],
            parameters.get("default-graph-uri", []),
            parameters.get("named-graph-uri", []),
        )

    def _allowed(self) -> list[str]:
        cached = getattr(self, "_allowed_hosts", None)
        if cached is None:
            cached = self._allowed_hosts = allowed_hosts(self.app.config)
        return cached

    def _endpoint_url(self, environ) -> str:
        """The endpoint's absolute address, as server.render.external_url gives it."""
        public = self.app.config.get("PUBLIC_URL")
        if public:
            return public.rstrip("/") + "/sparql"
        root = get_current_url(
            environ.get("wsgi.url_scheme", "http"), get_host(environ), _script_root(environ)
        )
        return root + "sparql"


@functools.lru_cache(maxsize=512)
def _answer_formats(accept: str | None, returns_graph: bool) -> tuple[dict, str]:
    """The endpoint's formats for an Accept header: clients send the same few, and reading
    one by RFC 9110 costs more than a lookup's query."""
    return endpoint.answer_formats(parse_accept_header(accept, MIMEAccept), None, returns_graph)


def _parameters(data: bytes) -> dict[str, list[str]] | None:
    """Parameters as Werkzeug reads them, or None if any is not one the fast path reads (or
    the text is not UTF-8, which Flask answers)."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return None
    found: dict[str, list[str]] = {}
    for name, value in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"):
        if name != "query" and name not in GRAPH_PARAMETERS:
            return None
        found.setdefault(name, []).append(value)
    return found


def _script_root(environ) -> str:
    return environ.get("SCRIPT_NAME", "").encode("latin-1").decode(errors="replace").rstrip("/")


def _full_path(environ) -> str:
    """The request's path and query string, as Werkzeug's request.full_path."""
    path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")
    return f"{path}?{environ.get('QUERY_STRING', '').encode('latin-1').decode(errors='replace')}"
