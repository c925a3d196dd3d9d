"""Describe the CSV files in CSV on the Web metadata (W3C CSVW, "Metadata Vocabulary for
Tabular Data"): each `NAME.csv` gets a `NAME.csv-metadata.json` beside it, where a CSVW
processor looks first, with the table's title, licence, terms, sources and dataset, and a
schema naming every column's type and meaning.

The columns are described where the CSVs are written (nap_graph/build.py); this module only
turns those descriptions into metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CONTEXT = ["http://www.w3.org/ns/csvw", {"@language": "en"}]
METADATA_SUFFIX = "-metadata.json"
MEDIA_TYPE = "application/csvm+json"

# Datatypes, as CSVW names them, with the formats the files use.
ISO3 = {"base": "string", "format": "^[A-Z]{3}$"}
# A year, a month or a day, as precise as the source is: 2015, 2015-03 or 2015-03-08.
PARTIAL_DATE = {"base": "string", "format": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"}
SHARE = {"base": "decimal", "minimum": "0", "maximum": "1"}
COUNT = "nonNegativeInteger"


@dataclass(frozen=True)
class Column:
    """One column of a CSV: its name (the header), type and meaning."""

    name: str
    description: str
    datatype: str | dict = "string"
    title: str | None = None  # for people; the name when None
    required: bool = False
    separator: str | None = None  # for a cell that holds a list

    def metadata(self) -> dict:
        described = {
            "name": self.name,
            "titles": self.title or self.name,
            "datatype": self.datatype,
            "dc:description": self.description,
        }
        if self.required:
            described["required"] = True
        if self.separator is not None:
            described["separator"] = self.separator
        return described


@dataclass(frozen=True)
class Terms:
    """What every table states of its terms and of the dataset it belongs to."""

    license: str
    rights: str  # the rights statement's IRI
    rights_label: str
    dataset: str
    dataset_title: str


@dataclass(frozen=True)
class SourceTerms:
    """A source dataset and its own terms, as the graph describes it."""

    iri: str
    title: str
    license: str | None
    rights: str | None  # the terms in words; described at `{iri}/rights`

    def metadata(self) -> dict:
        described: dict = {"@id": self.iri, "dc:title": self.title}
        if self.license:
            described["dc:license"] = {"@id": self.license}
        if self.rights:
            described["dc:rights"] = {"@id": f"{self.iri}/rights", "rdfs:label": self.rights}
        return described


def metadata_path(csv_path: Path) -> Path:
    """Return where a CSVW processor looks first for a CSV's metadata: `{+url}-metadata.json`."""
    return csv_path.with_name(csv_path.name + METADATA_SUFFIX)


def metadata(
    url: str,
    title: str,
    description: str,
    columns: Iterable[Column],
    terms: Terms,
    sources: Iterable[SourceTerms],
) -> dict:
    """Return the CSVW metadata of one table, whose file is `url` (relative to the metadata)."""
    return {
        "@context": CONTEXT,
        "url": url,
        "dc:title": title,
        "dc:description": description,
        "dc:license": {"@id": terms.license},
        "dc:rights": {"@id": terms.rights, "rdfs:label": terms.rights_label},
        "dc:isPartOf": {"@id": terms.dataset, "dc:title": terms.dataset_title},
        "prov:wasDerivedFrom": [s.metadata() for s in sorted(sources, key=lambda s: s.iri)],
        "dialect": {"header": True, "delimiter": ",", "encoding": "utf-8"},
        "tableSchema": {"columns": [c.metadata() for c in columns]},
    }


def write_metadata(
    csv_path: Path,
    title: str,
    description: str,
    columns: Iterable[Column],
    terms: Terms,
    sources: Iterable[SourceTerms],
) -> Path:
    """Write a CSV's metadata beside it and return its path."""
    path = metadata_path(csv_path)
    document = metadata(csv_path.name, title, description, columns, terms, sources)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def derived_from(path: Path) -> list[str]:
    """Return the IRIs of the sources that a metadata file names."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [s["@id"] for s in document.get("prov:wasDerivedFrom", [])]
