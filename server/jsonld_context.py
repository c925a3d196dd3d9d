"""The JSON-LD context of the graph, at its stable address: <BASE_IRI>def/context.jsonld.

The build writes it (nap_graph.jsonld); compacted documents name it in their `@context`.
It changes only with a build, so it is sent with an ETag of its bytes and may be cached.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, make_response, request

from nap_graph import jsonld
from server.render import published_context

bp = Blueprint("jsonld_context", __name__)


@bp.route("/" + jsonld.CONTEXT_PATH)
def context():
    """The context, as application/ld+json; 304 to a client that holds these bytes."""
    data, _ = published_context()
    response = make_response(data)
    response.headers["Content-Type"] = jsonld.MEDIA_TYPE
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return response.make_conditional(request)
