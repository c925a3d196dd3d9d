"""The SPARQL 1.1 Protocol endpoint, for queries: read-only, bounded, never fetching a URL."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from urllib.parse import urljoin

import pyoxigraph as ox
from flask import Blueprint, current_app, make_response, render_template, request

from nap_graph.errors import NotAcceptable, QueryRejected
from nap_graph.query_check import Scan, scan, unknown_graphs
from nap_graph.results import check_xml
from nap_graph.store import QueryRequest
from server.editor import editor_settings
from server.errors import APIError
from server.examples import example_queries
from server.negotiation import GRAPH_FORMATS, RESULT_FORMATS, choose
from server.render import external_url, graph_response, results_response, script_json
from server.store_access import get_store, served
from server.vendor import available

bp = Blueprint("sparql", __name__)
bp.add_app_template_global(editor_settings)  # for the pages that hold the editor

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise APIError(
            f"the request has {len(values)} '{name}' parameters; the protocol allows one",
            400,
            "QUERY_REJECTED",
        )
    return values[0] if values else None


def read_request() -> tuple[str | None, list[str], list[str], str | None]:
    """Return the query, the default and named graphs, and the format asked for.

    SPARQL 1.1 Protocol, 2.1: a query by GET, by POST of a form, or by POST directly.
    """
    params = request.args
    if request.method == "POST":
        media_type = request.mimetype
        if media_type == FORM:
            params = request.form
            if "update" in params:
                raise QueryRejected("this endpoint is read-only: SPARQL updates are refused")
            query = _one(params.getlist("query"), "query")
            if query is None:
                raise APIError("a POSTed form must hold a 'query' parameter", 400, "QUERY_REJECTED")
        elif media_type == DIRECT:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise APIError(
                    f"a query must be sent in UTF-8, not {charset}", 400, "QUERY_REJECTED"
                )
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise APIError(
                    f"the query is not valid UTF-8: {exc}", 400, "QUERY_REJECTED"
                ) from exc
            if "query" in request.args:
                raise APIError(
                    "a query sent directly may not also be a 'query' parameter",
                    400,
                    "QUERY_REJECTED",
                )
        elif media_type == UPDATE:
            raise QueryRejected("this endpoint is read-only: SPARQL updates are refused")
        else:
            raise APIError(
                f"a query is POSTed as {FORM} or {DIRECT}, not {media_type or 'without a media type'}",
                415,
                "UNSUPPORTED_MEDIA_TYPE",
            )
        defaults = request.args.getlist("default-graph-uri") + (
            params.getlist("default-graph-uri") if params is request.form else []
        )
        named = request.args.getlist("named-graph-uri") + (
            params.getlist("named-graph-uri") if params is request.form else []
        )
    else:
        if "update" in params:
            raise QueryRejected(
                "this endpoint is read-only: SPARQL updates are refused (and never by GET)"
            )
        query = _one(params.getlist("query"), "query")
        defaults = params.getlist("default-graph-uri")
        named = params.getlist("named-graph-uri")
    fmt = (
        params.get("format")
        or params.get("output")
        or request.args.get("format")
        or request.args.get("output")
    )
    return query, defaults, named, fmt


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def endpoint():
    """Answer a query, or describe the service when there is none."""
    query, defaults, named, requested = read_request()
    if query is None:
        if defaults or named:
            raise APIError("graphs were named but no query was given", 400, "QUERY_REJECTED")
        return service_description(requested)
    checked = check_query(query, defaults, named)
    formats, expected = answer_formats(
        request.accept_mimetypes, requested, checked.scan.inspection.returns_graph
    )
    limit = result_limit(formats["results"] if expected == "results" else None)
    answer = run_query(checked, *store_formats(formats), limit=limit)
    kind = "graph" if answer.kind == "graph" else "results"
    # negotiate() raises the 406 here
    fmt = formats[kind] or negotiate(request.accept_mimetypes, requested, kind)
    if fmt.name in ("xml", "rdfxml"):  # 406 for an answer XML cannot hold, not broken XML
        check_xml(answer.body, fmt.name)
    return results_response(answer, fmt, query, checked.unknown, limit)


def negotiate(accept, requested: str | None, kind: str):
    """The format of an answer of this kind ("graph" or "results"); NotAcceptable if none."""
    offered = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    return choose(accept, offered, requested, kind)


def store_formats(formats: dict) -> tuple[str, str]:
    """The formats the store writes answers in: the negotiated ones, but SPARQL JSON and
    Turtle for a page (or for a kind Accept refuses), which the page is made from."""
    results, graph = formats["results"], formats["graph"]
    return (
        "json" if results is None or results.name == "html" else results.name,
        "turtle" if graph is None or graph.name == "html" else graph.name,
    )


def answer_formats(accept, requested: str | None, returns_graph: bool) -> tuple[dict, str]:
    """The format for each kind of answer, "results" and "graph", and the kind the query's
    text reads as; None for a kind that Accept refuses, but for the kind expected, which
    raises NotAcceptable.

    The form read from the text picks the format to refuse early (406, before the query
    runs); the answer's kind, from Oxigraph's own parse, picks the format it is written in.
    """
    expected = "graph" if returns_graph else "results"
    formats = {expected: negotiate(accept, requested, expected)}
    other = "results" if expected == "graph" else "graph"
    try:
        formats[other] = negotiate(accept, requested, other)
    except NotAcceptable:
        formats[other] = None
    return formats, expected


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the endpoint's checks, with what running it needs."""

    query: str
    defaults: list[str]
    named: list[str]
    scan: Scan
    endpoint_url: str
    unknown: list[str]  # graphs named that the store does not hold: read as empty


def check_query(query: str, defaults: list[str], named: list[str]) -> CheckedQuery:
    """The endpoint's checks of a query before it runs, for this request (see checked)."""
    return checked(
        query,
        defaults,
        named,
        max_bytes=int(current_app.config["MAX_QUERY_BYTES"]),
        endpoint_url=external_url("sparql.endpoint"),
        graph_names=get_store().graph_names(),
    )


def checked(
    query: str,
    defaults: list[str],
    named: list[str],
    *,
    max_bytes: int,
    endpoint_url: str,
    graph_names: list[str],
) -> CheckedQuery:
    """The endpoint's checks of a query before it runs: its size and its graphs' IRIs. The
    store checks the scanned text when it runs (no update, no SERVICE). Flask's view and the
    fast path (server/fast_sparql.py) both call this, with what their request holds."""
    if len(query.encode()) > max_bytes:
        raise APIError(
            f"the query is longer than the {max_bytes:,} bytes a query may have (MAX_QUERY_BYTES)",
            413,
            "REQUEST_TOO_LARGE",
        )
    for name, values in (("default-graph-uri", defaults), ("named-graph-uri", named)):
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as exc:
                raise APIError(
                    f"'{name}' must be an absolute IRI, not {value!r}: {exc}", 400, "QUERY_REJECTED"
                ) from None
    scanned = scan(query)  # once: a remote store reads the same scan
    inspection = scanned.inspection
    # Relative IRIs in a query resolve against the endpoint's address (as base_iri below).
    from_graphs = [urljoin(endpoint_url, g) for g in inspection.from_graphs]
    from_named = [urljoin(endpoint_url, g) for g in inspection.from_named_graphs]
    unknown = unknown_graphs(defaults + named + from_graphs + from_named, set(graph_names))
    return CheckedQuery(query, defaults, named, scanned, endpoint_url, unknown)


def run_query(checked: CheckedQuery, results_format: str, graph_format: str, limit: int):
    """Run a checked query on the store, within its time limit and the given row limit."""
    return get_store().query(query_request(checked, results_format, graph_format, limit))


def query_request(
    checked: CheckedQuery, results_format: str, graph_format: str, limit: int
) -> QueryRequest:
    """What the store is asked for a checked query: on the endpoint's workers, within its
    time limit and the given row limit."""
    inspection = checked.scan.inspection
    return QueryRequest(
        checked.query,
        results_format=results_format,
        graph_format=graph_format,
        default_graphs=checked.defaults,
        named_graphs=checked.named,
        base_iri=checked.endpoint_url,
        # A query with FROM or FROM NAMED makes its own dataset; otherwise the default
        # graph is the union of the named graphs.
        union=not (inspection.from_graphs or inspection.from_named_graphs),
        pool="sparql",
        limit=limit,
        scan=checked.scan,
    )


def result_limit(fmt, config=None) -> int:
    """The most rows of a SELECT answer in this format: EXPORT_LIMIT for CSV and TSV, which
    spreadsheets and data frames read whole without a look at our headers (pandas read
    10,000 of 49,446 rows without a sign), RESULT_LIMIT for the rest."""
    config = current_app.config if config is None else config
    if fmt is not None and fmt.name in EXPORT_FORMATS:
        return int(config["EXPORT_LIMIT"])
    return int(config["RESULT_LIMIT"])


EXPORT_FORMATS = ("csv", "tsv")


SD = "http://www.w3.org/ns/sparql-service-description#"


def editor_page() -> str:
    """The query editor: a form that works without JavaScript, YASGUI where it is installed."""
    examples = [asdict(e) for e in example_queries()]
    return render_template(
        "sparql.html",
        endpoint=external_url("sparql.endpoint"),
        examples=examples,
        examples_json=script_json(json.dumps(examples)),
        query=examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        yasgui=available("yasgui"),
    )


def service_description(requested: str | None):
    """SPARQL 1.1 Service Description of this endpoint, with the dataset's VoID description."""
    fmt = choose(request.accept_mimetypes, GRAPH_FORMATS, requested, "graph")
    if fmt.name == "html":
        response = make_response(editor_page())
        response.headers["Vary"] = "Accept"  # the same address gives RDF to other clients
        return response
    store = get_store()
    endpoint = ox.NamedNode(external_url("sparql.endpoint"))
    node = ox.NamedNode
    triples = [
        ox.Triple(endpoint, node(_rdf("type")), node(SD + "Service")),
        ox.Triple(endpoint, node(SD + "endpoint"), endpoint),
        ox.Triple(endpoint, node(SD + "supportedLanguage"), node(SD + "SPARQL11Query")),
        ox.Triple(endpoint, node(SD + "feature"), node(SD + "UnionDefaultGraph")),
    ]
    triples += [
        ox.Triple(endpoint, node(SD + "resultFormat"), node(f.iri))
        for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
        if f.iri
    ]
    dataset = node(endpoint.value + "#dataset")
    default = node(endpoint.value + "#default-graph")
    triples += [
        ox.Triple(endpoint, node(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, node(_rdf("type")), node(SD + "Dataset")),
        ox.Triple(dataset, node(SD + "defaultGraph"), default),
        ox.Triple(default, node(_rdf("type")), node(SD + "Graph")),
        ox.Triple(
            default,
            node("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal("The union of the named graphs.", language="en"),
        ),
    ]
    for i, graph in enumerate(store.graph_names()):
        named = node(f"{endpoint.value}#named-graph-{i + 1}")
        triples += [
            ox.Triple(dataset, node(SD + "namedGraph"), named),
            ox.Triple(named, node(_rdf("type")), node(SD + "NamedGraph")),
            ox.Triple(named, node(SD + "name"), node(graph)),
        ]
    description = served().void
    if description is not None:
        triples += list(description)
        void_dataset = next(
            (
                t.subject
                for t in description
                if t.predicate.value == _rdf("type")
                and t.object.value == "http://rdfs.org/ns/void#Dataset"
                and t.subject.value.endswith("/dataset/nap-graph")
            ),
            None,
        )
        if void_dataset is not None:
            triples.append(
                ox.Triple(dataset, node("http://www.w3.org/2002/07/owl#sameAs"), void_dataset)
            )
    return graph_response(triples, fmt)


def _rdf(name: str) -> str:
    return f"http://www.w3.org/1999/02/22-rdf-syntax-ns#{name}"
