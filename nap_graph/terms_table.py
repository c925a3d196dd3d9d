"""The tables of terms in docs/guide.md, made from the ontology and the shapes.

Every class and property of ontology/wps.ttl, with its IRI, its kind (a Data Cube dimension,
measure or attribute says so) and the classes it is used on: those whose shapes constrain it,
else its rdfs:domain. Then the terms reused from standard vocabularies that the shapes
constrain, and a few more that the data uses and queries need (ALSO_ON), and the code lists.

    python -m nap_graph.terms_table            # rewrite the tables in docs/guide.md
    python -m nap_graph.terms_table --check    # exit 1 if they differ from the ontology's
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, URIRef

from nap_graph.settings import PROJECT_ROOT

WPS = "https://w3id.org/nap-graph/def/wps#"
QB = "http://purl.org/linked-data/cube#"
VOCABULARIES = {  # prefix, namespace, name
    "wps": (WPS, "WPS ontology"),
    "rdf": (str(RDF), "RDF"),
    "rdfs": (str(RDFS), "RDF Schema"),
    "owl": (str(OWL), "OWL"),
    "skos": (str(SKOS), "SKOS"),
    "dcterms": ("http://purl.org/dc/terms/", "Dublin Core terms"),
    "dcat": ("http://www.w3.org/ns/dcat#", "DCAT"),
    "prov": ("http://www.w3.org/ns/prov#", "PROV-O"),
    "qb": (QB, "RDF Data Cube"),
    "foaf": ("http://xmlns.com/foaf/0.1/", "FOAF"),
    "xsd": ("http://www.w3.org/2001/XMLSchema#", "XML Schema datatypes"),
}
# Where the data uses a property that the shapes do not constrain there: (property, class
# of the resources it is on). tests/test_guide.py checks that the data has each pair.
ALSO_ON = [
    ("wps:claim", "wps:FocusArea"),
    ("wps:claim", "wps:Country"),
    ("wps:reconciliation", "wps:NationalActionPlan"),
    ("wps:reconciliation", "wps:FocusArea"),
    ("wps:pillar", "wps:FocusArea"),
    ("rdfs:label", "wps:FocusArea"),
    ("skos:prefLabel", "wps:Country"),
    ("dcterms:title", "qb:DataSet"),
    ("dcterms:temporal", "qb:DataSet"),
    ("dcat:startDate", "dcterms:PeriodOfTime"),
    ("dcat:endDate", "dcterms:PeriodOfTime"),
    ("prov:wasDerivedFrom", "wps:CountryStatus"),
    ("prov:wasDerivedFrom", "wps:ThemeClaim"),
    ("qb:sliceKey", "qb:DataStructureDefinition"),
    ("dcterms:publisher", "dcat:Dataset"),  # and on the source pages, which have no class
    ("foaf:name", "foaf:Agent"),
    ("dcterms:title", "dcat:Dataset"),
    ("dcterms:rights", "dcat:Dataset"),
]
OBJECT_PROPERTY, DATATYPE_PROPERTY = OWL.ObjectProperty, OWL.DatatypeProperty
CUBE_ROLES = [
    (URIRef(QB + "DimensionProperty"), "dimension"),
    (URIRef(QB + "MeasureProperty"), "measure"),
    (URIRef(QB + "AttributeProperty"), "attribute"),
]
BEGIN, END = "<!-- terms:begin -->\n", "\n<!-- terms:end -->"
GUIDE = PROJECT_ROOT / "docs" / "guide.md"


def curie(iri) -> str:
    """Return `prefix:name` for an IRI of one of VOCABULARIES, else `<iri>`."""
    for prefix, (namespace, _) in VOCABULARIES.items():
        if str(iri).startswith(namespace) and "/" not in str(iri)[len(namespace) :]:
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return f"<{iri}>"


def expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return VOCABULARIES[prefix][0] + local


def _used_on(shapes: Graph) -> dict[str, set[str]]:
    """Map each property that a shape constrains to the classes of the resources it is on
    (an inverse path is on the shape's class's neighbours: its property's subjects)."""
    on: dict[str, set[str]] = {}
    for shape, target in shapes.subject_objects(SH.targetClass):
        for constraint in shapes.objects(shape, SH.property):
            path = shapes.value(constraint, SH.path)
            inverse = shapes.value(path, SH.inversePath) if path is not None else None
            if isinstance(path, URIRef):
                on.setdefault(curie(path), set()).add(curie(target))
            elif isinstance(inverse, URIRef):
                about = shapes.value(constraint, SH["class"])
                if about is not None:
                    on.setdefault(curie(inverse), set()).add(curie(about))
    return on


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _kind(ontology: Graph, term: URIRef) -> str:
    types = set(ontology.objects(term, RDF.type))
    if OWL.Class in types:
        return "class"
    kind = {OBJECT_PROPERTY: "object property", DATATYPE_PROPERTY: "datatype property"}
    words = [kind[t] for t in (OBJECT_PROPERTY, DATATYPE_PROPERTY) if t in types] or ["property"]
    words += [f"Data Cube {role}" for cls, role in CUBE_ROLES if cls in types]
    return ", ".join(words)


def ontology_terms(ontology: Graph) -> list[URIRef]:
    """Every class and property that wps.ttl defines, classes first, each group by name."""
    kinds = (OWL.Class, OBJECT_PROPERTY, DATATYPE_PROPERTY, RDF.Property)
    terms = {t for k in kinds for t in ontology.subjects(RDF.type, k) if str(t).startswith(WPS)}
    return sorted(terms, key=lambda t: ((t, RDF.type, OWL.Class) not in ontology, str(t).lower()))


def terms_tables(ontology_dir: Path = PROJECT_ROOT / "ontology") -> str:
    """Return the Markdown of the three tables: the ontology's terms, the reused, the codes."""
    ontology = Graph().parse(ontology_dir / "wps.ttl")
    shapes = Graph().parse(ontology_dir / "shapes.ttl")
    on = _used_on(shapes)
    for name, cls in ALSO_ON:
        on.setdefault(name, set()).add(cls)
    lines = [
        "| term | IRI | kind | on | what it is |",
        "|---|---|---|---|---|",
    ]
    for term in ontology_terms(ontology):
        name = curie(term)
        where = on.get(name) or {curie(d) for d in ontology.objects(term, RDFS.domain)}
        ranges = ", ".join(sorted(curie(r) for r in ontology.objects(term, RDFS.range)))
        what = str(ontology.value(term, RDFS.label) or "")
        if _kind(ontology, term) == "class":  # the name says little: the comment's first sentence
            what = str(ontology.value(term, RDFS.comment) or what).split(". ")[0].rstrip(".")
        if ranges and _kind(ontology, term) != "class":
            what += f" ({ranges})" if ranges.startswith("xsd:") else f" → {ranges}"
        lines.append(
            f"| `{name}` | `{term}` | {_kind(ontology, term)} | "
            f"{', '.join(f'`{c}`' for c in sorted(where))} | {_cell(what)} |"
        )

    reused: dict[str, set[str]] = {}
    for name, classes in on.items():
        if not name.startswith("wps:"):
            reused.setdefault(name, set()).update(classes)
    classes = sorted(
        {c for cs in reused.values() for c in cs if not c.startswith("wps:")}
        | {curie(t) for t in shapes.objects(None, SH.targetClass) if not str(t).startswith(WPS)}
    )
    lines += [
        "",
        "Terms of standard vocabularies that the data uses:",
        "",
        "| term | IRI | kind | on | vocabulary |",
        "|---|---|---|---|---|",
    ]
    for name in classes:
        lines.append(f"| `{name}` | `{expand(name)}` | class | | {_vocabulary(name)} |")
    for name in sorted(reused):
        where = ", ".join(f"`{c}`" for c in sorted(reused[name]))
        lines.append(f"| `{name}` | `{expand(name)}` | property | {where} | {_vocabulary(name)} |")

    lines += [
        "",
        "Code lists (`skos:ConceptScheme`), whose concepts the properties above take as values;"
        " source files name them by their `skos:notation`:",
        "",
        "| code list | concepts (notation) |",
        "|---|---|",
    ]
    for scheme in sorted(ontology.subjects(RDF.type, SKOS.ConceptScheme)):
        concepts = sorted(ontology.subjects(SKOS.inScheme, scheme))
        listed = ", ".join(
            f"`{curie(c)}` ({ontology.value(c, SKOS.notation)})"
            if ontology.value(c, SKOS.notation) is not None
            else f"`{curie(c)}`"
            for c in concepts
        )
        lines.append(f"| `{curie(scheme)}` | {listed or 'the regions, in the data'} |")
    return "\n".join(lines)


def _vocabulary(name: str) -> str:
    return VOCABULARIES[name.partition(":")[0]][1]


def documented(text: str) -> str:
    """Return the tables between the markers of a guide's text."""
    return text.split(BEGIN, 1)[1].split(END.lstrip("\n"), 1)[0].removesuffix("\n")


def main(argv: list[str]) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    tables = terms_tables()
    if "--check" in argv:
        return 0 if documented(text) == tables else 1
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END.lstrip("\n"), 1)[1]  # the markers may have nothing between them
    GUIDE.write_text(before + BEGIN + tables + END + after, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
