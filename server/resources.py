"""Dereferenceable IRIs: every IRI the graph mints answers with a page or with its RDF.

Resources use 303 redirects (W3C, "Cool URIs for the Semantic Web", 4.3): /id/... names the
thing; it redirects to /doc/... , the document about it, in the format the client asked for.
Ontology terms use hash IRIs (4.2): /def/wps is the document that defines wps:Term.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from nap_graph.dump import data_prefixes
from nap_graph.errors import StoreUnavailable, UnknownResource
from nap_graph.formats import Format, by_extension
from nap_graph.iris import Iris
from nap_graph.namespaces import ONTOLOGY_IRI, SHAPES_IRI, WPS
from nap_graph.store import QueryRequest
from server import compare, missions, pages
from server.negotiation import DOCUMENT_FORMATS, NAMED_GRAPH_FORMATS, choose
from server.ontology_docs import built_vocabulary, ontology_page
from server.render import (
    alternates,
    base,
    document_headers,
    embedded_jsonld,
    graph_response,
    link_header,
    local_url,
)
from server.store_access import ask, construct, get_store, select, served

bp = Blueprint("resources", __name__)
# The compare page reads the same statistics as the country pages.
bp.add_url_rule("/compare", "compare", compare.compare)

LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Inbound links listed one by one on a page; beyond this, the page gives a count and a query.
INBOUND_LISTED = 50
# The page of a resource of each class: its template, and the function that gathers what it
# shows besides its statements. The first class here that a resource has picks its page;
# a resource of none of them gets resource.html.
PAGES = {
    WPS.Country: ("country.html", pages.country_page),
    WPS.NationalActionPlan: ("plan.html", pages.plan_page),
    WPS.FocusArea: ("focus_area.html", pages.focus_area_page),
    WPS.Mission: ("mission.html", missions.mission_page),
}


def _document_format(extension: str) -> Format | None:
    """The format a document's extension asks for, if a document is offered in it."""
    fmt = by_extension(extension)
    return fmt if fmt in DOCUMENT_FORMATS else None


def _requested_format() -> str | None:
    return (
        request.args.get("_format") or request.args.get("_mediatype") or request.args.get("format")
    )


@bp.route("/id/<path:rest>")
def thing(rest: str):
    """303 See Other from the IRI of a thing to the document about it (Cool URIs, 4.3)."""
    iri = base() + "id/" + rest
    if not ask(f"ASK {{ <{_safe(iri)}> ?p ?o }}") and not described_by_void(iri):
        raise UnknownResource(f"nothing in this graph is named {iri}")
    fmt = choose(
        request.accept_mimetypes,
        DOCUMENT_FORMATS,
        _requested_format(),
        "graph",
    )
    response = redirect(f"{request.script_root}/doc/{rest}.{fmt.extension}", 303)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = link_header(f"doc/{rest}")
    return response


@bp.route("/doc/<path:rest>")
def document(rest: str):
    """The document about a thing: a page, or its RDF (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    stem, _, extension = rest.rpartition(".")
    fixed = _document_format(extension) if stem else None
    path = stem if fixed else rest
    iri = base() + "id/" + path
    triples = describe(iri) + described_by_void(iri)
    if not triples:
        raise UnknownResource(f"nothing in this graph is named {iri}")
    # An HTML page first among equals: a browser's "*/*" gets a page, not a download.
    offered = DOCUMENT_FORMATS
    fmt = fixed or choose(request.accept_mimetypes, offered, _requested_format(), "graph")
    if fmt.name == "html":
        response = make_response(html_page(iri, triples, f"doc/{path}"))
    else:
        response = graph_response(triples, fmt)
    return document_headers(response, f"doc/{path}", fmt, negotiated=not fixed)


def html_page(iri: str, triples: list[ox.Triple], path: str) -> str:
    """Render a resource's page: a country, plan or focus area page, or the generic one.

    Every page ends with the resource's statements as tables, so nothing in its data is hidden.
    """
    context = page(iri, triples, path)
    context["embedded"] = embedded_jsonld([t for t in triples if t.subject.value == iri])
    for cls, (template, gather) in PAGES.items():
        if str(cls) in context["types"]:  # an rdflib URIRef never equals a str
            return render_template(template, **context, **gather(iri))
    return render_template("resource.html", **context)


def _safe(iri: str) -> str:
    """Refuse IRIs that would break out of <...> in a query, and any that are no IRI at all
    (a NUL, or the U+FFFD of undecodable bytes): the store would call those a malformed query."""
    if any(c in iri for c in '<>"{}|^`\\ \n\r\t'):
        raise UnknownResource(f"not an IRI of this graph: {iri!r}")
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise UnknownResource(f"not an IRI of this graph: {iri!r}") from None
    return iri


def describe(iri: str) -> list[ox.Triple]:
    """Return the concise bounded description of a resource: its triples, blank nodes followed."""
    data = construct(f"DESCRIBE <{_safe(iri)}>")
    return concise_bounded_description(
        ox.NamedNode(iri), list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    )


def concise_bounded_description(node: ox.NamedNode, triples: list[ox.Triple]) -> list[ox.Triple]:
    """Keep of a DESCRIBE answer the resource's own triples and those of the blank nodes they
    lead to, sorted: what DESCRIBE gives is each store's choice (Virtuoso adds the triples that
    point at the resource), and a document must not change with the store behind it."""
    by_subject: dict = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    found, todo, seen = [], [node], {node}
    while todo:
        for triple in by_subject.get(todo.pop(), []):
            found.append(triple)
            if isinstance(triple.object, ox.BlankNode) and triple.object not in seen:
                seen.add(triple.object)
                todo.append(triple.object)
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def described_by_void(iri: str) -> list[ox.Triple]:
    """Return what the dataset's VoID description says of an IRI (the dataset, its
    distributions, partitions and checksums), which is published beside the graph, not in it."""
    void = served().void or []
    found = [t for t in void if t.subject.value == iri and isinstance(t.subject, ox.NamedNode)]
    # Follow blank nodes, as a concise bounded description does.
    blanks = [t.object for t in found if isinstance(t.object, ox.BlankNode)]
    while blanks:
        node = blanks.pop()
        more = [t for t in void if t.subject == node]
        found += more
        blanks += [t.object for t in more if isinstance(t.object, ox.BlankNode)]
    return found


def labels_of(iris: set[str]) -> dict[str, str]:
    """Return an English (or untagged) label for each IRI that has one."""
    if not iris:
        return {}
    values = " ".join(f"<{_safe(i)}>" for i in sorted(iris))
    rows = select(f"""SELECT ?x ?p ?label WHERE {{ VALUES ?x {{ {values} }}
        VALUES ?p {{ {" ".join(f"<{p}>" for p in LABELS)} }} ?x ?p ?label }}""")
    ranked = {}
    for row in rows:
        label = row["label"]
        rank = (LABELS.index(row["p"]["value"]), 0 if label.get("xml:lang") in ("en", None) else 1)
        x = row["x"]["value"]
        if x not in ranked or rank < ranked[x][0]:
            ranked[x] = (rank, label["value"])
    return {x: value for x, (_, value) in ranked.items()}


def page(iri: str, triples: list[ox.Triple], path: str) -> dict:
    """Gather what a resource page shows: label, types, properties, and what links to it."""
    outbound = defaultdict(list)
    iris = set()
    for t in triples:
        if t.subject.value != iri:
            continue
        outbound[t.predicate.value].append(t.object)
        iris.add(t.predicate.value)
        if isinstance(t.object, ox.NamedNode):
            iris.add(t.object.value)
    counts = select(
        f"SELECT ?p (COUNT(?s) AS ?n) WHERE {{ ?s ?p <{_safe(iri)}> }} GROUP BY ?p ORDER BY ?p"
    )
    inbound = []
    for row in counts:
        predicate, count = row["p"]["value"], int(row["n"]["value"])
        iris.add(predicate)
        subjects = []
        if count <= INBOUND_LISTED:
            subjects = [
                r["s"]["value"]
                for r in select(
                    f"SELECT ?s WHERE {{ ?s <{predicate}> <{_safe(iri)}> }} ORDER BY ?s"
                )
            ]
            iris.update(subjects)
        inbound.append(
            {
                "predicate": predicate,
                "count": count,
                "subjects": subjects,
                "query": f"SELECT ?s WHERE {{ ?s <{predicate}> <{iri}> }}",
            }
        )
    labels = labels_of(iris | {iri})
    types = [o.value for o in outbound.get(RDF_TYPE, [])]
    properties = [
        {"predicate": p, "values": sorted(vals, key=str)}
        for p, vals in sorted(
            outbound.items(), key=lambda kv: (kv[0] != RDF_TYPE, labels.get(kv[0], kv[0]))
        )
    ]
    return {
        "iri": iri,
        "title": labels.get(iri, iri),
        "types": types,
        "properties": properties,
        "inbound": inbound,
        "labels": labels,
        "alternates": alternates(path),
        "local_url": local_url,
    }


# ------------------------------------------------------------------ the ontology and the shapes


@bp.route("/def/wps", defaults={"extension": None})
@bp.route("/def/wps.<extension>")
def ontology(extension):
    """The WPS ontology, which defines every wps: term (hash IRIs)."""
    return _vocabulary(ONTOLOGY_IRI, "wps.ttl", "def/wps", extension)


@bp.route("/def/shapes", defaults={"extension": None})
@bp.route("/def/shapes.<extension>")
def shapes(extension):
    """The SHACL shapes."""
    return _vocabulary(SHAPES_IRI, "shapes.ttl", "def/shapes", extension)


@bp.route("/def/<vocabulary>/<version>", defaults={"extension": None})
@bp.route("/def/<vocabulary>/<version>.<extension>")
def vocabulary_version(vocabulary: str, version: str, extension: str | None):
    """A version IRI (owl:versionIRI) of the ontology or the shapes: the version this server
    publishes; other versions are not kept here."""
    if extension and not _document_format(extension):  # "1.0.0" is a version, not "1.0" + ".0"
        version, extension = f"{version}.{extension}", None
    files = {"wps": (ONTOLOGY_IRI, "wps.ttl"), "shapes": (SHAPES_IRI, "shapes.ttl")}
    if vocabulary not in files:
        raise UnknownResource(f"no vocabulary named {vocabulary}")
    iri, filename = files[vocabulary]
    document = built_vocabulary(filename)
    if document is None or not document.publishes(f"{iri}/{version}"):
        raise UnknownResource(f"this server publishes no version {version} of {iri}")
    return _vocabulary(iri, filename, f"def/{vocabulary}", extension)


def _vocabulary(iri: str, filename: str, path: str, extension: str | None):
    document = built_vocabulary(filename)
    if document is None:
        raise UnknownResource(f"{iri} is not published by this server (no built ontology)")
    fixed = _document_format(extension) if extension else None
    if extension and not fixed:
        raise UnknownResource(f"no {extension} document of {iri}")
    offered = DOCUMENT_FORMATS
    fmt = fixed or choose(request.accept_mimetypes, offered, _requested_format(), "graph")
    if fmt.name == "html":
        response = make_response(
            render_template("ontology.html", **ontology_page(iri, document.triples, path))
        )
    elif fmt.name == "turtle":
        response = make_response(document.data)  # the file as built, comments and all
        response.headers["Content-Type"] = fmt.content_type
    else:
        response = graph_response(document.triples, fmt)
    response = document_headers(response, path, fmt, negotiated=not fixed)
    # The same bytes for one build in every format (ontology_docs.stable_blank_nodes): an ETag
    # from them, and 304 Not Modified for a client that has them.
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/graph/<name>")
def named_graph(name: str):
    """A named graph of the dataset: a page of what it holds for browsers, else its triples in
    TriG or N-Quads (in the graph) or Turtle or N-Triples (`/graph/naps.trig` fixes one)."""
    stem, _, extension = name.rpartition(".")
    fixed = by_extension(extension) if stem else None
    fixed = fixed if fixed in NAMED_GRAPH_FORMATS else None
    name = stem if fixed else name
    iri = base() + "graph/" + name
    rows = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_safe(iri)}> {{ ?s ?p ?o }} }}")
    count = int(rows[0]["n"]["value"]) if rows else 0
    if count == 0:
        raise UnknownResource(f"this store holds no graph named {iri}")
    fmt = fixed or choose(
        request.accept_mimetypes, NAMED_GRAPH_FORMATS, _requested_format(), "graph"
    )
    path = f"graph/{name}"
    formats = [(f, f"{request.script_root}/{path}.{f.extension}") for f in NAMED_GRAPH_FORMATS]
    if fmt.name == "html":
        response = make_response(
            render_template(
                "graph.html",
                iri=iri,
                name=name,
                count=count,
                query=f"SELECT * WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100",
                download=url_for("downloads.download", name="nap-graph.trig"),
                formats=[(f, url) for f, url in formats if f.name != "html"],
            )
        )
    else:
        chunks = graph_chunks(iri, count, fmt)
        first = next(chunks, b"")  # the store's failures answer with an error, not a cut body
        response = current_app.response_class(
            stream_with_context(itertools.chain([first], chunks)), content_type=fmt.content_type
        )
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="alternate"; type="{f.media_type}"' for f, url in formats
    )
    if not fixed:
        response.headers["Content-Location"] = f"{request.script_root}/{path}.{fmt.extension}"
        response.headers["Vary"] = "Accept"
    return response


# Subjects per query when a named graph is written out: each page is a small answer, within
# the store's limits on rows and bytes, however big the graph (the peacekeeping graph holds
# hundreds of thousands of triples).
GRAPH_PAGE = 2000


def _view_query(query: str, limit: int, graph_format: str = "ntriples"):
    """Run a view's query with a row limit of its own; the store's byte limit still holds."""
    return get_store().query(QueryRequest(query, graph_format=graph_format, limit=limit))


def graph_triples(iri: str, count: int) -> Iterator[list[ox.Triple]]:
    """Yield the triples of a named graph in pages, subject by subject, each page sorted.

    The subjects are listed once (without ORDER BY, which would sort the whole graph), sorted
    here, and asked for a page at a time with VALUES; the triples of blank subjects come last,
    in one answer. A page the store cuts at its byte limit is asked for again in halves; a
    single subject too big for one answer, or a list of subjects that was cut, is an error
    rather than a graph silently short of triples.
    """
    graph = f"<{_safe(iri)}>"
    listed = _view_query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} FILTER(!isBlank(?s)) }}",
        count,
        "json",
    )
    if listed.truncated:
        raise StoreUnavailable(f"the subjects of {iri} do not fit in one answer of the store")
    subjects = sorted(row["s"]["value"] for row in json.loads(listed.body)["results"]["bindings"])

    def page(part: list[str]) -> list[ox.Triple]:
        values = " ".join(f"<{_safe(s)}>" for s in part)
        answer = _view_query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH {graph} {{ ?s ?p ?o }} }}",
            count,
        )
        if answer.truncated:
            if len(part) == 1:
                raise StoreUnavailable(f"the triples of {part[0]} do not fit in one answer")
            half = len(part) // 2
            return page(part[:half]) + page(part[half:])
        return _sorted(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))

    for start in range(0, len(subjects), GRAPH_PAGE):
        yield page(subjects[start : start + GRAPH_PAGE])
    blank = _view_query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} FILTER(isBlank(?s)) }}",
        count,
    )
    if blank.truncated:
        raise StoreUnavailable(f"the blank nodes of {iri} do not fit in one answer of the store")
    if blank.body.strip():
        yield _sorted(ox.parse(blank.body, format=ox.RdfFormat.N_TRIPLES))


def _sorted(triples) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def graph_chunks(iri: str, count: int, fmt: Format) -> Iterator[bytes]:
    """Write a named graph page by page: N-Triples and N-Quads are lines; the pages of Turtle
    and TriG after the first leave out their @prefix lines, and TriG repeats the graph's
    block, which TriG allows (the blocks of one graph name make one graph)."""
    graph = ox.NamedNode(iri)
    prefixes = data_prefixes(Iris(base())) if fmt.name in ("turtle", "trig") else None
    for number, triples in enumerate(graph_triples(iri, count)):
        if fmt.datasets:
            triples = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        body = ox.serialize(triples, format=fmt.ox, prefixes=prefixes)
        if number and prefixes:
            lines = body.split(b"\n")
            while lines and lines[0].startswith(b"@prefix "):
                lines.pop(0)
            body = b"\n".join(lines)
        yield body
