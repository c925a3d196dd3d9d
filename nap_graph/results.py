"""Write query results in the format asked, within the row and byte caps.

Two writers give the same answers. Ours write SELECT rows and ASK answers in the W3C results
formats byte for byte as Oxigraph does (tests/test_results.py compares them), but for a
carriage return in XML, written `&#13;` so that XML readers keep it; they cut an answer at
`limit` rows or at about `max_bytes` of its terms' text, then to what fits. Oxigraph's, two to
five times faster, write a whole result at once: in the query workers they write SELECT
answers into a file that stops them a row past the limit, and their answer is sent when it is
the one ours would write, which the rows they wrote tell (_by_oxigraph); otherwise ours write
those rows (tests/test_result_writers.py compares the two). Triples are counted by their
N-Triples, which Oxigraph writes (_write_graph). `write_result` is what the query workers and
the remote store write every answer with (the remote store's SELECT answers with ours alone);
`check_xml` is what the server reads an XML answer with before sending it, to refuse one that
XML cannot hold (a control character in a literal).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from itertools import chain, islice

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


def _write_within(
    write, kept: list, truncated: bool, max_bytes: int, body: bytes | None = None
) -> tuple[bytes, list, bool]:
    """Write the items kept (or take `body`, already written), halving them until the text
    fits in `max_bytes` (escapes and markup make it longer than the terms' own text)."""
    body = write(kept) if body is None else body
    while len(body) > max_bytes and kept:
        kept, truncated = kept[: len(kept) // 2], True
        body = write(kept)
    return body, kept, truncated


def write_result(
    result, *, results_format: str, graph_format: str, limit: int, max_bytes: int, again=None
) -> tuple:
    """Write a query's result (Oxigraph's, or parsed from another store's answer) in the format
    asked, within `limit` rows or triples and `max_bytes`: ("ok", kind, body, truncated, count).

    With `again`, a function that runs the query anew (for an answer Oxigraph's writer could
    not finish within the bytes), Oxigraph writes SELECT answers (_by_oxigraph)."""
    if isinstance(result, ox.QueryBoolean):
        return ("ok", "boolean", write_ask(bool(result), results_format), False, 1)
    if isinstance(result, ox.QuerySolutions):
        if again is not None:
            return _by_oxigraph(result, results_format, limit, max_bytes, again)
        return _write_solutions(result, results_format, limit, max_bytes)
    return _write_graph(result, graph_format, limit, max_bytes)


def _write_solutions(solutions, fmt: str, limit: int, max_bytes: int) -> tuple:
    """Write SELECT rows with the writers above: the first `limit` rows, about `max_bytes` of
    terms' text at most (each term as N-Triples writes it), and fewer if the text is longer."""
    variables = [v.value for v in solutions.variables]
    rows, truncated = _within(
        (tuple(s[v] for v in variables) for s in solutions),
        limit,
        max_bytes,
        lambda row: sum(len(str(t)) for t in row if t is not None),
    )
    body, rows, truncated = _write_within(
        lambda rows: write_select(variables, rows, fmt), rows, truncated, max_bytes
    )
    return ("ok", "bindings", body, truncated, len(rows))


# ------------------------------------------------------------------ Oxigraph's writers


# Bytes by how many characters more N-Triples (what _within counts) writes of them in a
# literal than a format does: "+" one (\b, \f; in XML also \, tab and line feed, raw there),
# "3" three at most (U+FFFE and U+FFFF, written \uFFFF, whose UTF-8 starts with EF, as other
# characters' does), "5" five (a control character or DEL, written \u0001), "." none. In TSV,
# "s" separates terms (tab, line feed; a space, in a triple term) and "x" may start a short
# form (1, -1.5, 1e3, true), which N-Triples writes "1"^^<...#integer>.
def _classes(plus: bytes = b"", separators: bytes = b"", short: bytes = b"", raw=True) -> bytes:
    """A table for bytes.translate that gives each byte's class (`raw`: the format writes
    control characters raw)."""
    table = bytearray(b"." * 256)
    for chars, name in (
        (range(0x20) if raw else b"", b"5"),
        (b"\x7f", b"5"),
        (b"\xef", b"3"),
        (plus, b"+"),
        (short, b"x"),
        (separators, b"s"),
    ):
        for c in chars:
            table[c] = name[0]
    return bytes(table)


_TSV_CLASSES = _classes(b"\x08\x0c", b"\t\n ", b"+-.0123456789tf")
_XML_CLASSES = _classes(b"\\\t\n\x08\x0c")
_JSON_CLASSES = _classes(raw=False)  # JSON escapes them as N-Triples does, or longer; not DEL
_SHORT_FORM_EXTRA = max(len(f'""^^<{datatype}>') for datatype in _SHORT_FORMS)


class _Rows:
    """A file Oxigraph writes a SELECT answer to: it keeps the bytes and finds, as they come,
    where rows end, which is where the answer is cut to that many rows. It stops the writer
    once row `limit` + 1 has ended (the answer is cut, and our writers have the rows they
    would read, should Oxigraph's answer not do), or past `cap` bytes.

    A row ends before each `marker` but the first `skip` ones (after it, if `after`); a
    document cut there ends with `end`. Markers that straddle two writes are found by
    looking again at the last `keep` bytes of each.
    """

    format = ox.QueryResultsFormat.TSV
    marker, skip, after, end, keep = b"\n", 1, 1, b"", 0
    most = 1 + _SHORT_FORM_EXTRA  # bound() / len(body), at most

    def __init__(self, limit: int, cap: int):
        self.limit, self.cap = limit, cap
        self.parts: list[bytes] = []
        self.size = self.markers = 0
        self.ends: dict[int, int] = {}  # where rows `limit` and `limit` + 1 end, once found
        self.tail = b""
        self.stopped = self.overflowed = False

    def write(self, chunk: bytes) -> int:
        seg, origin = self.tail + chunk, self.size - len(self.tail)
        self.parts.append(chunk)
        self.size += len(chunk)
        found = self.count(seg)
        for rows in (self.limit, self.limit + 1):
            n = rows + self.skip - self.markers  # the marker after row `rows`, in seg
            if 0 < n <= found:
                self.ends[rows] = origin + self.find(seg, n) + self.after
        self.markers += found
        self.tail = seg[max(0, len(seg) - self.keep) :]
        if self.limit + 1 in self.ends:
            self.markers, self.stopped = self.limit + 1 + self.skip, True  # those read
            raise BrokenPipeError("the answer is cut here")
        if self.size > self.cap or self.uncounted():
            self.stopped = self.overflowed = True
            raise BrokenPipeError("the answer is not written here")
        return len(chunk)

    def flush(self) -> None:
        pass

    def body(self) -> bytes:
        return b"".join(self.parts)

    def uncounted(self) -> bool:
        """Whether the rows cannot be counted here, and are not few."""
        return False

    def count(self, seg: bytes) -> int:
        return seg.count(self.marker)

    def find(self, seg: bytes, n: int) -> int:
        """Where the n-th marker of seg starts."""
        at = -1
        for _ in range(n):
            at = seg.index(self.marker, at + 1)
        return at

    def kept(self, body: bytes) -> tuple[bytes, bool, int] | None:
        """The first `limit` rows, whether there were more, and how many were kept (None if
        that cannot be told)."""
        end = self.ends.get(self.limit)
        if end is not None and self.cut(body, end):
            return body[:end] + self.end, True, self.limit
        return body, False, self.rows(body)

    def cut(self, body: bytes, end: int) -> bool:
        """Whether a row follows the end of row `limit`: in TSV, anything after its line feed."""
        return len(body) > end

    def rows(self, body: bytes) -> int:
        return self.markers - 1  # the header is a line

    def read(self, body: bytes) -> bytes:
        """What our writers read: the rows up to `limit` + 1 (a row more shows the cut)."""
        return body[: self.ends[self.limit + 1]] + self.end if self.stopped else body

    @staticmethod
    def bound(body: bytes) -> int:
        """At least what _within counts of these rows (each term's N-Triples text, in
        characters): TSV writes terms as N-Triples does, but for short forms and control
        characters, and in bytes."""
        classes = body.translate(_TSV_CLASSES)
        return _extra(body, classes) + _SHORT_FORM_EXTRA * classes.count(b"sx")


class _XmlRows(_Rows):
    """Each row starts with <result> (a "<" in a value is written &lt;)."""

    format = ox.QueryResultsFormat.XML
    marker, skip, after, end = b"<result>", 1, 0, b"</results></sparql>"
    keep, most = len(marker) - 1, 6

    def cut(self, body: bytes, end: int) -> bool:
        return True  # row `limit` + 1 has started

    def rows(self, body: bytes) -> int:
        return self.markers

    @staticmethod
    def bound(body: bytes) -> int:
        return _extra(body, body.translate(_XML_CLASSES))


class _JsonRows(_Rows):
    """Each row but the first starts with `,{"` and a variable's name. Those three bytes
    cannot be a string's: the quote would end it, and what follows a string's end (`:`, `,`,
    `}`, `]`) is no name. An empty row, `,{}` (or `[{}` first), may be a string's: with
    one, the rows are not counted here."""

    format = ox.QueryResultsFormat.JSON
    marker, skip, after, end, keep, most = b',{"', 0, 0, b"]}}", 3, 6
    # A row's start (with the byte after it: those in the last three bytes, the next write),
    # or what may be an empty row. (One expression: Python's finds both in one pass.)
    ROW = re.compile(rb',\{"[^:,}\]]|,\{\}')
    FEW = 1 << 16  # bytes of rows that may not be counted here, which ours write

    def __init__(self, limit: int, cap: int):
        super().__init__(limit, cap)
        self.unsure = False

    def count(self, seg: bytes) -> int:
        found = self.ROW.findall(seg)
        empty = found.count(b",{}")
        self.unsure = self.unsure or empty > 0
        return len(found) - empty

    def find(self, seg: bytes, n: int) -> int:
        starts = (m.start() for m in self.ROW.finditer(seg) if m.group() != b",{}")
        return next(islice(starts, n - 1, None))

    def uncounted(self) -> bool:
        # Few rows, ours write them; many (the empty rows of an OPTIONAL over all triples),
        # Oxigraph writes them in TSV instead, and it stops where the limit is.
        return self.unsure and self.size > self.FEW

    def kept(self, body: bytes) -> tuple[bytes, bool, int] | None:
        rows = body.find(b'"bindings":[') + len(b'"bindings":[')  # the first is the head's
        if self.unsure or body.startswith(b"{}", rows):
            return None
        return super().kept(body)

    def cut(self, body: bytes, end: int) -> bool:
        return True

    def rows(self, body: bytes) -> int:
        return self.markers + (not body.endswith(b"[]}}"))

    @staticmethod
    def bound(body: bytes) -> int:
        return _extra(body, body.translate(_JSON_CLASSES))


def _extra(body: bytes, classes: bytes) -> int:
    return len(body) + classes.count(b"+") + 3 * classes.count(b"3") + 5 * classes.count(b"5")


# The format Oxigraph writes a SELECT answer in first, per format asked: CSV keeps no
# datatype, which the bound of what _within counts needs, so it is written from TSV.
_ROWS = {"json": _JsonRows, "xml": _XmlRows, "tsv": _Rows, "csv": _Rows}
_RESULT_FORMATS = {f.name: f.ox for f in formats.RESULT_FORMATS}


def _by_oxigraph(solutions, fmt: str, limit: int, max_bytes: int, again, kind=None) -> tuple:
    """Write SELECT rows with Oxigraph's writers: the answer _write_solutions would give, byte
    for byte, as Oxigraph writes rows as ours do (but for the carriage return in XML, see _xml).

    Oxigraph writes the answer until row `limit` + 1 ends (_Rows). Ours keep the same rows
    unless the byte cap cuts them, which it cannot while what _within counts of them (at most
    their `bound`) and their text are within `max_bytes`: then Oxigraph's text is the answer
    (CSV written from the TSV, read back, as CSV keeps no datatypes to bound the count by;
    so is JSON whose rows may be empty, which JSON does not tell from a string). Otherwise
    ours write the rows Oxigraph wrote, read back; or the query's result anew, if Oxigraph
    could not write them within `max_bytes` or read them back (_:a:b).
    """
    if fmt not in _ROWS or limit < 1:
        return _write_solutions(solutions, fmt, limit, max_bytes)
    kind = kind or _ROWS[fmt]
    rows = kind(limit, max_bytes)
    try:
        solutions.serialize(rows, format=rows.format)
    except Exception:  # what Oxigraph makes of rows' BrokenPipeError, or the query's error
        if not rows.stopped:
            raise
    if rows.overflowed:
        if kind is _JsonRows and rows.uncounted():
            return _by_oxigraph(again(), fmt, limit, max_bytes, again, _Rows)
        return _write_solutions(again(), fmt, limit, max_bytes)
    body = rows.body()
    kept = rows.kept(body)
    if kept is not None:
        written, truncated, count = kept
        if fmt == "xml":  # Oxigraph's markup holds no carriage return: each is a literal's
            written = written.replace(b"\r", b"&#13;")
        if rows.most * len(written) <= max_bytes or rows.bound(written) <= max_bytes:
            if rows.format != _RESULT_FORMATS[fmt]:
                written = _from_tsv(written, _RESULT_FORMATS[fmt])
            if written is not None and len(written) <= max_bytes:
                return ("ok", "bindings", written, truncated, count)
    read = rows.read(body)
    read = read.replace(b"\r", b"&#13;") if fmt == "xml" else read
    try:
        return _write_solutions(
            ox.parse_query_results(read, format=rows.format), fmt, limit, max_bytes
        )
    except SyntaxError:  # a blank node's TSV it cannot read back (_:a:b, from BNODE("a:b"))
        return _write_solutions(again(), fmt, limit, max_bytes)


def _from_tsv(body: bytes, fmt: ox.QueryResultsFormat) -> bytes | None:
    """An answer Oxigraph wrote in TSV, in another format, or None if it cannot read it back."""
    try:
        return ox.parse_query_results(body, format=_Rows.format).serialize(format=fmt)
    except SyntaxError:
        return None


# ------------------------------------------------------------------ graphs

_CHUNK = 1000  # triples written to N-Triples at a time, to bound what _within would count


def _write_graph(triples, graph_format: str, limit: int, max_bytes: int) -> tuple:
    """Write CONSTRUCT or DESCRIBE triples: the first `limit`, within about `max_bytes` of
    their N-Triples text, and fewer if the text in the format asked is longer.

    The triples' N-Triples, which Oxigraph writes a chunk at a time, is what _within counts
    (with " ." and a line feed, and in bytes): as long as it is within `max_bytes`, no count
    of each triple's text is needed. An answer in N-Triples is that text.
    """
    fmt = formats.by_name(graph_format, formats.GRAPH).ox
    write = (
        (lambda triples: escape_rdf_xml(ox.serialize(triples, format=fmt)))
        if fmt == ox.RdfFormat.RDF_XML
        else (lambda triples: ox.serialize(triples, format=fmt))
    )
    items = iter(triples)
    kept, lines, bound = [], [], 0
    while len(kept) < limit:
        chunk = list(islice(items, min(_CHUNK, limit - len(kept))))
        if not chunk:
            break
        lines.append(ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES))
        kept += chunk
        bound += len(lines[-1]) - 3 * len(chunk)
        if bound > max_bytes:  # count as ever: the triples so far, then the rest
            kept, truncated = _within(chain(kept, items), limit, max_bytes, lambda t: len(str(t)))
            body, kept, truncated = _write_within(write, kept, truncated, max_bytes)
            return ("ok", "graph", body, truncated, len(kept))
    truncated = next(items, None) is not None
    body = b"".join(lines) if fmt == ox.RdfFormat.N_TRIPLES else None
    body, kept, truncated = _write_within(write, kept, truncated, max_bytes, body)
    return ("ok", "graph", body, truncated, len(kept))
