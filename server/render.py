"""Responses: RDF documents and query answers with their headers, and what pages embed.

The views choose what to answer and in which format; this module writes it. It owns the
headers a document carries (Link to its alternates, Content-Location, Vary), the one charset
rule (nap_graph.formats), the server's addresses for IRIs of the graph, and JSON that is safe
inside a <script> element. It imports no view, so every view can import it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import Response, current_app, make_response, render_template, request, url_for
from werkzeug.http import parse_list_header, parse_options_header

from nap_graph import formats, jsonld
from nap_graph.dump import data_prefixes
from nap_graph.errors import NotAcceptable
from nap_graph.formats import Format
from nap_graph.iris import Iris
from nap_graph.results import check_xml, escape_rdf_xml
from nap_graph.settings import value_of
from server.negotiation import GRAPH_FORMATS, best_media_type

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


def external_url(endpoint: str, **values) -> str:
    """Return the absolute address of a view: under PUBLIC_URL where the deployment sets one
    (its public address, behind whatever proxy), else as this request reached the server."""
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)[len(request.script_root) :]
    return public.rstrip("/") + path


def public_address(path: str) -> str:
    """Return the absolute address of a path of this server (as local_url gives it)."""
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return request.host_url.rstrip("/") + path
    return public.rstrip("/") + path[len(request.script_root) :]


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
    if fmt.name == "jsonld" and jsonld_profile() != jsonld.EXPANDED:
        body = compacted_jsonld(data)  # compacted unless the expanded profile is asked for
    elif fmt.name in ("turtle", "rdfxml"):
        body = ox.serialize(data, format=fmt.ox, prefixes=prefixes or data_prefixes(Iris(base())))
    else:
        body = ox.serialize(data, format=fmt.ox)
    if fmt.name == "rdfxml":  # CR as &#13;, and 406 for what RDF/XML cannot hold
        body = check_xml(escape_rdf_xml(body), "rdfxml")
    response = make_response(body)
    response.headers["Content-Type"] = fmt.content_type
    response.headers["Vary"] = "Accept"
    return response


def published_context() -> tuple[bytes, dict]:
    """Return the JSON-LD context of the build served, as its file and as a value; read once
    per build (the build writes it; an older build's is made from its ontology)."""
    generation = current_app.extensions["nap_graph"].current()  # server/serving.py
    if "jsonld_context" not in generation.cache:
        build = Path(generation.build_dir)
        path = build / jsonld.CONTEXT_FILE
        if path.is_file():
            data = path.read_bytes()
            value = json.loads(data)["@context"]
        else:
            ontology = build / "ontology"
            if not (ontology / "wps.ttl").is_file():
                ontology = Path(value_of("ONTOLOGY_DIR"))
            value = jsonld.context(ontology, data_prefixes(Iris(base())))
            data = jsonld.context_document(value)
        generation.cache["jsonld_context"] = (data, value)
    return generation.cache["jsonld_context"]


# An unquoted IRI is no token (RFC 9110), and werkzeug cuts it at its ":"; clients send it.
_BARE_PROFILE = re.compile(r";\s*profile\s*=\s*([^\s;\",]+)", re.IGNORECASE)


def requested_profile(accept: str | None) -> str | None:
    """Return the JSON-LD profile an Accept value asks for: jsonld.EXPANDED, COMPACTED or None.

    The `profile` parameter of application/ld+json is a space-separated list of IRIs
    (JSON-LD 1.1, section 9). Of the ranges of that type naming expanded or compacted, the
    one of highest quality decides (the first, between equals); q=0 asks for nothing.
    Compacted wins in a list that names both: the compacted documents here are also flat.
    """
    best: tuple[float, str] | None = None
    for item in parse_list_header(accept or ""):
        media_type, parameters = parse_options_header(item)
        if media_type.lower() != jsonld.MEDIA_TYPE:
            continue
        try:
            quality = float(parameters.get("q", 1))
        except ValueError:
            continue
        bare = _BARE_PROFILE.search(item)
        profiles = (bare.group(1) if bare else parameters.get("profile", "")).split()
        found = [p for p in (jsonld.COMPACTED, jsonld.EXPANDED) if p in profiles]
        if found and quality > 0 and (best is None or quality > best[0]):
            best = (quality, found[0])
    return best[1] if best else None


def jsonld_profile() -> str | None:
    """The JSON-LD profile this request asks for, in `_mediatype` or else in Accept. Accept
    is read from the header itself: request.accept_mimetypes keeps quoted parameters in its
    values, but cuts an unquoted IRI short."""
    asked = requested_profile(request.args.get("_mediatype"))
    return asked or requested_profile(request.headers.get("Accept"))


def compacted_jsonld(data) -> bytes:
    """Return triples, or an expanded JSON-LD document, compacted against the published
    context, which the document names by its IRI."""
    # Named by its address on this server (as links are), so that a client resolves it now,
    # before and besides w3id.org's redirect of the base IRI.
    address = public_address(local_url(jsonld.context_iri(base())))
    document = jsonld.compact(data, published_context()[1], address)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def document_headers(response: Response, path: str, fmt: Format, negotiated: bool) -> Response:
    """Add the headers of a document that has alternates: Link to each, and, when the format
    was negotiated (no extension in the address), the address of the one sent and Vary."""
    response.headers["Link"] = link_header(path)
    if negotiated:
        response.headers["Content-Location"] = f"{request.script_root}/{path}.{fmt.extension}"
        response.headers["Vary"] = "Accept"
    return response


def results_response(
    answer: Answer, fmt: Format, query: str, unknown: list[str], limit: int | None = None
) -> Response:
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
        # CONSTRUCT and DESCRIBE: expanded JSON-LD, as the store writes it, unless compacted
        # is asked for (any JSON-LD reader reads the expanded form without a fetch).
        compacted = fmt.name == "jsonld" and jsonld_profile() == jsonld.COMPACTED
        response = make_response(
            compacted_jsonld(json.loads(answer.body)) if compacted else answer.body
        )
        response.headers["Content-Type"] = fmt.content_type
    response.headers.update(
        result_headers(
            answer, current_app.config["RESULT_LIMIT"] if limit is None else limit, unknown
        )
    )
    return response


def result_headers(answer: Answer, limit: int, unknown: list[str]) -> dict[str, str]:
    """The endpoint's headers of an answer: the result limit, whether the answer was cut,
    the graphs read as empty (for Flask's view and the fast path, server/fast_sparql.py)."""
    headers = {"Vary": "Accept", "NAP-Graph-Result-Limit": str(limit)}
    if answer.truncated:
        headers["NAP-Graph-Truncated"] = "true"
    if unknown:  # read as empty graphs: the endpoint never fetches data from other addresses
        headers["NAP-Graph-Unknown-Graphs"] = " ".join(f"<{g}>" for g in unknown)
    return headers


def script_json(text: str) -> str:
    """Return JSON text that is safe inside a <script> element: "</" would end it early
    (HTML, 4.12.1.3); "<\\/" is the same string to a JSON parser."""
    return text.replace("</", "<\\/")


def embedded_jsonld(triples: list[ox.Triple]) -> str:
    """Return a resource's data as JSON-LD for a <script> element of its page."""
    return script_json(ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode())


def _json_or_page() -> str | None:
    """Which of JSON and a page the client prefers; None when it takes neither."""
    return best_media_type(request.accept_mimetypes, [JSON, PAGE])


def wants_json() -> bool:
    """Whether the client prefers JSON to a page ("*/*" does: JSON is offered first).

    For an address that offers only those two: an Accept that takes neither gets 406."""
    chosen = _json_or_page()
    if chosen is None and request.headers.get("Accept"):
        raise NotAcceptable(
            "this address offers a page (text/html) or JSON (application/json), and Accept "
            "takes neither"
        )
    return chosen == JSON


def wants_page() -> bool:
    """Whether the client prefers a page to JSON: browsers do, "*/*" does not."""
    return _json_or_page() == PAGE
