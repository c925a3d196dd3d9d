"""Literals in the form the SPARQL engine gives them back, so that the dumps and the endpoint
agree.

Oxigraph keeps numbers, booleans, dates and durations as values, not as the text they came
in: `"0.20"^^xsd:decimal` goes in and `"0.2"` comes out, `"01"^^xsd:integer` comes out as
`"1"`, `"1"^^xsd:boolean` as `"true"`, and an xsd:int or xsd:nonNegativeInteger as an
xsd:integer. A dump holding the text as the source wrote it would disagree with every answer
the endpoint gives about it. So the build writes each such literal as Oxigraph gives it back:
each distinct literal goes through a store of its own once, and what the store returns is the
canonical form, the engine's by construction rather than by a copy of its rules.

    canonical_literals(['"0.20"^^<http://www.w3.org/2001/XMLSchema#decimal>'])
    # {'"0.20"^^<...#decimal>': '"0.2"^^<...#decimal>'}
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
# An N-Triples object typed in XSD ends so; xsd:string is written without its datatype.
_TYPED = f'"^^<{XSD}'
_PREDICATE = "<urn:nap-graph:canonical:value>"


def _object(line: str) -> str | None:
    """Return the object of an N-Triples line (without its " ." end) if it is a literal of
    an XSD datatype, else None. A quote inside a literal is escaped, so the object is what
    follows the last space before a quote."""
    end = line.rfind(_TYPED)
    if end < 0 or not line.endswith(">"):
        return None
    start = line.rfind(' "', 0, end)
    return line[start + 1 :] if start >= 0 else None


def canonical_literals(literals: Iterable[str]) -> dict[str, str]:
    """Map each literal (N-Triples text) whose form Oxigraph changes to the form it gives it
    back; the others are left out. Literals Oxigraph cannot read as their type (an xsd:integer
    "abc") it keeps as written, and so does this."""
    distinct = sorted(set(literals))
    if not distinct:
        return {}
    data = "".join(
        f"<urn:nap-graph:canonical:{i}> {_PREDICATE} {literal} .\n"
        for i, literal in enumerate(distinct)
    )
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.N_TRIPLES)
    changed = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(_PREDICATE[1:-1]), None):
        literal = distinct[int(quad.subject.value.rsplit(":", 1)[1])]
        written = str(quad.object)
        if written != literal:
            changed[literal] = written
    return changed


def canonical(literal: ox.Literal) -> ox.Literal:
    """Return a literal as Oxigraph gives it back (the same literal when it keeps it)."""
    text = str(literal)
    written = canonical_literals([text]).get(text)
    if written is None:
        return literal
    return next(
        iter(ox.parse(f"<urn:x> <urn:x> {written} .", format=ox.RdfFormat.N_TRIPLES))
    ).object


def canonicalize(quads) -> int:
    """Write every literal of the build's quads (nap_graph.graph.Quads) in Oxigraph's
    canonical form before the store is loaded and the dumps are written; return how many
    triples changed. Literals of one text are looked up once, across all the graphs."""
    objects = {}
    for key, lines in quads.parts.items():
        for i, line in enumerate(lines):
            found = _object(line)
            if found is not None:
                objects[(key, i)] = found
    changed = canonical_literals(objects.values())
    count = 0
    for (key, i), found in objects.items():
        if found in changed:
            line = quads.parts[key][i]
            quads.parts[key][i] = line[: -len(found)] + changed[found]
            count += 1
    return count
