"""Licence and provenance in every file: VoID's distributions, the dumps and each country's
file describing themselves, the CSVs' CSVW metadata, and the pages' footer (issue 14, part 4)."""

from __future__ import annotations

import csv
import decimal
import gzip
import json
import shutil
import warnings

import csvw
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from nap_graph import dump
from nap_graph.csvw import METADATA_SUFFIX

PROV = Namespace("http://www.w3.org/ns/prov#")
BASE = "https://w3id.org/nap-graph/"
DATASET = URIRef(BASE + "id/dataset/nap-graph")
RIGHTS = URIRef(BASE + "id/dataset/nap-graph/rights")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOURCE = BASE + "id/source/"


def csv_files(built) -> list:
    out = built.settings.out_dir
    return sorted((out / dump.STATISTICS_DIR).glob("*.csv")) + sorted(
        (out / dump.REPORTS_DIR).glob("*.csv")
    )


def registered_sources(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, DCAT.Dataset) if str(s).startswith(SOURCE)}


def test_every_distribution_in_void_has_a_licence_terms_dataset_and_sources(built):
    void = Graph().parse(built.settings.out_dir / "void.ttl")
    assert (DATASET, DCTERMS.license, CC_BY) in void
    assert (DATASET, DCTERMS.rights, RIGHTS) in void
    assert "not offered under CC BY" in str(void.value(RIGHTS, RDFS.label))
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) >= 20
    for dist in distributions:
        url = str(void.value(dist, DCAT.downloadURL))
        assert (dist, DCTERMS.license, CC_BY) in void, url
        assert (dist, DCTERMS.rights, RIGHTS) in void, url
        assert (dist, DCTERMS.isPartOf, DATASET) in void, url
        sources = set(void.objects(dist, PROV.wasDerivedFrom))
        assert sources == set(void.objects(dist, DCTERMS.source)), url
        if "/ontology/" in url:  # NAP Graph's own work, from no source
            continue
        assert sources and all(str(s).startswith(SOURCE) for s in sources), url
    media_types = {str(o) for o in void.objects(None, DCAT.mediaType)}
    assert "https://www.iana.org/assignments/media-types/application/csvm+json" in media_types


def test_void_names_the_sources_of_each_file(built):
    void = Graph().parse(built.settings.out_dir / "void.ttl")

    def sources_of(relative: str) -> set[str]:
        (dist,) = void.subjects(DCAT.downloadURL, URIRef(BASE + "download/" + relative))
        return {str(s).removeprefix(SOURCE) for s in void.objects(dist, PROV.wasDerivedFrom)}

    every = {str(s).removeprefix(SOURCE) for s in void.objects(DATASET, DCTERMS.source)}
    assert sources_of("nap-graph.ttl") == every
    norway = sources_of("countries/NOR.ttl")
    assert {"nap-facts", "country-reference", "ipi-tcc-gender"} <= norway < every
    assert not sources_of("countries/URY.ttl") & {"ipi-tcc-gender", "un-dpo-monthly-reports"}
    by_mission = sources_of("statistics/contributions-by-mission.csv")
    assert by_mission == {o.source for o in built.peacekeeping.by_mission}
    assert sources_of("statistics/contributions-by-mission.csv-metadata.json") == by_mission


def test_a_country_file_read_alone_states_its_licence_terms_dataset_and_sources(built):
    path = built.settings.out_dir / dump.COUNTRIES_DIR / "NOR.ttl"
    norway = Graph().parse(path)
    file = URIRef(BASE + "download/countries/NOR.ttl")  # the file's IRI: its download IRI
    assert (file, DCTERMS.license, CC_BY) in norway
    assert (file, DCTERMS.rights, RIGHTS) in norway
    assert "not offered under CC BY" in str(norway.value(RIGHTS, RDFS.label))
    assert (file, DCTERMS.isPartOf, DATASET) in norway
    assert norway.value(DATASET, DCTERMS.title) is not None
    sources = set(norway.objects(file, PROV.wasDerivedFrom))
    # Exactly the sources that the country's data names, whatever the property.
    named = {
        o
        for s, p, o in norway
        if str(o).startswith(SOURCE) and "/" not in str(o)[len(SOURCE) :] and s != file
    }
    assert sources == named
    assert {URIRef(SOURCE + name) for name in ("nap-facts", "ipi-tcc-gender")} <= sources
    for source in sources:  # each with its own terms, as the graph has them
        assert norway.value(source, DCTERMS.title) is not None, source
        terms = norway.value(source, DCTERMS.license) or norway.value(
            norway.value(source, DCTERMS.rights), RDFS.label
        )
        assert terms is not None, source
        assert norway.value(norway.value(source, DCTERMS.publisher), FOAF.name) is not None
    dpo = URIRef(SOURCE + "un-dpo-monthly-reports")
    if dpo in sources:
        assert norway.value(dpo, DCTERMS.license) is None
        assert "No licence stated" in str(
            norway.value(norway.value(dpo, DCTERMS.rights), RDFS.label)
        )


def test_the_whole_dumps_describe_themselves_alike(built):
    out = built.settings.out_dir
    graph = Graph().parse(out / "nap-graph.ttl")
    every = registered_sources(graph)
    for relative in dump.WHOLE_GRAPH:
        file = URIRef(BASE + "download/" + relative)
        assert (file, DCTERMS.license, CC_BY) in graph, relative
        assert (file, DCTERMS.rights, RIGHTS) in graph, relative
        assert (file, DCTERMS.isPartOf, DATASET) in graph, relative
        assert set(graph.objects(file, PROV.wasDerivedFrom)) == every, relative
    # In the named graph of the sources' descriptions, in the dumps with named graphs.
    naps = BASE + "graph/naps"
    quads = ox.parse(gzip.open(out / "nap-graph.nq.gz").read(), format=ox.RdfFormat.N_QUADS)
    licensed = {
        (q.subject.value, q.graph_name.value)
        for q in quads
        if q.predicate.value == str(DCTERMS.license)
        and q.subject.value.startswith(BASE + "download/")
    }
    assert {(BASE + "download/" + r, naps) for r in dump.WHOLE_GRAPH} <= licensed
    document = json.loads((out / "nap-graph.jsonld").read_text())
    ids = {node["@id"] for node in document["@graph"]}
    assert {BASE + "download/" + r for r in dump.WHOLE_GRAPH} <= ids


@pytest.mark.parametrize(
    "name",
    [
        "contributions-by-mission.csv",
        "contributions-by-country.csv",
        "headcounts-by-country.csv",
        "stated-contributions.csv",
        "country-nap-status.csv",
        "parity-targets.csv",
        "import-report.csv",
    ],
)
def test_each_csv_has_valid_csvw_metadata(built, name):
    (path,) = [p for p in csv_files(built) if p.name == name]
    metadata = path.with_name(path.name + METADATA_SUFFIX)
    document = json.loads(metadata.read_text())
    assert document["url"] == path.name
    assert document["dc:license"] == {"@id": str(CC_BY)}
    assert document["dc:rights"]["@id"] == str(RIGHTS)
    assert document["dc:isPartOf"]["@id"] == str(DATASET)
    assert document["dc:title"]
    sources = document["prov:wasDerivedFrom"]
    assert sources and all(s["@id"].startswith(SOURCE) and s["dc:title"] for s in sources)
    assert all("dc:license" in s or "dc:rights" in s for s in sources)
    with path.open(newline="", encoding="utf-8") as handle:
        header, *lines = list(csv.reader(handle))
    columns = document["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == header
    assert all(c["titles"] and c["datatype"] and c["dc:description"] for c in columns)
    # A CSVW processor finds the metadata beside the file, and the file conforms to it.
    processor = csvw.CSVW(str(path), validate=True)
    assert not processor.no_metadata
    assert processor.is_valid, [str(w.message) for w in processor.warnings][:5]
    (table,) = processor.tables
    rows = list(table.iterdicts())
    assert len(rows) == len(lines) > 0
    types = {c["name"]: c["datatype"] for c in columns}
    for column, datatype in types.items():
        base = datatype["base"] if isinstance(datatype, dict) else datatype
        values = [row[column] for row in rows if row[column] is not None]
        if base == "nonNegativeInteger":
            assert all(isinstance(v, int) and v >= 0 for v in values), column
        elif base == "decimal":
            assert all(isinstance(v, decimal.Decimal) and 0 <= v <= 1 for v in values), column
        elif base == "string":
            assert all(isinstance(v, str) for v in values), column
        elif base == "anyURI" and column != "sources":
            assert all(v.scheme in ("http", "https") for v in values), column
    if "sources" in types:  # a list of IRIs in one cell
        assert any(len(row["sources"]) > 1 for row in rows)


def test_csvw_metadata_counts_match_the_build(built):
    out = built.settings.out_dir / dump.STATISTICS_DIR
    (table,) = csvw.CSVW(str(out / "contributions-by-mission.csv"), validate=True).tables
    rows = list(table.iterdicts())
    assert len(rows) == len(built.peacekeeping.by_mission)
    assert sum(r["women"] for r in rows) == sum(o.women for o in built.peacekeeping.by_mission)


def test_csvw_metadata_rejects_a_value_of_the_wrong_type(built, tmp_path):
    """The check bites: a share of 1.5 breaks the column's bounds."""
    folder = built.settings.out_dir / dump.STATISTICS_DIR
    name = "parity-targets.csv"
    shutil.copy(folder / (name + METADATA_SUFFIX), tmp_path)
    text = (folder / name).read_text().splitlines()
    cells = text[1].split(",")
    cells[2] = "1.5"
    (tmp_path / name).write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")
    with warnings.catch_warnings():  # the processor records its warnings
        warnings.simplefilter("always")
        processor = csvw.CSVW(str(tmp_path / name), validate=True)
        assert not processor.is_valid
    assert any("value must be <= 1" in str(w.message) for w in processor.warnings)


@pytest.mark.parametrize("path", ["/", "/id/country/NOR", "/download/", "/sparql"])
def test_every_page_footer_states_the_licence_and_the_sources_terms(client, path):
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200
    footer = response.text.split('<footer class="site">', 1)[1].split("</footer>", 1)[0]
    assert 'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in footer
    assert "some sources state no licence" in footer
    assert "United Nations" in footer
    assert 'href="/download/#terms"' in footer


def test_home_page_does_not_offer_everything_under_cc_by(client):
    html = client.get("/", headers={"Accept": "text/html"}).text
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    licence = main.split("<dt>Licence</dt>", 1)[1].split("</dd>", 1)[0]
    assert "CC BY 4.0" in licence and "some sources state no licence" in licence
