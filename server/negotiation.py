"""Content negotiation: which format to answer in, from Accept (Werkzeug's parser) or a parameter."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    name: str  # the name the store and the `format` parameter use
    media_type: str  # what the response says it is
    aliases: tuple[str, ...] = ()  # other media types that ask for it
    extension: str = ""


# SELECT and ASK answers (SPARQL 1.1 Query Results JSON, XML, CSV and TSV).
RESULT_FORMATS = [
    Format(
        "json",
        "application/sparql-results+json",
        ("application/json", "text/javascript", "application/javascript"),
        "srj",
    ),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx"),
    Format("csv", "text/csv", (), "csv"),
    Format("tsv", "text/tab-separated-values", (), "tsv"),
    Format("html", "text/html", ("application/xhtml+xml",), "html"),
]

# CONSTRUCT and DESCRIBE answers, and the RDF of a resource.
GRAPH_FORMATS = [
    Format(
        "turtle",
        "text/turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        "ttl",
    ),
    Format("ntriples", "application/n-triples", ("text/plain",), "nt"),
    Format("jsonld", "application/ld+json", ("application/json",), "jsonld"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), "rdf"),
    Format("html", "text/html", ("application/xhtml+xml",), "html"),
]

# Names a client may give in the `format` parameter (or `_format`, or as a file extension).
# SPARQLWrapper sends format=n3 for Turtle; Turtle is N3's RDF subset.
NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "html": "html",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
}


def _known(wanted: str) -> bool:
    """Whether a `format` value names any format, of results or of graphs."""
    return wanted in NAMES or any(
        wanted == f.media_type or wanted in f.aliases for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
    )


class NotAcceptable(Exception):
    """No format offered matches what the client accepts."""


def choose(
    accept: MIMEAccept, offered: list[Format], requested: str | None = None, kind: str = "results"
) -> Format:
    """Choose the answer's format: the `format` parameter, else Accept, else the first offered.

    `requested` may be a format name (json, ttl, ...) or a media type. A graph format asked of
    a SELECT (or the reverse) falls back to Accept, since the client cannot know the query form
    in advance ("xml" means results XML for SELECT, RDF/XML for CONSTRUCT).
    """
    if requested:
        wanted = requested.strip().lower()
        if wanted in NAMES:
            name = NAMES[wanted]
            if name == "json" and kind == "graph":
                name = "jsonld"
            if name == "xml" and kind == "graph":
                name = "rdfxml"
            for fmt in offered:
                if fmt.name == name:
                    return fmt
        for fmt in offered:
            if wanted == fmt.media_type or wanted in fmt.aliases:
                return fmt
        if not _known(wanted):
            raise NotAcceptable(
                f"format {requested!r} is not offered here; offered: "
                + ", ".join(f.media_type for f in offered)
            )
        # A format of the other kind: negotiate from Accept instead, below.
    if not accept:
        return offered[0]
    by_type = {}
    for fmt in offered:
        for media_type in (fmt.media_type, *fmt.aliases):
            by_type.setdefault(media_type, fmt)
    # Werkzeug ranks by quality and specificity and, between equals, keeps the order offered:
    # "*/*" gets the first format, the default.
    best = accept.best_match(list(by_type))
    if best is None:
        raise NotAcceptable(
            "none of the formats offered is acceptable; offered: "
            + ", ".join(f.media_type for f in offered)
        )
    return by_type[best]
