"""Responses: RDF documents and query answers with their headers, and what pages embed.

The views choose what to answer and in which format; this module writes it. It owns the
headers a document carries (Link to its alternates, Content-Location, Vary), the one charset
rule (nap_graph.formats), the server's addresses for IRIs of the graph, and JSON that is safe
inside a <script> element. It imports no view, so every view can import it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import Response, current_app, make_response, render_template, request

from nap_graph import formats
from nap_graph.dump import data_prefixes
from nap_graph.formats import Format
from nap_graph.iris import Iris
from server.negotiation import GRAPH_FORMATS

if TYPE_CHECKING:
    from nap_graph.store import Answer

# IRIs under these are served here: the graph's (BASE_IRI) and the ontology's.
ONTOLOGY_BASE = "https://w3id.org/nap-graph/"
JSON, PAGE = "application/json", "text/html"


def base() -> str:
    """Return the base IRI of the graph served."""
    return current_app.config["BASE_IRI"]


def local_url(iri: str) -> str:
    """Return the address on this server of an IRI of the graph or the ontology, else the IRI."""
    for prefix in (base(), ONTOLOGY_BASE):
        if iri.startswith(prefix):
            return request.script_root + "/" + iri[len(prefix) :]
    return iri


def alternates(path: str) -> list[tuple[Format, str]]:
    """Return each format of a document with its address."""
    return [(fmt, f"{request.script_root}/{path}.{fmt.extension}") for fmt in GRAPH_FORMATS]


def link_header(path: str) -> str:
    """Return the Link header that lists a document's alternates."""
    return ", ".join(
        f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for fmt, url in alternates(path)
    )


def content_type(media_type: str) -> str:
    """Return the Content-Type header of a media type, by the one charset rule of
    nap_graph.formats (Format.content_type); a type outside the registry goes as it is."""
    fmt = next((f for f in formats.FORMATS if f.media_type == media_type), None)
    return fmt.content_type if fmt is not None else media_type


def graph_response(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict | None = None):
    """Answer RDF triples in a negotiated format, with the headers of a data document."""
    data = list(triples)
    if fmt.name in ("turtle", "rdfxml"):
        body = ox.serialize(data, format=fmt.ox, prefixes=prefixes or data_prefixes(Iris(base())))
    else:
        body = ox.serialize(data, format=fmt.ox)
    response = make_response(body)
    response.headers["Content-Type"] = fmt.content_type
    response.headers["Vary"] = "Accept"
    return response


def document_headers(response: Response, path: str, fmt: Format, negotiated: bool) -> Response:
    """Add the headers of a document that has alternates: Link to each, and, when the format
    was negotiated (no extension in the address), the address of the one sent and Vary."""
    response.headers["Link"] = link_header(path)
    if negotiated:
        response.headers["Content-Location"] = f"{request.script_root}/{path}.{fmt.extension}"
        response.headers["Vary"] = "Accept"
    return response


def results_response(answer: Answer, fmt: Format, query: str, unknown: list[str]) -> Response:
    """Answer a query: its answer as the store wrote it, or a page of it, with the endpoint's
    headers (the result limit, whether the answer was cut, the graphs read as empty)."""
    if fmt.name == "html":
        graph = answer.kind == "graph"
        response = make_response(
            render_template(
                "results.html",
                query=query,
                answer=answer,
                results=None if graph else json.loads(answer.body),
                graph=answer.body.decode() if graph else None,
            )
        )
    else:
        response = make_response(answer.body)
        response.headers["Content-Type"] = fmt.content_type
    response.headers["Vary"] = "Accept"
    response.headers["NAP-Graph-Result-Limit"] = str(current_app.config["RESULT_LIMIT"])
    if answer.truncated:
        response.headers["NAP-Graph-Truncated"] = "true"
    if unknown:  # read as empty graphs: the endpoint never fetches data from other addresses
        response.headers["NAP-Graph-Unknown-Graphs"] = " ".join(f"<{g}>" for g in unknown)
    return response


def script_json(text: str) -> str:
    """Return JSON text that is safe inside a <script> element: "</" would end it early
    (HTML, 4.12.1.3); "<\\/" is the same string to a JSON parser."""
    return text.replace("</", "<\\/")


def embedded_jsonld(triples: list[ox.Triple]) -> str:
    """Return a resource's data as JSON-LD for a <script> element of its page."""
    return script_json(ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode())


def _json_or_page() -> str | None:
    """Which of JSON and a page the client prefers; None when it takes neither."""
    return request.accept_mimetypes.best_match([JSON, PAGE])


def wants_json() -> bool:
    """Whether the client prefers JSON to a page ("*/*" does: JSON is offered first)."""
    return _json_or_page() == JSON


def wants_page() -> bool:
    """Whether the client prefers a page to JSON: browsers do, "*/*" does not."""
    return _json_or_page() == PAGE
