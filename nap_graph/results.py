"""Write query results in the format asked, within the row and byte caps.

Oxigraph serializes a whole result at once; a server that caps results must write the rows
it kept, so this writes SELECT rows and ASK answers in the W3C results formats, byte for byte
as Oxigraph would (tests/test_results.py compares the two). `write_result` is what the query
workers and the remote store write every answer with.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pyoxigraph as ox

from nap_graph import formats

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    raise TypeError(f"unsupported term in results: {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={_attr(term.language)}>{_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={_attr(term.datatype.value)}>{_text(term.value)}</literal>"
    return f"<literal>{_text(term.value)}</literal>"


def _attr(value: str) -> str:
    return '"' + escape(value, {'"': "&quot;"}) + '"'


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _csv_term(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _tsv_term(term) -> str:
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value == "http://www.w3.org/2001/XMLSchema#integer"
        and term.value.lstrip("+-").isdigit()
    ):
        return term.value
    # N-Triples syntax, with the tab escaped as TSV requires.
    return str(term).replace("\t", "\\t")


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
        parts += [f"<variable name={_attr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [
                f"<binding name={_attr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _csv_term(t) for t in row])
        return out.getvalue().encode()
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
    body, triples, truncated = _write_within(
        lambda triples: ox.serialize(triples, format=fmt), triples, truncated, max_bytes
    )
    return ("ok", "graph", body, truncated, len(triples))
