"""Errors as HTTP answers: one JSON shape for programs, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, make_response, render_template
from werkzeug.exceptions import HTTPException

from nap_graph.errors import (
    NapGraphError,
    NotAcceptable,
    QueryRejected,
    QueryTimeout,
    StoreUnavailable,
    UnknownResource,
)
from server.render import wants_page

log = logging.getLogger(__name__)

# nap_graph's errors and the status each becomes.
STATUS = {
    QueryRejected: 400,
    UnknownResource: 404,
    NotAcceptable: 406,
    QueryTimeout: 503,
    StoreUnavailable: 503,
}


class APIError(Exception):
    """An error raised by a view, with its status and stable code."""

    def __init__(self, message: str, status: int, code: str):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


class NotChartable(ValueError):
    """An answer with no chart (server/result_chart.py): the reason, in words for the reader."""


def error_response(message: str, status: int, code: str, headers: dict | None = None):
    """Answer an error: a page for browsers, {"ok": false, ...} for everyone else."""
    if wants_page():
        page = render_template("error.html", message=message, status=status, code=code)
        response = make_response(page, status)
    else:
        response = make_response(
            {"ok": False, "error": message, "code": code, "status": status}, status
        )
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(APIError)
    def api_error(error: APIError):
        return error_response(error.message, error.status, error.code)

    @app.errorhandler(NapGraphError)
    def nap_graph_error(error: NapGraphError):
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 500)
        if status == 500:
            log.error("unexpected error: %s", error)
        headers = {"Retry-After": "5"} if isinstance(error, StoreUnavailable) else None
        return error_response(str(error), status, error.code, headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").upper().replace(" ", "_")
        response = error_response(error.description or error.name, error.code or 500, code)
        if error.code == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response
