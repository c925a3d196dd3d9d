"""A SPARQL 1.1 store elsewhere (Virtuoso, Fuseki, GraphDB, the Oxigraph server...), reached
through the standard protocols: queries and updates with SPARQLWrapper, the Graph Store HTTP
Protocol with requests.

`RemoteStore` answers the server's queries as the embedded store does (same formats, limits,
errors and dataset rules); `StoreClient` is what `nap-graph load` writes with.
Credentials come from the environment (or a prompt, in the CLI), never from a command line.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urljoin

import pyoxigraph as ox
import requests
from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from nap_graph import formats
from nap_graph.errors import (
    NapGraphError,
    QueryRejected,
    QueryTimeout,
    StoreBusy,
    StoreUnavailable,
)
from nap_graph.query_check import Inspection, Scan, refuse_custom_functions, rewrite, scan
from nap_graph.results import write_result
from nap_graph.store import Answer, QueryRequest, Store

USER_VARIABLE = "NAP_GRAPH_STORE_USER"
PASSWORD_VARIABLE = "NAP_GRAPH_STORE_PASSWORD"
AUTH_VARIABLE = "NAP_GRAPH_STORE_AUTH"  # basic or digest; found out from the store if unset
# Names an empty dataset, where a request names no graph that we hold.
NO_GRAPH = "urn:x-nap-graph:no-graph"
# Asked by the query's form: Virtuoso answers a DESCRIBE as SPARQL JSON bindings if let.
ACCEPT = {
    "results": "application/sparql-results+json, application/sparql-results+xml;q=0.5",
    "graph": "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5",
}


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    scheme: str | None = None  # "basic" or "digest"; None: as the store asks

    @classmethod
    def from_environment(cls, environ=None) -> Credentials | None:
        environ = os.environ if environ is None else environ
        user = environ.get(USER_VARIABLE)
        if not user:
            return None
        scheme = (environ.get(AUTH_VARIABLE) or "").lower() or None
        if scheme not in (None, "basic", "digest"):
            raise StoreUnavailable(f"{AUTH_VARIABLE} must be basic or digest, not {scheme!r}")
        return cls(user, environ.get(PASSWORD_VARIABLE, ""), scheme)


def auth_scheme(url: str, credentials: Credentials | None, timeout: float = 10) -> str | None:
    """Return how to authenticate to a store: the credentials' scheme, else the one its 401
    asks for (WWW-Authenticate), else basic."""
    if credentials is None:
        return None
    if credentials.scheme:
        return credentials.scheme
    try:
        response = requests.get(url, params={"query": "ASK {}"}, timeout=timeout)
    except requests.RequestException as exc:
        raise StoreUnavailable(
            f"the store at {url} does not answer: {failure_reason(exc)}"
        ) from exc
    challenge = response.headers.get("WWW-Authenticate", "").lower()
    return "digest" if challenge.startswith("digest") else "basic"


def requests_auth(credentials: Credentials | None, scheme: str | None):
    if credentials is None:
        return None
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(credentials.user, credentials.password)
    return requests.auth.HTTPBasicAuth(credentials.user, credentials.password)


def failure_reason(exc: BaseException) -> str:
    """Say in a few words why a request failed."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, ConnectionRefusedError) or "Connection refused" in str(reason):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if "RemoteDisconnected" in repr(reason) or "Connection aborted" in str(reason):
        return "it closed the connection without an answer"
    text = str(reason).strip()
    return text.splitlines()[0][:300] if text else type(reason).__name__


def store_message(exc: SPARQLWrapperException) -> str:
    """The store's own message in a SPARQLWrapper error, without SPARQLWrapper's preamble."""
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
    text = text.strip().strip("b'\"")
    return text.replace("\\n", " ").strip()[:1000]


class RemoteStore:
    """Answers the server's queries from a SPARQL 1.1 endpoint, through SPARQLWrapper.

    The graph's named graphs (`graphs`, from the build's VoID) make the default graph of a
    query without FROM, as the embedded store's union does, and are its only named graphs: a
    store's other graphs (its system graphs, a load in progress) are never seen.
    """

    name = "remote"
    mode = "remote"
    QUEUE_WAIT = 2.0
    RECHECK = 60.0  # seconds between two counts of the store's graphs by /health

    def __init__(
        self,
        endpoint: str,
        graphs: dict[str, int],
        *,
        timeout: float = 10.0,
        limit: int = 10_000,
        max_bytes: int = 50_000_000,
        workers: int = 2,
        credentials: Credentials | None = None,
        checker: Store | None = None,
    ):
        self.endpoint = endpoint
        # Strangers' queries run first on an empty embedded store, in its sandboxed workers
        # (time limit, memory cap, no network): Oxigraph's parser and evaluator refuse what is
        # not standard SPARQL 1.1 before the store can read it as its own (Virtuoso's pragmas
        # and functions fetch URLs). No parse-only API exists, and an empty store's query()
        # computes aggregates and ORDER BY at once: hence the workers, not this process.
        self.checker = checker
        self.graphs = graphs
        self.timeout = timeout
        self.limit = limit
        self.max_bytes = max_bytes
        self.credentials = credentials
        self._scheme: str | None = None
        # At most `workers` of the endpoint's queries at the store at once, and two of the
        # site's own, so that slow queries never hold up pages and /health (as embedded).
        self._slots = {
            "sparql": threading.BoundedSemaphore(workers),
            "site": threading.BoundedSemaphore(2),
        }
        self._sizes = {"sparql": workers, "site": 2}
        self._last_error: str | None = None
        self._problem: str | None = None  # what check() found wrong, until it finds nothing
        self._checked_at = 0.0

    # ------------------------------------------------------------------ the Store protocol

    def query(self, request: QueryRequest) -> Answer:
        """Answer a query from the store; raise QueryRejected, QueryTimeout or StoreUnavailable.

        A stranger's query (`pool="sparql"`) is checked first, and sent without its FROM
        clauses and with a LIMIT; its text is scanned once, or not at all if the request
        brings its scan.
        """
        timeout = self.timeout if request.timeout is None else request.timeout
        pool, base_iri = request.pool, request.base_iri
        started = time.monotonic()
        scanned = request.scan or scan(request.query)
        inspection = scanned.inspection
        if pool == "sparql":
            self._check(request, scanned, timeout)
            timeout = max(0.5, timeout - (time.monotonic() - started))
        slot = self._slots[pool]
        wait = min(timeout, self.QUEUE_WAIT) if pool == "sparql" else timeout
        if not slot.acquire(timeout=wait):
            raise StoreBusy(
                f"all {self._sizes[pool]} connections to the store are busy; none was free "
                f"within {wait:g} s: try again shortly"
            )
        try:
            defaults, named = self._dataset(inspection, request)
            accept = ACCEPT["graph" if inspection.returns_graph else "results"]
            limit = self.limit if request.limit is None else request.limit
            # A stranger's query goes without its FROM clauses (the dataset goes by the
            # protocol's parameters alone: see _dataset), and asks the store for one row over
            # the limit, which tells that the answer was cut. (The site's own are bounded by
            # their patterns; Virtuoso refuses an ORDER BY with a LIMIT over its
            # MaxSortedTopRows.)
            sent = (
                rewrite(scanned, dataset=False, limit=limit + 1)
                if pool == "sparql"
                else request.query
            )
            result = self._ask(sent, inspection.form, defaults, named, base_iri, timeout, accept)
        finally:
            slot.release()
        try:
            reply = write_result(  # reads the store's answer as it writes
                result,
                results_format=request.results_format,
                graph_format=request.graph_format,
                limit=limit,
                max_bytes=self.max_bytes,
            )
        except (SyntaxError, ValueError) as exc:
            raise self._down(f"the store's answer could not be read: {exc}") from exc
        _, kind, body, truncated, count = reply
        return Answer(kind, body, truncated, count)

    def _check(self, request: QueryRequest, scanned: Scan, timeout: float) -> None:
        """Refuse what the store must not read."""
        if self.checker is None:
            raise StoreUnavailable("the remote store has no query checker")
        refuse_custom_functions(scanned)
        inspection = scanned.inspection
        self.checker.query(
            QueryRequest(
                request.query,
                graph_format="ntriples",
                timeout=timeout,
                limit=1,
                base_iri=request.base_iri,
                union=not (inspection.from_graphs or inspection.from_named_graphs),
                pool="sparql",
            )
        )

    def check(self, timeout: float = 60) -> str | None:
        """Say what is wrong with the store, if anything: down, refusing us, or holding other
        counts of triples than the build says it should (not loaded, or another build)."""
        self._checked_at = time.monotonic()
        values = " ".join(f"<{g}>" for g in sorted(self.graphs))
        query = (
            "SELECT ?g (COUNT(*) AS ?n) WHERE { "
            f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        )
        try:
            answer = self.query(QueryRequest(query, timeout=timeout, limit=len(self.graphs) + 1))
        except NapGraphError as exc:
            self._problem = str(exc)
            return self._problem
        rows = json.loads(answer.body)["results"]["bindings"]
        found = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
        wrong = [
            f"{graph} has {found.get(graph, 0):,} triples, the build {count:,}"
            for graph, count in sorted(self.graphs.items())
            if found.get(graph, 0) != count
        ]
        self._problem = (
            "it does not hold the build (run `nap-graph load`): " + "; ".join(wrong)
            if wrong
            else None
        )
        return self._problem

    def graph_names(self) -> list[str]:
        return sorted(self.graphs)

    def health(self) -> dict:
        # The counts are looked at again after a while, or sooner while something was wrong
        # (a store being loaded, emptied, switched by hand), with a short limit.
        since = time.monotonic() - self._checked_at
        if since > self.RECHECK or self._problem is not None:
            self.check(timeout=5)
        return {
            "ok": self._problem is None,
            **({"error": self._problem} if self._problem else {}),
            "store": self.name,
            "mode": self.mode,
            "endpoint": self.endpoint,
            "triples": sum(self.graphs.values()),
            "graphs": len(self.graphs),
            "last_error": self._last_error,
        }

    def close(self) -> None:
        if self.checker is not None:
            self.checker.close()

    def _dataset(self, inspection: Inspection, request: QueryRequest):
        """The dataset to name in the request, always explicitly, from our graphs alone.

        The protocol's parameters override a query's FROM and FROM NAMED, so the store never
        reads a graph that is not ours (a load's staging graph, its system graphs) nor fetches
        one from elsewhere; a graph we do not hold is read as empty, as the embedded store does.
        """
        if request.default_graphs or request.named_graphs:
            defaults, named = request.default_graphs, request.named_graphs
        elif request.union:
            return sorted(self.graphs), sorted(self.graphs)
        else:
            base_iri = request.base_iri or ""
            defaults = [urljoin(base_iri, g) for g in inspection.from_graphs]
            named = [urljoin(base_iri, g) for g in inspection.from_named_graphs]
        defaults = [g for g in defaults if g in self.graphs] or [NO_GRAPH]
        named = [g for g in named if g in self.graphs] or [NO_GRAPH]
        return defaults, named

    # ------------------------------------------------------------------ the request

    def _client(self, timeout: float, accept: str) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # ask by Accept only; stores read format= differently
        client.setTimeout(max(1, round(timeout)))
        client.addCustomHttpHeader("Accept", accept)
        if self.credentials is not None:
            if self._scheme is None:
                self._scheme = auth_scheme(self.endpoint, self.credentials)
            client.setHTTPAuth(DIGEST if self._scheme == "digest" else BASIC)
            client.setCredentials(self.credentials.user, self.credentials.password)
        return client

    def _ask(self, sparql, form, defaults, named, base_iri, timeout, accept):
        client = self._client(timeout, accept)
        # The store cannot be told the base IRI; a BASE in front of the prologue does that.
        client.setQuery(f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql)
        # SPARQLWrapper guesses the form by searching the text for keywords, and sends a query
        # with "address" or "# load" in it as an update: the form is known.
        client.queryType = form
        for graph in defaults:
            client.addDefaultGraph(graph)
        for graph in named:
            client.addNamedGraph(graph)
        started = time.monotonic()
        try:
            response = client.query().response
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = _read_until(response, 4 * self.max_bytes + 1, started + timeout)
            # Virtuoso's "anytime" answers: what it found before its time limit, said only in
            # a header. Part of an answer is not served as the answer.
            if response.headers.get("X-SQL-State", "").upper() == "S1TAT":
                raise QueryTimeout(
                    "the store stopped the query at its time limit and offered part of an "
                    "answer, which is not served as the answer"
                )
        except QueryBadFormed as exc:
            raise QueryRejected(f"the store refused the query: {store_message(exc)}") from exc
        except Unauthorized as exc:
            raise self._down("the store refused the credentials (401)") from exc
        except EndPointNotFound as exc:
            raise self._down(f"the store has no SPARQL endpoint at {self.endpoint} (404)") from exc
        except EndPointInternalError as exc:
            message = store_message(exc)
            timed_out = any(word in message.lower() for word in ("timeout", "timed out"))
            if timed_out or time.monotonic() - started >= timeout * 0.9:
                raise QueryTimeout(
                    f"the store stopped the query at its time limit: {message}"
                ) from exc
            raise QueryRejected(f"the store could not evaluate the query: {message}") from exc
        except urllib.error.HTTPError as exc:
            if exc.code == 403:
                raise self._down("the store refused access (403)") from exc
            if exc.code >= 500:
                raise self._down(f"the store failed ({exc.code})") from exc
            raise QueryRejected(f"the store refused the query ({exc.code}): {exc.reason}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(
                f"the store did not answer within the time limit of {timeout:g} s"
            ) from exc
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            if isinstance(getattr(exc, "reason", None), TimeoutError):
                raise QueryTimeout(
                    f"the store did not answer within the time limit of {timeout:g} s"
                ) from exc
            raise self._down(
                f"the store at {self.endpoint} does not answer: {failure_reason(exc)}"
            ) from exc
        except SPARQLWrapperException as exc:
            raise QueryRejected(f"the store refused the query: {store_message(exc)}") from exc
        if len(body) > 4 * self.max_bytes:
            raise QueryRejected(
                f"the store's answer is over {4 * self.max_bytes / 1e6:g} MB: add a LIMIT"
            )
        self._last_error = None
        try:
            fmt = formats.by_name(media_type) if media_type else None
            if fmt is not None and fmt.kind == formats.RESULTS:
                return ox.parse_query_results(body, format=fmt.ox)
            if fmt is not None and fmt.kind == formats.GRAPH:
                return list(ox.parse(body, format=fmt.ox))
        except (SyntaxError, ValueError) as exc:
            raise self._down(f"the store's answer could not be read ({media_type}): {exc}") from exc
        raise self._down(f"the store answered in a format not asked for: {media_type or 'none'}")

    def _down(self, message: str) -> StoreUnavailable:
        """Remember why the store failed, for /health, and return the error to raise."""
        self._last_error = message
        return StoreUnavailable(message)


def _read_until(response, most: int, deadline: float) -> bytes:
    """Read an answer in chunks until `most` bytes or the deadline: a store that sends its
    answer slowly is cut at the time limit, not at each read's."""
    chunks, size = [], 0
    while size < most:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer was still coming at the time limit")
        chunk = response.read(min(1 << 16, most - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def graphs_of_void(void: list[ox.Triple]) -> dict[str, int]:
    """Return the named graphs that a build's VoID description lists, with their sizes."""
    name = "http://www.w3.org/ns/sparql-service-description#name"
    triples = "http://rdfs.org/ns/void#triples"
    names = {t.subject: t.object.value for t in void if t.predicate.value == name}
    sizes = {t.subject: int(t.object.value) for t in void if t.predicate.value == triples}
    return {graph: sizes.get(subset, 0) for subset, graph in names.items()}
