"""RDF terms written as N-Triples text.

The build makes about a million triples. Formatting them as N-Triples strings and letting
Oxigraph's parser read them is several times faster than making a Python object per term,
and the sorted lines are the N-Triples dump.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = f"^^<{XSD}integer>"
_GYEAR = f"^^<{XSD}gYear>"
_GYEARMONTH = f"^^<{XSD}gYearMonth>"
_DATE = f"^^<{XSD}date>"
_DECIMAL = f"^^<{XSD}decimal>"

# N-Triples string escapes (RDF 1.1 N-Triples, canonical form): ECHAR for the usual ones,
# \\u for the other control characters.
_ESCAPES = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPES.update(
    {
        ord("\\"): "\\\\",
        ord('"'): '\\"',
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        0x08: "\\b",
        0x0C: "\\f",
    }
)


def iri(value: str) -> str:
    """Return an IRI as an N-Triples term."""
    return f"<{value}>"


def literal(text: str, language: str | None = None, datatype: str | None = None) -> str:
    """Return a literal as an N-Triples term: plain (xsd:string), language-tagged or typed."""
    quoted = '"' + text.translate(_ESCAPES) + '"'
    if language:
        return f"{quoted}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


def integer(value: int) -> str:
    return f'"{value}"{_INTEGER}'


def gyear(value: int) -> str:
    return f'"{value:04d}"{_GYEAR}'


def gyearmonth(value: str) -> str:
    return f'"{value}"{_GYEARMONTH}'


def date(value: str) -> str:
    return f'"{value}"{_DATE}'


def boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^<{XSD}boolean>'


def decimal(value: str) -> str:
    return f'"{value}"{_DECIMAL}'


def from_rdflib(term) -> str:
    """Return an rdflib term as an N-Triples term."""
    if isinstance(term, URIRef):
        return iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return literal(str(term), term.language, str(term.datatype) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")
