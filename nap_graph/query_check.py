"""Read what a SPARQL request asks for before running it: its form, its dataset, its dangers.

Oxigraph parses and runs queries, but a server must refuse some before they run: updates
(the endpoint is read-only) and SERVICE (no query makes the server fetch a URL); FROM and
the dataset parameters may only name graphs of the store, read as empty when it has none
of that name. This scans the query's tokens, skipping strings, IRIs and comments, so that a
keyword inside a literal or an IRI never counts.

The scan must split the text where Oxigraph's lexer does, or a SERVICE could hide in what
it takes for a comment or a string: it follows the grammar's terminals (SPARQL 1.1, 19.8),
escapes included (PN_LOCAL_ESC such as `ex:a\\#b`, `\\u0041` in IRIs), and it fails closed:
the word SERVICE anywhere but inside a string, an IRI, a variable, a language tag or the local
part of a prefixed name is refused, as is a backslash or a quote that starts no token.

Oxigraph's parser is a PEG: it matches a keyword by its letters, with no word boundary, and
backtracks between a pattern's alternatives. So `SERVICEl:x`, which a SPARQL lexer reads as one
prefixed name, it reads as SERVICE and `l:x` where a triple pattern fails (`{ SERVICEl:x {} }`),
and `1SERVICE` as 1 and SERVICE. Only a repetition it never gives back (the rest of a name,
variable, string or language tag) is safe; hence SERVICE anywhere in a word or in a prefix is
refused. The tests hold this against Oxigraph itself, spelling by spelling. (The query workers
have no network either: nap_graph/query_worker.py.)

Nesting is bounded too: Oxigraph parses and evaluates recursively, and a query about 860 levels
deep (nested EXISTS; 970 function calls, 2,200 groups, 2,600 BINDs in a row) overflows a
worker's stack and kills it. MAX_NESTING and MAX_CLAUSES keep a margin of 5x or more below.

Every pattern is linear in the length of the query: possessive quantifiers, and classes
that never overlap where a pattern may repeat, so that no input makes the scan backtrack.
A query is scanned once (`scan`): the checks, the inspection and the rewriting for a remote
store all read the one `Scan`.

    checked = scan(text)
    inspect(checked).form                                       # "SELECT"; or QueryRejected
    refuse_custom_functions(checked)                            # for a remote store
    rewrite(checked, dataset=False, limit=10_001)               # the text to send it
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

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

# A character of a name (PN_CHARS; \w also lets in a few more, which is harmless).
_NAME_CHAR = r"[\w\u00B7\u0300-\u036F\u203F\u2040-]"
# A prefix, a keyword or a number: dots inside, never at the end (PN_PREFIX).
_NAME = rf"{_NAME_CHAR}++(?:\.++{_NAME_CHAR}++)*+"
# The local part of a prefixed name adds ':', %hh and the backslash escapes (PN_LOCAL).
_LOCAL_CHAR = rf"(?:{_NAME_CHAR}|:|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
_LOCAL = rf"{_LOCAL_CHAR}++(?:\.++{_LOCAL_CHAR}++)*+"

_TOKEN = re.compile(
    rf"""
    (?P<comment>\#[^\n\r]*+)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*+'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\"
               |'(?:[^'\\\n\r]|\\.)*+'|"(?:[^"\\\n\r]|\\.)*+")
  | (?P<unterminated>['"].*+)  # to the end: a scan from every later quote would be quadratic
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*+>)
  | (?P<pname>(?:{_NAME})?:(?:{_LOCAL})?)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]++)
  | (?P<langtag>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<word>{_NAME})
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

SERVICE_REFUSED = "SERVICE is not allowed: this endpoint never fetches data from other addresses"


@dataclass
class Inspection:
    """What a request's query text says about itself."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK, as read from the text
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


Token = tuple[str, str, int]  # (kind, text, offset in the query)


@dataclass(frozen=True, eq=False)
class Scan:
    """A query text split into tokens once: what inspect, refuse_custom_functions and rewrite
    read, so that a request's text is scanned once however many of them look at it."""

    text: str
    tokens: list[Token]  # comments included

    @cached_property
    def code(self) -> list[Token]:
        """The tokens without the comments."""
        return [token for token in self.tokens if token[0] != "comment"]

    @cached_property
    def inspection(self) -> Inspection:
        """What the query says about itself; raises QueryRejected as `inspect` does."""
        return _inspect(self)


def scan(text: str) -> Scan:
    """Split a query text into its tokens, skipping nothing: comments, strings and IRIs too."""
    return Scan(text, [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)])


def _scanned(query: str | Scan) -> Scan:
    return query if isinstance(query, Scan) else scan(query)


def tokens(query: str | Scan) -> list[tuple[str, str]]:
    """Return (kind, text) for each token of a query, comments left out."""
    return [(kind, value) for kind, value, _ in _scanned(query).code]


def _refuse_what_could_hide_service(scanned: list[Token]) -> None:
    """Refuse SERVICE, and anything the scan cannot be sure is not SERVICE (fail closed)."""
    for kind, value, _ in scanned:
        if kind == "unterminated":
            raise QueryRejected(f"malformed query: a string opened by {value[0]} is never closed")
        if kind == "other" and value == "\\":
            raise QueryRejected(
                "malformed query: a backslash outside a string, an IRI or a prefixed name"
            )
        # upper(), not an ASCII test: 'ſervice'.upper() is SERVICE too, which is refused
        # whether or not Oxigraph would read it as the keyword.
        position = value.upper().find("SERVICE")
        if position < 0 or kind in ("string", "var", "langtag"):
            continue
        if kind == "pname":
            if "SERVICE" not in value.partition(":")[0].upper():
                continue  # in the local part, which the parser reads to its end
            raise QueryRejected(
                f"{SERVICE_REFUSED}; the prefix {value.partition(':')[0]}: holds the word "
                "SERVICE, which may be read as the keyword: rename the prefix"
            )
        # `FILTER(?a<?b)SERVICE?x#>` reads here as one IRI, to Oxigraph as `<`, `)`, SERVICE
        # and a comment: an operator `<` is always in parentheses, so an IRI that closes one
        # before the word may hide it. Other IRIs cannot: no IRI holds a space or a brace.
        if kind == "iri" and ")" not in value[:position]:
            continue
        if kind == "word" and value.upper() == "SERVICE":
            raise QueryRejected(SERVICE_REFUSED)
        raise QueryRejected(
            f"{SERVICE_REFUSED}; the word SERVICE may not appear in a {kind}"
            if kind == "comment"
            else f"{SERVICE_REFUSED}; this query has the word SERVICE where it may be read as the keyword"
        )


MAX_NESTING = 128  # braces, parentheses and brackets, one inside another
MAX_CLAUSES = 500  # BIND, OPTIONAL and MINUS: each nests the rest of its group one level deeper
_CHAINING = {"BIND", "OPTIONAL", "MINUS"}
_OPENING, _CLOSING = "{([", "})]"


def _refuse_deep_nesting(scanned: list[Token]) -> None:
    depth = deepest = clauses = 0
    for kind, value, _ in scanned:
        if kind == "other":
            if value in _OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif value in _CLOSING:
                depth -= 1
        elif kind == "word" and value.upper() in _CHAINING:
            clauses += 1
    if deepest > MAX_NESTING:
        raise QueryRejected(
            f"the query nests {deepest} levels deep (braces, parentheses and brackets one inside "
            f"another); at most {MAX_NESTING} are allowed, as deeper queries can crash the "
            "query engine"
        )
    if clauses > MAX_CLAUSES:
        raise QueryRejected(
            f"the query has {clauses} BIND, OPTIONAL and MINUS clauses; at most {MAX_CLAUSES} "
            "are allowed, as each nests the rest of its group one level deeper and more can "
            "crash the query engine"
        )


def inspect(query: str | Scan) -> Inspection:
    """Classify a query; raise QueryRejected for updates, for SERVICE and for deep nesting."""
    return _scanned(query).inspection


def _inspect(scanned: Scan) -> Inspection:
    _refuse_what_could_hide_service(scanned.tokens)
    _refuse_deep_nesting(scanned.tokens)
    toks = scanned.code
    prefixes: dict[str, str] = {}
    base = ""
    form = None
    for i, (kind, value, _) in enumerate(toks):
        if kind != "word":
            continue
        keyword = value.upper()
        if form is None:
            if keyword == "PREFIX" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
                prefixes[toks[i + 1][1].rstrip(":")] = _iri(toks[i + 2][1])
            elif keyword == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
                base = _iri(toks[i + 1][1])
            elif keyword in QUERY_FORMS:
                form = keyword
            elif keyword in UPDATE_KEYWORDS:
                raise QueryRejected(
                    "this is a SPARQL update, and the endpoint is read-only: updates are refused"
                )
    if form is None:
        raise QueryRejected("malformed query: no SELECT, CONSTRUCT, DESCRIBE or ASK")
    inspection = Inspection(form)
    for i, (kind, value, _) in enumerate(toks):
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


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _iri(token: str) -> str:
    """The IRI an IRIREF token stands for: without its brackets, \\u escapes decoded."""
    return _CODEPOINT.sub(lambda m: chr(int(m[1] or m[2], 16)), token[1:-1])


def _resolve(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    kind, value, _ = token
    if kind == "iri":
        iri = _iri(value)
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else base + iri
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def unknown_graphs(graphs: list[str], known: set[str]) -> list[str]:
    """Return the graphs named by a request that the store does not hold.

    They are read as empty graphs, as the protocol allows; the endpoint never fetches them.
    """
    return sorted({g for g in graphs if g not in known})


XSD = "http://www.w3.org/2001/XMLSchema#"


def refuse_custom_functions(query: str | Scan) -> None:
    """Refuse a call of any function but SPARQL's own and the XSD casts.

    For a remote store, which may run its own (Virtuoso's bif:http_get fetches a URL). A
    function call is an IRI followed by "("; so is an RDF collection after a property, which is
    refused too (fail closed): write it with rdf:first and rdf:rest.
    """
    toks = _scanned(query).code
    prefixes: dict[str, str] = {}
    base = ""
    for i, (kind, value, _) in enumerate(toks):
        if kind == "word" and value.upper() == "PREFIX" and i + 2 < len(toks):
            if toks[i + 2][0] == "iri":
                prefixes[toks[i + 1][1].rstrip(":")] = _iri(toks[i + 2][1])
        elif kind == "word" and value.upper() == "BASE" and i + 1 < len(toks):
            if toks[i + 1][0] == "iri":
                base = _iri(toks[i + 1][1])
        elif kind in ("iri", "pname") and i + 1 < len(toks) and toks[i + 1][:2] == ("other", "("):
            if i > 0 and toks[i - 1][0] == "word" and toks[i - 1][1].upper() == "PREFIX":
                continue
            iri = _resolve(toks[i], prefixes, base) or value
            if not iri.startswith(XSD):
                raise QueryRejected(
                    f"the function {value} is not allowed: only SPARQL's own functions and the "
                    "XSD casts are (an RDF collection after a property reads as a call too: "
                    "write it with rdf:first and rdf:rest)"
                )


def without_dataset_clauses(query: str | Scan) -> str:
    """Return a query without its FROM and FROM NAMED clauses, for a remote store that is
    given the dataset by the protocol's parameters (Virtuoso reads the query's FROM over them)."""
    return rewrite(query, dataset=False)


def with_limit(query: str | Scan, limit: int) -> str:
    """Return a SELECT query that asks for at most `limit` rows: its own LIMIT if lower, else
    a LIMIT added (or lowered) at the top level, before a closing VALUES clause.

    So that a remote store stops where the endpoint would cut the answer, rather than write
    every row (Virtuoso takes 45 s for the 150 MB of `SELECT * { ?s ?p ?o }` here). Other forms
    are returned as they are: a CONSTRUCT's LIMIT counts solutions, not triples.
    """
    return rewrite(query, limit=limit)


def rewrite(query: str | Scan, *, dataset: bool = True, limit: int | None = None) -> str:
    """Return the query's text without its FROM and FROM NAMED clauses (unless `dataset`),
    asking at most `limit` rows (as with_limit), both edits read from the one scan."""
    scanned = _scanned(query)
    edits = [] if dataset else _dataset_clauses(scanned)
    if limit is not None:
        edits += _limit_edit(scanned, limit)
    text, parts, at = scanned.text, [], 0
    # The edits never overlap: FROM and its IRI come before the WHERE clause, LIMIT after it.
    for start, end, replacement in sorted(edits):
        parts += [text[at:start], replacement]
        at = end
    return "".join(parts) + text[at:] if parts else text


def _dataset_clauses(scanned: Scan) -> list[tuple[int, int, str]]:
    """Edits that blank out each FROM or FROM NAMED with its IRI (and comments between)."""
    found, edits = scanned.code, []
    for i, (kind, value, start) in enumerate(found):
        if kind != "word" or value.upper() != "FROM":
            continue
        j = i + 1
        if j < len(found) and found[j][0] == "word" and found[j][1].upper() == "NAMED":
            j += 1
        if j < len(found) and found[j][0] in ("iri", "pname"):
            edits.append((start, found[j][2] + len(found[j][1]), " "))
    return edits


def _limit_edit(scanned: Scan, limit: int) -> list[tuple[int, int, str]]:
    """The edit that makes a SELECT ask for at most `limit` rows, if it asks for more."""
    text = scanned.text
    depth = 0
    form = top_limit = top_values = None
    for kind, value, start in scanned.tokens:
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        elif kind == "word" and depth == 0:
            keyword = value.upper()
            if form is None and keyword in QUERY_FORMS:
                form = keyword
            elif keyword == "LIMIT":
                top_limit = start + len(value)
            elif keyword == "VALUES" and form is not None:
                top_values = start
    if form != "SELECT":
        return []
    if top_limit is not None:
        number = re.compile(r"\s*+(?:#[^\n\r]*+\s*+)*+(\d+)").match(text, top_limit)
        if number is None or int(number[1]) <= limit:
            return []  # its own LIMIT is lower (or malformed, for the parser to report)
        return [(number.start(1), number.end(1), str(limit))]
    at = top_values if top_values is not None else len(text)
    return [(at, at, f"\nLIMIT {limit}\n")]
