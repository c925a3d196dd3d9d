"""Ways to spell SERVICE, and a listener that tells which of them Oxigraph acts on.

The spellings combine what an adversarial run found getting past a text scan (the keyword glued
to a prefixed name: `SERVICE:x`, `SERVICEl:x`, `SERVICESILENTl:x`) with the other places a
keyword can hide: case, Unicode case mappings, comments, separators, escapes, the token before
it, and the query forms and patterns around it.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEYWORDS = ["SERVICE", "service", "SeRvIcE", "ſervice", "SERV\\u0049CE"]
SILENT = ["", "SILENT", " SILENT ", "silent\t", "SILENT#c\n"]
SEPARATORS = ["", " ", "\n", "#c\n"]
CONTEXTS = [
    "SELECT * WHERE {{ {before}{pattern} }}",
    "ASK {{ {before}{pattern} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ {before}{pattern} }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {before}{pattern} }} }}",
    "CONSTRUCT {{ ?x ?x ?x }} WHERE {{ {before}{pattern} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {before}{pattern} }} }}",
]
BEFORE = ["", "?s ?p ?o .", "?s ?p ?o ", "?s ?p 1", "{ } ", "?s ?p ?o."]


def targets(url: str) -> list[tuple[str, str]]:
    """(prologue, what names the service) pairs for the address `url` (ending in `/`)."""
    return [
        ("", f"<{url}sparql>"),
        (f"PREFIX : <{url}sparql?a=> ", ":x"),
        (f"PREFIX : <{url}sparql> ", ":"),
        (f"PREFIX l: <{url}sparql#> ", "l:x"),
        (f"PREFIX l: <{url}s/p?q=1&r=> ", "l:x"),
        (f"PREFIX SERVICE: <{url}sparql#> ", "SERVICE:x"),
    ]


def spellings(url: str):
    """Every combination, each a whole query naming a service at `url`."""
    for keyword, silent, separator, (prologue, target), context, before in itertools.product(
        KEYWORDS, SILENT, SEPARATORS, targets(url), CONTEXTS, BEFORE
    ):
        pattern = f"{keyword}{separator}{silent}{separator}{target} {{ ?x ?x ?x }}"
        yield prologue + context.format(before=before, pattern=pattern)
    # The spellings of the adversarial run, verbatim in shape.
    for form in (
        "SELECT * WHERE {{ {p} }}",
        "ASK {{ {p} }}",
        "SELECT * {{ {{ SELECT * {{ {p} }} }} }}",
    ):
        for prologue, pattern in (
            (f"PREFIX : <{url}x> ", "SERVICE:x { ?x ?x ?x }"),
            (f"PREFIX : <{url}x> ", "SERVICE: { ?x ?x ?x }"),
            (f"PREFIX l: <{url}x?y=> ", "SERVICEl:x { ?x ?x ?x }"),
            (f"PREFIX l: <{url}x?y=> ", "servicel:x { ?x ?x ?x }"),
            (f"PREFIX l: <{url}x?y=> ", "SERVICESILENTl:x { ?x ?x ?x }"),
        ):
            yield prologue + form.format(p=pattern)


class SparqlListener:
    """An HTTP server on this machine that answers like a SPARQL endpoint and counts requests,
    so that a query that reaches it gets data back, as an attacker's would."""

    BODY = json.dumps(
        {
            "head": {"vars": ["x"]},
            "results": {"bindings": [{"x": {"type": "literal", "value": "LEAKED"}}]},
        }
    ).encode()

    def __init__(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                listener.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(listener.BODY)))
                self.end_headers()
                self.wfile.write(listener.BODY)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
