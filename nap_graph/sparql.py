"""Read what a SPARQL request asks for before running it: its form, its dataset, its dangers.

Oxigraph parses and runs queries, but a server must refuse some before they run: updates
(the endpoint is read-only) and SERVICE (no query makes the server fetch a URL); FROM and
the dataset parameters may only name graphs of the store, read as empty when it has none
of that name. This scans the query's tokens, skipping strings, IRIs and
comments, so that a keyword inside a literal or an IRI never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nap_graph.errors import QueryRejected

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<pname>[A-Za-z][\w.-]*:[\w.:%-]*|:[\w.:%-]*)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Inspection:
    """What a request's query text says about itself."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[tuple[str, str]]:
    """Return (kind, text) for each token of a query, comments left out."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            found.append((kind, match.group(kind)))
    return found


def inspect(text: str) -> Inspection:
    """Classify a query; raise QueryRejected for updates and for SERVICE."""
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    base = ""
    form = None
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        keyword = value.upper()
        if keyword == "SERVICE":
            raise QueryRejected(
                "SERVICE is not allowed: this endpoint never fetches data from other addresses"
            )
        if form is None:
            if keyword == "PREFIX" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
                prefixes[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
            elif keyword == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
                base = toks[i + 1][1][1:-1]
            elif keyword in QUERY_FORMS:
                form = keyword
            elif keyword in UPDATE_KEYWORDS:
                raise QueryRejected(
                    "this is a SPARQL update, and the endpoint is read-only: updates are refused"
                )
    if form is None:
        raise QueryRejected("malformed query: no SELECT, CONSTRUCT, DESCRIBE or ASK")
    inspection = Inspection(form)
    for i, (kind, value) in enumerate(toks):
        if kind != "word" or value.upper() != "FROM":
            continue
        named = i + 1 < len(toks) and toks[i + 1][0] == "word" and toks[i + 1][1].upper() == "NAMED"
        target = (
            toks[i + 2]
            if named and i + 2 < len(toks)
            else toks[i + 1]
            if i + 1 < len(toks)
            else None
        )
        iri = _resolve(target, prefixes, base) if target else None
        if iri is None:
            continue  # a malformed FROM: Oxigraph's parser reports it
        (inspection.from_named_graphs if named else inspection.from_graphs).append(iri)
    return inspection


def _resolve(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    kind, value = token
    if kind == "iri":
        iri = value[1:-1]
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else base + iri
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def unknown_graphs(graphs: list[str], known: set[str]) -> list[str]:
    """Return the graphs named by a request that the store does not hold.

    They are read as empty graphs, as the protocol allows; the endpoint never fetches them.
    """
    return sorted({g for g in graphs if g not in known})
