"""Search: one box for the countries (any name, any code), the plans and the focus areas.

The index is the build's own (nap_graph/search.py), read from the build this request is
answered from, as the downloads are: a new build brings its index with it.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request

from nap_graph import search as index
from server.errors import APIError
from server.render import local_url, wants_json
from server.store_access import served

bp = Blueprint("search", __name__)
DEFAULT_LIMIT = 10
GROUPS = (
    ("country", "countries", "Countries"),
    ("plan", "plans", "Plans"),
    ("focus-area", "focus_areas", "Focus areas"),
)


def _limit() -> int:
    value = request.args.get("limit", "")
    if not value:
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= index.MAX_LIMIT:
        raise APIError(
            f"limit must be a whole number from 1 to {index.MAX_LIMIT}", 400, "BAD_LIMIT"
        )
    return int(value)


@bp.route("/search")
def search():
    """Countries, plans and focus areas matching `q`, as a page or JSON; no `q`, the form."""
    query = request.args.get("q", "").strip()[: index.MAX_QUERY]
    limit = _limit()
    as_json = wants_json()
    found = {kind: [] for kind in index.KINDS}
    if query:
        try:
            found = index.search(served().build_dir / index.INDEX_FILE, query, limit)
        except index.IndexUnavailable as exc:
            raise APIError(f"search is not available: {exc}", 503, "SEARCH_UNAVAILABLE") from exc
    if as_json:
        response = jsonify(
            {
                "q": query,
                "limit": limit,
                **{
                    key: [{**hit.as_json(), "url": local_url(hit.iri)} for hit in found[kind]]
                    for kind, key, _ in GROUPS
                },
            }
        )
    else:
        groups = [(key, title, found[kind]) for kind, key, title in GROUPS]
        response = make_response(
            render_template("search.html", q=query, groups=groups, limit=limit)
        )
    response.headers["Vary"] = "Accept"
    return response
