"""Describe the dataset and its dumps in VoID and DCAT: counts, sizes, checksums, licence, sources."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from nap_graph import __version__
from nap_graph import ntriples as t
from nap_graph.dump import sha256
from nap_graph.iris import Iris, slug
from nap_graph.namespaces import DCAT, FOAF, PROV, SD, SPDX, VOID, WPS

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "NAP Graph: Women, Peace and Security National Action Plans and UN peacekeeping statistics"
DESCRIPTION = (
    "National action plans that carry out UN Security Council Resolution 1325 on Women, Peace "
    "and Security, with their focus areas and every source's claims about them, and the women "
    "and men that countries contribute to UN peacekeeping, by mission, month and category."
)
RIGHTS = (
    "NAP Graph's own records (its ontology, its curators' records and its harvest of facts about "
    "national action plans) are published under CC BY 4.0. The peacekeeping figures are the "
    "United Nations' (Department of Peace Operations), republished here as facts with attribution "
    "under the terms of their sources; they are not NAP Graph's and are not offered under CC BY. "
    "Each source's description (dcterms:source) states its terms (dcterms:rights), or that it "
    "states none."
)
# The named graphs that hold only NAP Graph's own work, and so carry its licence.
OWN_GRAPHS = {"vocabulary"}
VOCABULARIES = [
    str(WPS),
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/linked-data/cube#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/dcat#",
]
IANA = "https://www.iana.org/assignments/media-types/"


def _count(n: int) -> str:
    return t.literal(str(n), datatype=str(XSD.nonNegativeInteger))


def _scalar(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))[0].value)


class Description:
    """Collect the description as N-Triples lines; the caller writes them."""

    def __init__(self, iris: Iris):
        self.iris = iris
        self.dataset = iris.dataset("nap-graph")
        self.rights = f"{self.dataset}/rights"
        self.lines: list[str] = []

    def add(self, s: str, p, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o}")

    def dataset_facts(self, store: ox.Store, graphs: dict[str, str], build_time: str) -> None:
        """Describe the whole dataset, with counts taken from the store."""
        d, add, iri = self.dataset, self.add, t.iri
        for cls in (VOID.Dataset, DCAT.Dataset, PROV.Entity):
            add(d, RDF.type, iri(cls))
        add(d, DCTERMS.title, t.literal(TITLE, "en"))
        add(d, RDFS.label, t.literal(TITLE, "en"))
        add(d, DCTERMS.description, t.literal(DESCRIPTION, "en"))
        # No dcterms:license on the whole: it would claim the UN's figures as ours under CC BY.
        add(d, DCTERMS.rights, iri(self.rights))
        add(self.rights, RDF.type, iri(DCTERMS.RightsStatement))
        add(self.rights, RDFS.label, t.literal(RIGHTS, "en"))
        publisher = self.iris.agent("NAP Graph")
        add(d, DCTERMS.publisher, iri(publisher))
        add(d, DCTERMS.creator, iri(publisher))
        add(publisher, RDF.type, iri(FOAF.Agent))
        add(publisher, FOAF.name, t.literal("NAP Graph"))
        add(d, DCAT.version, t.literal(__version__))
        add(d, OWL.versionInfo, t.literal(__version__))
        add(d, DCTERMS.modified, t.literal(build_time, datatype=str(XSD.dateTime)))
        add(d, PROV.generatedAtTime, t.literal(build_time, datatype=str(XSD.dateTime)))
        add(d, DCTERMS.conformsTo, iri(str(WPS)[:-1]))
        add(d, VOID.uriSpace, t.literal(self.iris.id))
        add(d, VOID.sparqlEndpoint, iri(self.iris.base + "sparql"))
        add(d, DCAT.landingPage, iri(self.iris.base))
        for vocabulary in VOCABULARIES:
            add(d, VOID.vocabulary, iri(vocabulary))
        for example in ("country/NOR", "plan/NOR/4"):
            add(d, VOID.exampleResource, iri(self.iris.id + example))
        source_prefix = self.iris.source("")
        for row in store.query(
            f'SELECT DISTINCT ?s WHERE {{ ?s a <{DCAT.Dataset}> FILTER STRSTARTS(STR(?s), "{source_prefix}") }}',
            use_default_graph_as_union=True,
        ):
            add(d, DCTERMS.source, iri(row[0].value))
        count = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        add(d, VOID.triples, _count(_scalar(store, f"SELECT (COUNT(*) AS ?n) WHERE {count}")))
        add(
            d,
            VOID.entities,
            _count(
                _scalar(
                    store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"
                )
            ),
        )
        for term, var in (
            (VOID.distinctSubjects, "s"),
            (VOID.properties, "p"),
            (VOID.distinctObjects, "o"),
        ):
            add(
                d,
                term,
                _count(
                    _scalar(store, f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ ?s ?p ?o }}")
                ),
            )
        classes = [
            (row[0].value, int(row[1].value))
            for row in store.query(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY STR(?c)",
                use_default_graph_as_union=True,
            )
        ]
        add(d, VOID.classes, _count(len(classes)))
        for cls, n in classes:
            partition = f"{d}/class/{slug(cls)}"
            add(d, VOID.classPartition, iri(partition))
            add(partition, VOID["class"], iri(cls))
            add(partition, VOID.entities, _count(n))
        for name, graph in sorted(graphs.items()):
            subset = f"{d}/graph/{name}"
            add(d, VOID.subset, iri(subset))
            add(subset, RDF.type, iri(VOID.Dataset))
            add(subset, RDFS.label, t.literal(f"The named graph {name}", "en"))
            add(subset, SD.name, iri(graph))
            if name in OWN_GRAPHS:
                add(subset, DCTERMS.license, iri(LICENSE))
            else:
                add(subset, DCTERMS.rights, iri(self.rights))
            add(
                subset,
                VOID.triples,
                _count(
                    _scalar(
                        store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
                    )
                ),
            )

    def distribution(self, path: Path, relative: str, media_type: str, title: str) -> None:
        name = slug(relative)
        dist = self.iris.distribution(name)
        add, iri = self.add, t.iri
        add(self.dataset, DCAT.distribution, iri(dist))
        add(dist, RDF.type, iri(DCAT.Distribution))
        add(dist, DCTERMS.title, t.literal(title, "en"))
        add(dist, DCAT.downloadURL, iri(self.iris.download(relative)))
        add(dist, DCAT.accessURL, iri(self.iris.download(relative)))
        add(dist, DCAT.mediaType, iri(IANA + media_type))
        if relative.endswith(".gz"):
            add(dist, DCAT.compressFormat, iri(IANA + "application/gzip"))
        # The sources' own terms still hold for their data: the rights statement says so,
        # rather than a licence that would claim the whole file.
        add(dist, DCTERMS.rights, iri(self.rights))
        add(dist, DCAT.byteSize, _count(path.stat().st_size))
        checksum = f"{dist}/checksum"
        add(dist, SPDX.checksum, iri(checksum))
        add(checksum, RDF.type, iri(SPDX.Checksum))
        add(checksum, SPDX.algorithm, iri(SPDX.checksumAlgorithm_sha256))
        add(checksum, SPDX.checksumValue, t.literal(sha256(path), datatype=str(XSD.hexBinary)))
        if relative.startswith("nap-graph."):
            add(self.dataset, VOID.dataDump, iri(self.iris.download(relative)))
