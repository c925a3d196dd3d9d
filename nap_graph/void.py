"""Describe the dataset and its dumps in VoID and DCAT: counts, sizes, checksums, licence, sources."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from nap_graph import dump
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
    "NAP Graph licenses its own records (its ontology, its editors' records and its harvest of "
    "facts about national action plans) and its compilation of the data under CC BY 4.0 "
    "(dcterms:license). The data taken from other sources keeps its sources' terms, which CC BY "
    "does not replace: the peacekeeping figures are the United Nations' (Department of Peace "
    "Operations), republished here as facts with attribution under the terms of their sources; "
    "they are not NAP Graph's and are not offered under CC BY. Some sources state no licence. "
    "Each file names the sources of its data (prov:wasDerivedFrom), and each source's "
    "description states its terms (dcterms:license, dcterms:rights), or that it states none."
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
# The named graph of the files' descriptions of themselves, beside the sources' descriptions.
FILES_GRAPH = "naps"

if TYPE_CHECKING:
    from nap_graph.graph import Quads


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
        # The licence covers NAP Graph's own records and its compilation; the rights statement
        # says that the sources' data keeps the sources' terms (the UN's figures are not ours).
        add(d, DCTERMS.license, iri(LICENSE))
        add(d, DCTERMS.rights, iri(self.rights))
        add(self.rights, RDF.type, iri(DCTERMS.RightsStatement))
        add(self.rights, RDFS.label, t.literal(RIGHTS, "en"))
        publisher = self.iris.agent("NAP Graph")
        add(d, DCTERMS.publisher, iri(publisher))
        add(d, DCTERMS.creator, iri(publisher))
        add(publisher, RDF.type, iri(FOAF.Agent))
        add(publisher, FOAF.name, t.literal("NAP Graph"))
        # dcat:version is the release's (nap_graph/releases.py), not the software's.
        add(d, DCTERMS.modified, t.literal(build_time, datatype=str(XSD.dateTime)))
        add(d, PROV.generatedAtTime, t.literal(build_time, datatype=str(XSD.dateTime)))
        add(d, DCTERMS.conformsTo, iri(str(WPS)[:-1]))
        add(d, VOID.uriSpace, t.literal(self.iris.id))
        add(d, VOID.sparqlEndpoint, iri(self.iris.endpoint()))
        add(d, DCAT.landingPage, iri(self.iris.public))
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

    def distribution(
        self, path: Path, relative: str, media_type: str, title: str, sources: Iterable[str] = ()
    ) -> None:
        """Describe one file: where it is, its size and checksum, its terms and its sources."""
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
        # CC BY for NAP Graph's records and compilation; the rights statement says that the
        # sources' own terms still hold for their data, and the sources are named.
        add(dist, DCTERMS.license, iri(LICENSE))
        add(dist, DCTERMS.rights, iri(self.rights))
        add(dist, DCTERMS.isPartOf, iri(self.dataset))
        for source in sorted(set(sources)):
            add(dist, PROV.wasDerivedFrom, iri(source))
            add(dist, DCTERMS.source, iri(source))
        add(dist, DCAT.byteSize, _count(path.stat().st_size))
        checksum = f"{dist}/checksum"
        add(dist, SPDX.checksum, iri(checksum))
        add(checksum, RDF.type, iri(SPDX.Checksum))
        add(checksum, SPDX.algorithm, iri(SPDX.checksumAlgorithm_sha256))
        add(checksum, SPDX.checksumValue, t.literal(sha256(path), datatype=str(XSD.hexBinary)))
        if relative.startswith("nap-graph."):
            add(self.dataset, VOID.dataDump, iri(self.iris.download(relative)))

    def files_sources(self, store: ox.Store) -> dict[str, list[str]]:
        """Return the sources of each file that describes itself in the graph, by file IRI."""
        found: dict[str, list[str]] = defaultdict(list)
        for row in store.query(
            f"SELECT ?file ?source WHERE {{ ?file <{DCTERMS.isPartOf}> <{self.dataset}> ; "
            f"<{PROV.wasDerivedFrom}> ?source }}",
            use_default_graph_as_union=True,
        ):
            found[row[0].value].append(row[1].value)
        return found


def sources_by_country(quads: Quads, graph: str | None = None) -> dict[str | None, set[str]]:
    """Return the source datasets that the triples of each country (and of None, the rest)
    name, whatever the property (wps:dataSource, dcterms:source...), in every graph or one.

    The files' descriptions of themselves are not counted: they name the sources of the rest.
    """
    prefix, files = "<" + quads.iris.source(""), "<" + quads.iris.download("")
    found: dict[str | None, set[str]] = defaultdict(set)
    for (part_graph, country), lines in quads.parts.items():
        if graph is not None and part_graph != graph:
            continue
        named = found[country]
        for line in lines:
            if prefix in line and not line.startswith(files):
                o = line.split(" ", 2)[2]
                if o.startswith(prefix) and o.endswith(">") and "/" not in o[len(prefix) : -1]:
                    named.add(o[1:-1])
    return found


def describe_files(quads: Quads, names: dict[str, str]) -> None:
    """Add to the graph a description of each file it is written to, so that a file read
    alone states its licence, its terms, the dataset it belongs to and its sources.

    The whole dumps describe themselves and every country's file; a country's file holds its
    own description with the descriptions of its sources (as the graph has them: titles,
    licences, rights statements, publishers). Call it once every other triple is added.
    """
    iris, add = quads.iris, quads.add
    dataset, rights = iris.dataset("nap-graph"), f"{iris.dataset('nap-graph')}/rights"
    prefix = iris.source("")
    by_subject: dict[str, list[str]] = defaultdict(list)
    for line in quads.parts.get((FILES_GRAPH, None), []):
        by_subject[line.split(" ", 1)[0][1:-1]].append(line)
    publisher = f"<{DCTERMS.publisher}>"

    def source_triples(source: str) -> list[str]:
        """Return a source's triples as the graph has them, its rights' and its publisher's."""
        found = by_subject.get(source, []) + by_subject.get(f"{source}/rights", [])
        agents = {x.split(" ", 2)[2][1:-1] for x in found if x.split(" ", 2)[1] == publisher}
        return found + [x for agent in sorted(agents) for x in by_subject.get(agent, [])]

    by_country = sources_by_country(quads)
    everything = sorted(
        s for s in by_subject if s.startswith(prefix) and "/" not in s[len(prefix) :]
    )

    def describe(country: str | None, relative: str, title: str, sources: Iterable[str]) -> None:
        file = iris.download(relative)
        add(FILES_GRAPH, country, file, RDF.type, t.iri(PROV.Entity))
        add(FILES_GRAPH, country, file, DCTERMS.title, t.literal(title, "en"))
        add(FILES_GRAPH, country, file, DCTERMS.license, t.iri(LICENSE))
        add(FILES_GRAPH, country, file, DCTERMS.rights, t.iri(rights))
        add(FILES_GRAPH, country, file, DCTERMS.isPartOf, t.iri(dataset))
        add(FILES_GRAPH, country, dataset, DCTERMS.title, t.literal(TITLE, "en"))
        add(FILES_GRAPH, country, rights, RDF.type, t.iri(DCTERMS.RightsStatement))
        add(FILES_GRAPH, country, rights, RDFS.label, t.literal(RIGHTS, "en"))
        for source in sources:
            add(FILES_GRAPH, country, file, PROV.wasDerivedFrom, t.iri(source))
            if country is not None:
                quads.parts[(FILES_GRAPH, country)].extend(source_triples(source))

    for relative, title in dump.WHOLE_GRAPH.items():
        describe(None, relative, f"NAP Graph, the whole graph, {title}", everything)
    for iso3 in quads.countries():
        describe(
            iso3,
            f"{dump.COUNTRIES_DIR}/{iso3}.ttl",
            f"NAP Graph, the data of {names.get(iso3, iso3)} ({iso3}), Turtle",
            sorted(by_country.get(iso3, ())),
        )
