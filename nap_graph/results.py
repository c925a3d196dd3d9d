"""Write query results in the format asked, within the row and byte caps.

Oxigraph serializes a whole result at once; a server that caps results must write the rows
it kept, so this writes SELECT rows and ASK answers in the W3C results formats, byte for byte
as Oxigraph would (tests/test_results.py compares the two), but for a carriage return in
XML, written `&#13;` so that XML readers keep it. `write_result` is what the query workers and
the remote store write every answer with; `check_xml` is what the server reads an XML answer
with before sending it, to refuse one that XML cannot hold (a control character in a literal).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

import pyoxigraph as ox

from nap_graph import formats
from nap_graph.errors import NotWritable

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
ITS = "http://www.w3.org/2005/11/its"  # where XML results say a literal's base direction
# Literals that TSV writes in Turtle's short form, as Oxigraph does (SPARQL 1.1 Results TSV).
_SHORT_FORMS = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_XML_SPACE = {" ": "&#32;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
# Characters XML 1.0 cannot hold at all, not even as character references (2.2, Char): the C0
# controls but tab, line feed and carriage return, and U+FFFE and U+FFFF. Bytes, as written
# in UTF-8: none of these bytes is part of another character's encoding.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# What Oxigraph's RDF/XML writer puts for a predicate with no XML name at its end (.../1,
# .../): an element named "oxprefix:", which no XML reader reads.
_NO_LOCAL_NAME = re.compile(rb'<oxprefix: xmlns:oxprefix="([^"]*)"')
_OTHER_FORMATS = {
    "xml": "JSON (application/sparql-results+json), CSV or TSV",
    "rdfxml": "Turtle, N-Triples or JSON-LD",
}
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
            if term.direction:
                value["its:dir"] = term.direction.value
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unsupported term in results: {term!r}")


def _xml(value: str) -> str:
    """Escape text or an attribute's value as Oxigraph does: the five markup characters, and
    white space at either end as character references (which XML readers would not keep)."""
    body = "".join(_XML_ESCAPES.get(c, c) for c in value)
    # A carriage return, written raw, reaches every XML reader as a line feed (XML 1.0, 2.11):
    # unlike Oxigraph, which writes it raw inside a value, this writes it as a reference.
    body = body.replace("\r", "&#13;")
    lead = len(body) - len(body.lstrip(" \t\n\r"))
    if lead == len(body):
        return "".join(_XML_SPACE[c] for c in body)
    trail = len(body) - len(body.rstrip(" \t\n\r"))
    end = len(body) - trail
    return (
        "".join(_XML_SPACE[c] for c in body[:lead])
        + body[lead:end]
        + "".join(_XML_SPACE[c] for c in body[end:])
    )


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    if term.language and term.direction:
        return (
            f'<literal xml:lang="{_xml(term.language)}" its:dir="{_xml(term.direction.value)}" '
            f'xmlns:its="{ITS}" its:version="2.0">{_xml(term.value)}</literal>'
        )
    if term.language:
        return f'<literal xml:lang="{_xml(term.language)}">{_xml(term.value)}</literal>'
    if term.datatype.value != XSD_STRING:
        return f'<literal datatype="{_xml(term.datatype.value)}">{_xml(term.value)}</literal>'
    return f"<literal>{_xml(term.value)}</literal>"


def escape_rdf_xml(body: bytes) -> bytes:
    """Return RDF/XML as Oxigraph writes it with each carriage return as `&#13;`, as the
    results writer does: Oxigraph writes a literal's raw, and XML readers turn it into a line
    feed. Oxigraph's markup has none of its own (it ends lines with line feeds)."""
    return body.replace(b"\r", b"&#13;")


def check_xml(body: bytes, fmt: str) -> bytes:
    """Return SPARQL results XML or RDF/XML (`fmt`: "xml", "rdfxml") if it is well-formed as
    far as its writer cannot make it so, else raise NotWritable, which says what cannot be
    written and in which formats it can: a literal with a character XML 1.0 cannot hold (a
    control character: Oxigraph writes it raw, and the document is not XML), or, in RDF/XML,
    a predicate that does not end in an XML name (http://example.org/1), which RDF/XML must
    write as an element's namespace and local name."""
    found = _NOT_XML.search(body)
    if found:
        char = found.group().decode()
        raise NotWritable(
            f"the answer holds a literal with the character U+{ord(char):04X}, which XML 1.0 "
            f"cannot hold, raw or escaped; ask for it in {_OTHER_FORMATS[fmt]}"
        )
    found = _NO_LOCAL_NAME.search(body) if fmt == "rdfxml" else None
    if found:
        predicate = html.unescape(found.group(1).decode())
        raise NotWritable(
            f"RDF/XML cannot write the predicate <{predicate}>: it does not end in a name XML "
            "allows (a letter or _, then letters, digits, -, . or _), so it cannot be split "
            f"into a namespace and a local name; ask for it in {_OTHER_FORMATS[fmt]}"
        )
    return body


def _csv_field(value: str) -> str:
    """Quote a CSV field where RFC 4180 needs it (a comma, a quote, a line break)."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_term(term) -> str:
    if isinstance(term, ox.BlankNode):
        return _csv_field(f"_:{term.value}")
    if isinstance(term, ox.Triple):
        # As Oxigraph writes a triple term: its three parts, each a field, with spaces between.
        return " ".join(_csv_term(t) for t in (term.subject, term.predicate, term.object))
    return _csv_field(term.value)


def _tsv_term(term) -> str:
    """Write a term as SPARQL Results TSV does: Turtle's forms, with the tab escaped."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        parts = " ".join(_tsv_term(t) for t in (term.subject, term.predicate, term.object))
        return f"<<( {parts} )>>"
    short = _SHORT_FORMS.get(term.datatype.value)
    if short is not None and short.fullmatch(term.value) and term.value.isascii():
        return term.value
    quoted = '"' + term.value.translate(_TSV_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}" + (f"--{term.direction.value}" if term.direction else "")
    if term.datatype.value != XSD_STRING:
        return f"{quoted}^^<{term.datatype.value}>"
    return quoted


def write_select(variables: Sequence[str], rows: Sequence[Sequence], fmt: str) -> bytes:
    """Write SELECT rows (tuples of terms or None, in the order of `variables`)."""
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        return json.dumps(
            {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    if fmt == "xml":
        parts = [
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        ]
        parts += [f'<variable name="{_xml(v)}"/>' for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [
                f'<binding name="{_xml(v)}">{_xml_term(t)}</binding>'
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode()
    if fmt == "csv":
        lines = [",".join(_csv_field(v) for v in variables)]
        lines += [",".join("" if t is None else _csv_term(t) for t in row) for row in rows]
        return "".join(line + "\r\n" for line in lines).encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def write_ask(answer: bool, fmt: str) -> bytes:
    """Write the answer of an ASK query."""
    word = "true" if answer else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": answer}, separators=(",", ":")).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{word}</boolean></sparql>"
        ).encode()
    if fmt in ("csv", "tsv"):
        return word.encode()
    raise ValueError(f"unknown results format {fmt!r}")


def _within(items, limit: int, max_bytes: int, size) -> tuple[list, bool]:
    """Take items until `limit` of them or about `max_bytes` of text; say if some were left."""
    kept, total = [], 0
    for item in items:
        total += size(item)
        if len(kept) == limit or total > max_bytes:
            return kept, True
        kept.append(item)
    return kept, False


def _write_within(write, kept: list, truncated: bool, max_bytes: int) -> tuple[bytes, list, bool]:
    """Write the items kept, halving them until the text fits in `max_bytes` (escapes and
    markup make it longer than the terms' own text)."""
    body = write(kept)
    while len(body) > max_bytes and kept:
        kept, truncated = kept[: len(kept) // 2], True
        body = write(kept)
    return body, kept, truncated


def write_result(
    result, *, results_format: str, graph_format: str, limit: int, max_bytes: int
) -> tuple:
    """Write a query's result (Oxigraph's, or parsed from another store's answer) in the format
    asked, within `limit` rows or triples and `max_bytes`: ("ok", kind, body, truncated, count)."""
    if isinstance(result, ox.QueryBoolean):
        return ("ok", "boolean", write_ask(bool(result), results_format), False, 1)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows, truncated = _within(
            (tuple(s[v] for v in variables) for s in result),
            limit,
            max_bytes,
            lambda row: sum(len(str(t)) for t in row if t is not None),
        )
        body, rows, truncated = _write_within(
            lambda rows: write_select(variables, rows, results_format),
            rows,
            truncated,
            max_bytes,
        )
        return ("ok", "bindings", body, truncated, len(rows))
    triples, truncated = _within(result, limit, max_bytes, lambda t: len(str(t)))
    fmt = formats.by_name(graph_format, formats.GRAPH).ox
    write = (
        (lambda triples: escape_rdf_xml(ox.serialize(triples, format=fmt)))
        if fmt == ox.RdfFormat.RDF_XML
        else (lambda triples: ox.serialize(triples, format=fmt))
    )
    body, triples, truncated = _write_within(write, triples, truncated, max_bytes)
    return ("ok", "graph", body, truncated, len(triples))
