"""The ontology and the shapes: the build's files, read once per app, and the documentation
page generated from them and the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from server.render import alternates, local_url
from server.store_access import select, served

OWL = "http://www.w3.org/2002/07/owl#"
KINDS = [
    ("classes", "Classes", (OWL + "Class",)),
    ("object-properties", "Object properties", (OWL + "ObjectProperty",)),
    ("datatype-properties", "Datatype properties", (OWL + "DatatypeProperty",)),
    (
        "structures",
        "Data structure definitions",
        ("http://purl.org/linked-data/cube#DataStructureDefinition",),
    ),
    ("schemes", "Concept schemes", ("http://www.w3.org/2004/02/skos/core#ConceptScheme",)),
    ("concepts", "Concepts", ("http://www.w3.org/2004/02/skos/core#Concept",)),
]
OWL_VERSION_IRI = OWL + "versionIRI"
QB = "http://purl.org/linked-data/cube#"
# A structure's components by their role, in the order a reader looks for them.
COMPONENT_ROLES = [
    ("dimension", "Dimensions"),
    ("measure", "Measures"),
    ("attribute", "Attributes"),
]


@dataclass(frozen=True)
class Vocabulary:
    """A vocabulary document of the build (the ontology or the shapes), read once per app."""

    data: bytes  # the file's bytes, served as they are for Turtle
    triples: list[ox.Triple]

    def publishes(self, version_iri: str) -> bool:
        """Whether the document names this version IRI as its owl:versionIRI."""
        return any(
            t.predicate.value == OWL_VERSION_IRI and t.object.value == version_iri
            for t in self.triples
        )


def _vocabulary_file(name: str) -> Path:
    return served().build_dir / "ontology" / name


def _cache() -> dict:
    return served().cache.setdefault("vocabularies", {})


def built_vocabulary(name: str) -> Vocabulary | None:
    """Return the build's `ontology/<name>` (wps.ttl, shapes.ttl), parsed on first use by
    this app and kept, like the VoID description; None when it was not built."""
    cache = _cache()
    if name not in cache:
        source = _vocabulary_file(name)
        if source.is_file():
            data = source.read_bytes()
            triples = ox.parse(data, format=ox.RdfFormat.TURTLE)
            cache[name] = Vocabulary(data, stable_blank_nodes(triples))
        else:
            cache[name] = None
    return cache[name]


def stable_blank_nodes(triples) -> list[ox.Triple]:
    """Name the blank nodes of a document in the order they first appear (b1, b2...): the
    parser names the anonymous ones ([ ], lists) at random, so each process, and each build,
    wrote other bytes for the same file, and ETags never matched. The file fixes the order,
    so every format's bytes are the same for one build (tests/test_negotiation.py)."""
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term):
        if isinstance(term, ox.BlankNode):
            if term not in names:
                names[term] = ox.BlankNode(f"b{len(names) + 1}")
            return names[term]
        return term

    return [ox.Triple(stable(t.subject), t.predicate, stable(t.object)) for t in triples]


def built_shape_rules() -> dict[str, list[dict]]:
    """Return shape_rules of the build's shapes, worked out on first use by this app."""
    cache = _cache()
    if "rules" not in cache:
        source = _vocabulary_file("shapes.ttl")
        cache["rules"] = shape_rules(source) if source.exists() else {}
    return cache["rules"]


def _text(values: dict, predicate: str) -> str | None:
    found = values.get(predicate, [])
    english = [v for v in found if isinstance(v, ox.Literal) and v.language in ("en", None)]
    return (english or found or [None])[0].value if (english or found) else None


def shape_rules(shapes_path: Path) -> dict[str, list[dict]]:
    """Return, per class, the rules its shapes state: path, cardinality, type and message."""
    shapes = Graph().parse(shapes_path, format="turtle")
    rules = defaultdict(list)
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            inverse = shapes.value(path, SH.inversePath) if not isinstance(path, URIRef) else None
            rule = {
                "path": str(inverse or path),
                "inverse": inverse is not None,
                "min": shapes.value(prop, SH.minCount),
                "max": shapes.value(prop, SH.maxCount),
                "type": shapes.value(prop, SH.datatype) or shapes.value(prop, SH["class"]),
                "message": shapes.value(prop, SH.message),
            }
            rule = {
                k: (str(v) if v is not None and not isinstance(v, bool) else v)
                for k, v in rule.items()
            }
            rules[str(cls)].append(rule)
            # The property's own entry lists the rule too, saying which class it applies to.
            rules[rule["path"]].append({**rule, "path": None, "on": str(cls)})
        for constraint in shapes.objects(shape, SH.sparql):
            rules[str(cls)].append(
                {"path": None, "message": str(shapes.value(constraint, SH.message))}
            )
    return rules


def components(values: dict, blank: dict) -> list[tuple[str, list[str]]]:
    """Return a Data Cube structure's components by role, each role's in qb:order."""
    found = defaultdict(list)
    for node in values.get(QB + "component", []):
        spec = blank.get(node, {})
        order = spec.get(QB + "order", [])
        rank = int(order[0].value) if order else 0
        for role, _ in COMPONENT_ROLES:
            for prop in spec.get(QB + role, []):
                found[role].append((rank, prop.value))
    return [
        (title, [p for _, p in sorted(found[role], key=lambda c: c[0])])
        for role, title in COMPONENT_ROLES
        if found[role]
    ]


def ontology_page(iri: str, triples: list[ox.Triple], path: str) -> dict:
    """Gather the terms of a vocabulary document, grouped by kind, with their uses."""
    by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    blank: dict[ox.BlankNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject[t.subject.value][t.predicate.value].append(t.object)
        elif isinstance(t.subject, ox.BlankNode):
            blank[t.subject][t.predicate.value].append(t.object)
    counts = {}
    if path == "def/wps":
        for row in select("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
            counts[row["c"]["value"]] = int(row["n"]["value"])
        for row in select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
            counts[row["p"]["value"]] = int(row["n"]["value"])
    rules = built_shape_rules() if path == "def/wps" else {}
    sections = []
    for anchor, title, types in KINDS:
        terms = []
        for subject, values in sorted(by_subject.items()):
            if not subject.startswith(iri + "#") and subject != iri:
                continue
            if not any(t.value in types for t in values.get(str(RDF.type), [])):
                continue
            terms.append(
                {
                    "iri": subject,
                    "name": subject.rsplit("#", 1)[-1],
                    "label": _text(values, str(RDFS.label)) or _text(values, str(SKOS.prefLabel)),
                    "comment": _text(values, str(RDFS.comment)),
                    "notation": _text(values, str(SKOS.notation)),
                    "domain": [v.value for v in values.get(str(RDFS.domain), [])],
                    "range": [v.value for v in values.get(str(RDFS.range), [])],
                    # Each relation by its own name: a class's superclass is no broader concept.
                    "relations": [
                        (name, [v.value for v in values.get(str(predicate), [])])
                        for name, predicate in (
                            ("Subclass of", RDFS.subClassOf),
                            ("Subproperty of", RDFS.subPropertyOf),
                            ("Broader concept", SKOS.broader),
                            ("In scheme", SKOS.inScheme),
                        )
                        if values.get(str(predicate))
                    ],
                    "components": components(values, blank),
                    "uses": counts.get(subject),
                    "rules": rules.get(subject, []),
                }
            )
        if terms:
            sections.append({"anchor": anchor, "title": title, "terms": terms})
    head = by_subject.get(iri, {})
    return {
        "iri": iri,
        "title": _text(head, str(RDFS.label)) or iri,
        "comment": _text(head, str(RDFS.comment)),
        "version": _text(head, OWL + "versionInfo"),
        "license": _text(head, "http://purl.org/dc/terms/license"),
        "sections": sections,
        "alternates": alternates(path),
        "local_url": local_url,
    }
