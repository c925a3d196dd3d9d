"""The downloads as a catalogue, and the dataset as a page: both read from the build's VoID.

The VoID/DCAT description (void.ttl) names each file's title, media type, size, checksum,
licence, rights and sources; this module groups the files for people (the whole graph, the
statistics with their column dictionaries, the reports, the ontology, the releases, one file
per country) and puts sizes and formats in words. It takes the description and the file list
as values, so the views decide where they come from.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from nap_graph import dump, releases

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
PROV = "http://www.w3.org/ns/prov#"
SPDX = "http://spdx.org/rdf/terms#"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DOWNLOAD = "/download/"
CSVW_METADATA = "-metadata.json"  # a table's column dictionary: table.csv-metadata.json

# Format names by the end of the file name: the longest match wins (.nq.gz before .gz).
FORMAT_NAMES = {
    ".nq.gz": "N-Quads, gzip",
    ".nt.gz": "N-Triples, gzip",
    ".ttl.gz": "Turtle, gzip",
    ".csv-metadata.json": "CSVW metadata (JSON)",
    ".ttl": "Turtle",
    ".nt": "N-Triples",
    ".nq": "N-Quads",
    ".trig": "TriG",
    ".jsonld": "JSON-LD",
    ".rdf": "RDF/XML",
    ".csv": "CSV",
    ".json": "JSON",
    ".txt": "Plain text",
    ".gz": "gzip",
}

# The groups of the catalogue, in the order shown: (key, heading).
GROUPS = [
    ("graph", "The whole graph"),
    ("statistics", "Statistics tables"),
    ("reports", "Reports"),
    ("ontology", "The ontology and the shapes"),
    ("releases", "Releases"),
    ("countries", "One file per country"),
]

# What each file of the whole graph is for; the rest say it in their own descriptions.
DESCRIPTIONS = {
    "nap-graph.ttl": "Every triple of the graph in one file, for reading and for most RDF tools.",
    "nap-graph.nt.gz": "Every triple, one a line, compressed: for streaming and bulk loading.",
    "nap-graph.jsonld": "Every triple as JSON-LD, compacted with the published context.",
    "nap-graph.trig": "Every triple in its named graph, so that each part can be loaded apart.",
    "nap-graph.nq.gz": "Every triple in its named graph, one a line, compressed: for bulk loading.",
    dump.DESCRIPTION_FILE: "The dataset's description (VoID and DCAT): its counts, its files "
    "with their sizes and checksums, its licence and its sources.",
    "context.jsonld": "The JSON-LD context that the JSON-LD files and answers use.",
    f"{dump.REPORTS_DIR}/validation.txt": "The result of checking the graph against its shapes.",
    f"{dump.ONTOLOGY_DIR}/wps.ttl": "The WPS ontology: the classes and properties of the graph.",
    f"{dump.ONTOLOGY_DIR}/shapes.ttl": "The SHACL shapes that the graph is checked against.",
    releases.INDEX: "Every release, with its date, its size and its files.",
}
COUNTRY_DESCRIPTION = (
    "What the graph says of the country: its plans, their focus areas, its peacekeeping "
    "figures, and the descriptions of their sources."
)


def human_size(n: int) -> str:
    """Return a size in bytes in decimal units: 42 bytes, 28.3 kB, 107 kB, 1.2 MB."""
    if n < 1000:
        return "1 byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.5 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 99.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def format_name(name: str, media_type: str | None = None) -> str:
    """Return the name of a file's format, from the end of its name, else its media type."""
    for end in sorted(FORMAT_NAMES, key=len, reverse=True):
        if name.endswith(end):
            return FORMAT_NAMES[end]
    return media_type or "Unknown format"


def described(void: list[ox.Triple]) -> dict[str, dict[str, list[str]]]:
    """Return the description as subject -> predicate -> values."""
    about: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in void:
        about[t.subject.value][t.predicate.value].append(t.object.value)
    return about


def _one(values: dict[str, list[str]], predicate: str) -> str | None:
    found = values.get(predicate)
    return found[0] if found else None


@dataclass
class Entry:
    """One downloadable file, as the catalogue shows it."""

    name: str  # its path under /download/
    size: int
    title: str
    format: str
    size_text: str
    sha256: str
    group: str
    description: str | None = None
    media_type: str | None = None
    license: str | None = None
    rights: str | None = None  # the IRI of its rights statement (the same for every file)
    sources: list[str] = field(default_factory=list)  # the IRIs of its sources
    country: str | None = None  # a country's English name, for the files by country
    metadata: str | None = None  # a table's column dictionary, by its name

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


def _group(name: str) -> str:
    folder = name.split("/", 1)[0] if "/" in name else ""
    return {
        dump.STATISTICS_DIR: "statistics",
        dump.REPORTS_DIR: "reports",
        dump.ONTOLOGY_DIR: "ontology",
        dump.COUNTRIES_DIR: "countries",
        releases.DIR: "releases",
    }.get(folder, "graph")


def _table_facts(path: Path) -> tuple[str | None, str | None]:
    """A table's title and description, as its CSV on the Web metadata states them."""
    metadata = path.with_name(path.name + CSVW_METADATA)
    if not metadata.is_file():
        return None, None
    try:
        value = json.loads(metadata.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    return value.get("dc:title"), value.get("dc:description")


def _country_name(title: str) -> str:
    """A country's name from its file's title, "Norway (NOR), Turtle"."""
    return title.rsplit(", ", 1)[0].rsplit(" (", 1)[0]


def entries(void: list[ox.Triple], files: list[dict], root: Path) -> list[Entry]:
    """Return every file of the listing with what the description says of it.

    A file the description does not name (the description itself, the release index) gets
    its title and checksum here, its checksum read from the file.
    """
    about = described(void)
    by_name = {}
    for values in about.values():
        url = _one(values, DCAT + "downloadURL")
        if url and DOWNLOAD in url and DCAT + "byteSize" in values:
            by_name[url.split(DOWNLOAD, 1)[1]] = values
    found = []
    for f in files:
        name, size = f["name"], f["size"]
        values = by_name.get(name, {})
        checksum_node = _one(values, SPDX + "checksum")
        checksum = (
            _one(about.get(checksum_node, {}), SPDX + "checksumValue") if checksum_node else None
        )
        rights = _one(values, DCT + "rights")
        media = _one(values, DCAT + "mediaType")
        group = _group(name)
        entry = Entry(
            name=name,
            size=size,
            title=_one(values, DCT + "title") or _untitled(name),
            format=format_name(name, media),
            size_text=human_size(size),
            sha256=checksum or dump.sha256(root / name),
            group=group,
            description=DESCRIPTIONS.get(name),
            media_type=media.rsplit("media-types/", 1)[-1] if media else None,
            license=_one(values, DCT + "license"),
            rights=rights,
            sources=sorted(values.get(PROV + "wasDerivedFrom", [])),
        )
        if group == "countries":
            entry.country = _country_name(entry.title)
            entry.description = COUNTRY_DESCRIPTION
        elif name.endswith(".csv"):
            table_title, table_description = _table_facts(root / name)
            entry.description = entry.description or table_description
            if table_title:
                entry.title = table_title
            if (root / (name + CSVW_METADATA)).is_file():
                entry.metadata = name + CSVW_METADATA
        found.append(entry)
    return found


def _untitled(name: str) -> str:
    if name == dump.DESCRIPTION_FILE:
        return "The dataset's description"
    if name == "context.jsonld":
        return "The JSON-LD context"
    if name == releases.INDEX:
        return "The list of releases"
    if name.endswith("validation.txt"):
        return "Report: validation against the shapes"
    return name.rsplit("/", 1)[-1]


def _sort_key(name: str) -> str:
    """Sort Åland Islands with the A's: by the letters without their accents."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()


def rights_statements(void: list[ox.Triple]) -> dict[str, str]:
    """Return the text of each rights statement of the description, by its IRI."""
    return {
        t.subject.value: t.object.value
        for t in void
        if t.predicate.value == RDFS_LABEL and t.subject.value.endswith("/rights")
    }


def grouped(found: list[Entry]) -> list[dict]:
    """Return the groups shown on the page, each with its files; a table's column
    dictionary goes with its table, and the countries are ordered by name."""
    paired = {e.metadata for e in found if e.metadata}
    groups = []
    for key, heading in GROUPS:
        members = [e for e in found if e.group == key and e.name not in paired]
        if key == "countries":
            members.sort(key=lambda e: _sort_key(e.country or e.name))
        if members:
            groups.append({"key": key, "heading": heading, "entries": members})
    return groups


def dataset_page_facts(void: list[ox.Triple]) -> dict:
    """Return what the dataset page shows: the dataset's own statements, its counts, its
    named graphs and its releases, from the description."""
    about = described(void)
    main = next((s for s in about if s.endswith("/dataset/nap-graph")), None)
    if main is None:
        return {}
    d = about[main]

    def count(values: dict, predicate: str) -> int | None:
        found = _one(values, predicate)
        return int(found) if found is not None else None

    rights = _one(d, DCT + "rights")
    graphs = []
    for subset in sorted(d.get(VOID + "subset", [])):
        values = about.get(subset, {})
        graphs.append(
            {
                "name": _one(values, SD + "name"),
                "label": _one(values, RDFS_LABEL),
                "triples": count(values, VOID + "triples"),
                "license": _one(values, DCT + "license"),
            }
        )
    versions = []
    for version in d.get(DCAT + "hasVersion", []):
        values = about.get(version, {})
        versions.append(
            {
                "iri": version,
                "version": _one(values, DCAT + "version"),
                "issued": _one(values, DCT + "issued"),
                "triples": count(values, VOID + "triples"),
            }
        )
    versions.sort(key=lambda v: v["version"] or "", reverse=True)
    dumps = []
    for url in sorted(d.get(VOID + "dataDump", [])):
        name = url.split(DOWNLOAD, 1)[-1]
        dumps.append({"name": name, "format": format_name(name)})
    return {
        "iri": main,
        "title": _one(d, DCT + "title"),
        "description": _one(d, DCT + "description"),
        "license": _one(d, DCT + "license"),
        "rights": _one(about.get(rights, {}), RDFS_LABEL) if rights else None,
        "version": _one(d, DCAT + "version"),
        "modified": _one(d, DCT + "modified"),
        "endpoint": _one(d, VOID + "sparqlEndpoint"),
        "counts": {
            "triples": count(d, VOID + "triples"),
            "entities": count(d, VOID + "entities"),
            "classes": count(d, VOID + "classes"),
            "properties": count(d, VOID + "properties"),
            "distinct_subjects": count(d, VOID + "distinctSubjects"),
            "distinct_objects": count(d, VOID + "distinctObjects"),
            "named_graphs": len(graphs),
            "files": len(d.get(DCAT + "distribution", [])),
        },
        "graphs": graphs,
        "versions": versions,
        "dumps": dumps,
        "sources": sorted(d.get(DCT + "source", [])),
    }


# The names of the licences the sources and files state; any other is shown by its address.
LICENCE_NAMES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "http://spdx.org/licenses/GPL-2.0": "GNU GPL 2.0",
}


def licence_name(iri: str | None) -> str | None:
    return LICENCE_NAMES.get(iri, iri) if iri else None
