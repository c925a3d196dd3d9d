"""Every format the project reads or writes, once: its names, media types and extension.

Media types, extensions, labels and IRIs come from pyoxigraph's own format metadata; what is
ours is added once here: the short names users and clients send (`ttl`, `n3`, `srj`...) and
the media types that also ask for a format. The server's negotiation, the downloads, the
worker, the remote store and the `query` and `dump` commands all read this registry.

    by_name("ttl")                      # Turtle
    by_name("xml", "graph")             # RDF/XML ("xml" names SPARQL XML for SELECT)
    from_path(Path("a.nt.gz"))          # (N-Triples, gzipped)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from nap_graph.errors import NapGraphError

RESULTS, GRAPH, PAGE = "results", "graph", "page"
W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """A format: the name the worker, the store and the `format` parameter use, and more."""

    name: str
    kind: str  # RESULTS (SELECT, ASK), GRAPH (RDF), or PAGE (HTML)
    ox: ox.RdfFormat | ox.QueryResultsFormat | None
    names: tuple[str, ...] = ()  # other names for it, in `format` parameters and on the CLI
    aliases: tuple[str, ...] = ()  # other media types that ask for it
    media_type: str = field(init=False)
    extension: str = field(init=False)

    def __post_init__(self):
        media_type = self.ox.media_type.split(";")[0] if self.ox else "text/html"
        object.__setattr__(self, "media_type", media_type)
        object.__setattr__(self, "extension", self.ox.file_extension if self.ox else "html")

    @property
    def label(self) -> str:
        """The format's name for people: "Turtle", "SPARQL Results in JSON"."""
        return self.ox.name if self.ox else "HTML"

    @property
    def iri(self) -> str | None:
        """The format's IRI under http://www.w3.org/ns/formats/, for service descriptions."""
        if self.ox is None:
            return None
        # pyoxigraph names JSON-LD https://www.w3.org/ns/formats/data/JSON-LD; the W3C's
        # list names it as the others.
        return W3C_FORMATS + self.ox.iri.rsplit("/", 1)[-1]

    @property
    def datasets(self) -> bool:
        """Whether it holds named graphs (TriG, N-Quads, JSON-LD)."""
        return isinstance(self.ox, ox.RdfFormat) and self.ox.supports_datasets

    @property
    def content_type(self) -> str:
        """The Content-Type header: text/* types say their charset, which would default to
        US-ASCII (RFC 2046); the application/* ones here are UTF-8 by definition."""
        text = self.media_type.startswith("text/")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


_XML_TYPES = ("application/xml", "text/xml")
_HTML = ("application/xhtml+xml",)

# The offered formats of each kind, in order of preference: the first is the default.
RESULT_FORMATS = (
    Format(
        "json",
        RESULTS,
        ox.QueryResultsFormat.JSON,
        ("srj",),
        ("application/json", "text/javascript", "application/javascript"),
    ),
    Format("xml", RESULTS, ox.QueryResultsFormat.XML, ("srx",), _XML_TYPES),
    Format("csv", RESULTS, ox.QueryResultsFormat.CSV),
    Format("tsv", RESULTS, ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS = (
    # SPARQLWrapper sends format=n3 for Turtle; Turtle is N3's RDF subset.
    Format(
        "turtle",
        GRAPH,
        ox.RdfFormat.TURTLE,
        ("ttl", "n3"),
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
    ),
    Format("ntriples", GRAPH, ox.RdfFormat.N_TRIPLES, ("nt", "n-triples"), ("text/plain",)),
    Format("jsonld", GRAPH, ox.RdfFormat.JSON_LD, ("json-ld",), ("application/json",)),
    Format("rdfxml", GRAPH, ox.RdfFormat.RDF_XML, ("rdf", "rdf+xml", "owl"), _XML_TYPES),
    Format("trig", GRAPH, ox.RdfFormat.TRIG),
    Format("nquads", GRAPH, ox.RdfFormat.N_QUADS, ("nq", "n-quads")),
)
HTML = Format("html", PAGE, None, (), _HTML)
FORMATS = (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)

# The names the kinds share: "json" and "xml" mean JSON-LD and RDF/XML for a graph.
_GRAPH_MEANING = {"json": "jsonld", "xml": "rdfxml", "srj": "jsonld", "srx": "rdfxml"}


def _names(fmt: Format) -> tuple[str, ...]:
    return (fmt.name, fmt.extension, *fmt.names)


_BY_NAME = {name: fmt for fmt in reversed(FORMATS) for name in _names(fmt)}
_BY_EXTENSION = {f.extension: f for f in reversed(FORMATS)} | {
    "owl": GRAPH_FORMATS[3],
    "htm": HTML,
}


def by_name(name: str, kind: str | None = None) -> Format | None:
    """Return the format a name or media type means (for `kind`, where the kinds differ)."""
    wanted = name.strip().lower()
    if kind == GRAPH and wanted in _GRAPH_MEANING:
        wanted = _GRAPH_MEANING[wanted]
    if wanted in _BY_NAME:
        fmt = _BY_NAME[wanted]
        return fmt if kind is None or fmt.kind in (kind, PAGE) else None
    candidates = [f for f in FORMATS if kind is None or f.kind in (kind, PAGE)]
    for fmt in candidates:
        if wanted == fmt.media_type:
            return fmt
    for fmt in candidates:
        if wanted in fmt.aliases:
            return fmt
    return None


def by_extension(extension: str) -> Format | None:
    """Return the format of a file extension (`ttl`, `.nt`), or None."""
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def from_path(path: Path | str) -> tuple[Format, bool]:
    """Return the RDF format of a file from its extension, and whether it is gzipped."""
    path = Path(path)
    suffixes = path.suffixes
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    extension = suffixes[-2] if gzipped and len(suffixes) > 1 else path.suffix
    fmt = by_extension(extension)
    if fmt is None or fmt.kind != GRAPH:
        known = ", ".join(f".{e}" for e in sorted({f.extension for f in GRAPH_FORMATS} | {"owl"}))
        raise NapGraphError(f"{path}: unknown RDF format (expected one of {known})")
    return fmt, gzipped
