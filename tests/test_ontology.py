"""The ontology documents every term, the namespace class lists them, and shapes cover the classes."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.namespace import SH

from nap_graph.namespaces import WPS
from nap_graph.shacl import compile_shapes

NS = str(WPS)


def wps_terms(ontology) -> set[URIRef]:
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_every_term_has_a_label_and_a_comment(ontology):
    for term in wps_terms(ontology):
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert ontology.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


def test_ontology_has_version_and_licence(ontology):
    ontology_iri = URIRef(NS[:-1])
    assert (ontology_iri, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ontology_iri, OWL.versionIRI) is not None
    assert ontology.value(ontology_iri, OWL.versionInfo) is not None
    assert ontology.value(ontology_iri, URIRef("http://purl.org/dc/terms/license")) is not None


def test_namespace_class_and_ontology_list_the_same_terms(ontology):
    declared = {str(WPS[name]) for name in WPS.__annotations__}
    assert {str(t) for t in wps_terms(ontology)} == declared


def test_every_class_has_a_shape(ontology, shapes):
    targets = set(shapes.objects(None, SH.targetClass))
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    covered = {
        c
        for c in classes
        if c in targets or any((c, RDFS.subClassOf, t) in ontology for t in targets)
    }
    assert classes == covered, classes - covered


def test_concept_schemes_of_the_issue(ontology):
    def notations(scheme):
        return {
            str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, scheme)
        }

    assert notations(WPS.PillarScheme) == {
        "participation",
        "prevention",
        "protection",
        "relief-recovery",
    }
    assert {
        "troops",
        "staff-officers",
        "experts-on-mission",
        "individual-police",
        "formed-police-units",
    } <= notations(WPS.PersonnelCategoryScheme)
    assert {"violent-extremism", "climate-security"} <= notations(WPS.ThemeScheme)


def test_shapes_compile_for_the_build_engine(shapes):
    assert len(compile_shapes(shapes)) > 100
