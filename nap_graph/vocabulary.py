"""Load the ontology and its concept schemes, the source of truth for codes in source files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import SKOS

from nap_graph.errors import NapGraphError
from nap_graph.namespaces import WPS

ONTOLOGY_FILE = "wps.ttl"
SHAPES_FILE = "shapes.ttl"

# The schemes whose notations source files use, by the name used in code.
SCHEMES = {
    "pillar": WPS.PillarScheme,
    "theme": WPS.ThemeScheme,
    "scope": WPS.ScopeScheme,
    "status": WPS.PlanStatusScheme,
    "country_status": WPS.CountryStatusScheme,
    "theme_method": WPS.ThemeMethodScheme,
    "category": WPS.PersonnelCategoryScheme,
    "observation_status": WPS.ObservationStatusScheme,
    "method": WPS.ReconciliationMethodScheme,
}


@dataclass
class Vocabulary:
    graph: Graph
    notations: dict[str, dict[str, str]]  # scheme name -> notation -> concept IRI

    @classmethod
    def load(cls, ontology_dir: Path) -> Vocabulary:
        """Parse the ontology, naming its blank nodes canonically so that dumps are stable."""
        path = ontology_dir / ONTOLOGY_FILE
        try:
            graph = to_canonical_graph(Graph().parse(path, format="turtle"))
        except FileNotFoundError as exc:
            raise NapGraphError(f"{path}: no ontology file") from exc
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise NapGraphError(f"{path}: cannot parse the ontology: {exc}") from exc
        notations = {}
        for name, scheme in SCHEMES.items():
            notations[name] = {
                str(graph.value(concept, SKOS.notation)): str(concept)
                for concept in graph.subjects(SKOS.inScheme, scheme)
                if graph.value(concept, SKOS.notation) is not None
            }
        return cls(graph, notations)

    def concept(self, scheme: str, notation: str) -> str:
        return self.notations[scheme][notation]

    def label(self, scheme: str, notation: str) -> str:
        """Return the English preferred label of a concept."""
        return str(self.graph.value(URIRef(self.concept(scheme, notation)), SKOS.prefLabel))
