"""JSON-LD with a context: the graph's `@context`, and compaction against it (pyld).

The context is made from the dumps' prefixes and the ontology: every prefix, and a term for
each wps: property, named by its local name (`startYear`), or by its compact IRI where the
local name is also a prefix (`wps:country`, since `country:` names the countries):

- object properties coerce their values to IRIs (`"@type": "@id"`);
- datatype properties whose range is one XSD datatype coerce to it (`"@type": "xsd:gYear"`),
  except xsd:string, which a plain JSON string already is; a value of another datatype
  stays a value object, so coercion never changes a triple;
- object properties that the shapes never limit to one value are always arrays
  (`"@container": "@set"`), so that a plan with one focus area reads like one with five.

The context is published at `<BASE_IRI>def/context.jsonld` (the build writes it as
context.jsonld, the server serves it there). JSON-LD is never read from the network here:
the document loader knows the published context and refuses every other remote context.

    ctx = context(Path("ontology"), data_prefixes(iris))
    document = compact(triples, ctx, context_iri(iris.base))
    triples = to_triples(document, {context_iri(iris.base): ctx})
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from nap_graph.errors import NapGraphError
from nap_graph.namespaces import PREFIXES

CONTEXT_FILE = "context.jsonld"  # in the build folder
CONTEXT_PATH = "def/context.jsonld"  # under the base IRI
MEDIA_TYPE = "application/ld+json"
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SH = "http://www.w3.org/ns/shacl#"
_SHAPES_FILE = "shapes.ttl"


def context_iri(base_iri: str) -> str:
    """Return the IRI of the published context for a graph under `base_iri`."""
    return base_iri + CONTEXT_PATH


def _parse(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _single_valued(shapes: list[ox.Triple]) -> set[str]:
    """The properties that some property shape limits to one value (sh:maxCount 1)."""
    limited = {
        t.subject for t in shapes if t.predicate.value == _SH + "maxCount" and t.object.value == "1"
    }
    return {
        t.object.value
        for t in shapes
        if t.predicate.value == _SH + "path"
        and isinstance(t.object, ox.NamedNode)
        and t.subject in limited
    }


def context(ontology_dir: Path, prefixes: Mapping[str, str]) -> dict:
    """Return the `@context` of the graph: the prefixes, then a term per wps: property.

    `ontology_dir` holds wps.ttl (and shapes.ttl, whose sh:maxCount 1 keeps a property out
    of `@set`); `prefixes` are the dumps' (nap_graph.dump.data_prefixes).
    """
    wps = prefixes.get("wps", PREFIXES["wps"])
    ontology = _parse(ontology_dir / "wps.ttl")
    shapes = ontology_dir / _SHAPES_FILE
    single = _single_valued(_parse(shapes)) if shapes.is_file() else set()
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    for t in ontology:
        subject = t.subject.value
        if not isinstance(t.subject, ox.NamedNode) or not subject.startswith(wps):
            continue
        if t.predicate.value == _RDF_TYPE:
            kinds.setdefault(subject, set()).add(t.object.value)
        elif t.predicate.value == _RANGE:  # a blank node (a union) is no single datatype
            ranges.setdefault(subject, set()).add(t.object.value)
    result: dict = dict(prefixes)
    for iri in sorted(kinds):
        local = iri[len(wps) :]
        is_object = _OWL + "ObjectProperty" in kinds[iri]
        if not local or not is_object and _OWL + "DatatypeProperty" not in kinds[iri]:
            continue
        definition: dict[str, str] = {"@id": f"wps:{local}"}
        if is_object:
            definition["@type"] = "@id"
            if iri not in single:
                definition["@container"] = "@set"
        else:
            datatypes = ranges.get(iri, set())  # one XSD range, or no coercion
            datatype = next(iter(datatypes)) if len(datatypes) == 1 else ""
            if datatype.startswith(_XSD) and datatype != _XSD + "string":
                definition["@type"] = "xsd:" + datatype[len(_XSD) :]
        # A name that is also a prefix ("country") stays the compact IRI, which is its own.
        name = f"wps:{local}" if local in prefixes or ":" in local else local
        result[name] = definition
    return result


def context_document(ctx: Mapping) -> bytes:
    """Return the published context file: `{"@context": ...}`, the same bytes for the same
    context."""
    return (json.dumps({"@context": ctx}, indent=2, ensure_ascii=False) + "\n").encode()


def write_context(folder: Path, ontology_dir: Path, prefixes: Mapping[str, str]) -> dict:
    """Write the context into a build folder (CONTEXT_FILE) and return it."""
    ctx = context(ontology_dir, prefixes)
    (folder / CONTEXT_FILE).write_bytes(context_document(ctx))
    return ctx


def read_context(path: Path) -> dict:
    """Return the context of a published context file."""
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def document_loader(known: Mapping[str, Mapping]):
    """Return a pyld document loader that never touches the network: it answers the contexts
    in `known` (IRI -> the `@context` value) and refuses any other remote document."""
    from pyld.jsonld import JsonLdError

    def load(url: str, options=None) -> dict:
        if url in known:
            return {
                "contentType": MEDIA_TYPE,
                "contextUrl": None,
                "documentUrl": url,
                "document": {"@context": known[url]},
            }
        raise JsonLdError(
            f"remote document {url!r} refused: this reader fetches nothing from the network",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading remote context failed",
        )

    return load


def _reason(exc: Exception) -> str:
    """The first cause of a pyld error, which wraps it in errors of each of its steps."""
    while (cause := getattr(exc, "cause", None) or exc.__cause__ or exc.__context__) is not None:
        exc = cause
    return str(exc.args[0] if exc.args else exc)


def _options(known: Mapping[str, Mapping]) -> dict:
    return {"documentLoader": document_loader(known)}


def expanded(triples: Iterable[ox.Triple]) -> list:
    """Return triples as expanded JSON-LD (Oxigraph's writer: one node object per subject)."""
    return json.loads(ox.serialize(list(triples), format=ox.RdfFormat.JSON_LD))


def _types_as_keyword(document: list | dict) -> list | dict:
    """Move rdf:type IRIs into `@type` in the node objects of a flat expanded document,
    as JSON-LD's own RDF reader does (Oxigraph's writes them as a property)."""
    nodes = document if isinstance(document, list) else [document]
    for node in [*nodes, *(n for top in nodes for n in top.get("@graph", []))]:
        values = node.get(_RDF_TYPE)
        if isinstance(values, list) and all(set(v) == {"@id"} for v in values):
            node["@type"] = [*node.get("@type", []), *(v["@id"] for v in node.pop(_RDF_TYPE))]
    return document


def compact(data, ctx: Mapping, iri: str | None = None) -> dict:
    """Return triples, or a JSON-LD document (text, or parsed), compacted against `ctx` (pyld).

    With `iri`, the document's `@context` is that IRI (the published context's) instead of
    the context itself. Compact IRIs are never made relative to a base.
    """
    from pyld import jsonld

    if isinstance(data, (str, bytes)):
        document = json.loads(data)
    elif isinstance(data, dict) or isinstance(data, list) and all(type(n) is dict for n in data):
        document = data  # a document, or the node objects of an expanded one
    else:
        document = expanded(data)
    options = {**_options({}), "compactToRelative": False}
    try:
        result = jsonld.compact(_types_as_keyword(document), dict(ctx), options)
    except jsonld.JsonLdError as exc:
        raise NapGraphError(f"JSON-LD compaction failed: {_reason(exc)}") from exc
    if iri is not None:
        result = {"@context": iri, **{k: v for k, v in result.items() if k != "@context"}}
    return result


def to_triples(document, known: Mapping[str, Mapping] | None = None) -> list[ox.Triple]:
    """Read a JSON-LD document into triples with pyld, resolving only the contexts in
    `known` (IRI -> `@context`); a document naming any other remote context fails."""
    from pyld import jsonld

    data = json.loads(document) if isinstance(document, (str, bytes)) else document
    try:
        nquads = jsonld.to_rdf(data, {**_options(known or {}), "format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        raise NapGraphError(f"JSON-LD could not be read: {_reason(exc)}") from exc
    return [q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)]
