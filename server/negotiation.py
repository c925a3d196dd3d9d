"""Content negotiation: which format to answer in, from Accept (Werkzeug's parser) or a parameter."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from nap_graph import formats
from nap_graph.errors import NotAcceptable
from nap_graph.formats import Format, by_name

# SELECT and ASK answers (SPARQL 1.1 Query Results JSON, XML, CSV and TSV), or a page.
RESULT_FORMATS = [*formats.RESULT_FORMATS, formats.HTML]
# CONSTRUCT and DESCRIBE answers, and the RDF of a resource; the first is the default.
RDF_FORMATS = [formats.by_name(name) for name in ("turtle", "ntriples", "jsonld", "rdfxml")]
GRAPH_FORMATS = [*RDF_FORMATS, formats.HTML]
# A resource's document: a page for browsers, else its RDF.
DOCUMENT_FORMATS = [formats.HTML, *RDF_FORMATS]
_OFFERED = {*RESULT_FORMATS, *GRAPH_FORMATS}


def _known(wanted: str) -> bool:
    """Whether a `format` value names a format this server offers, of results or of graphs."""
    return by_name(wanted) in _OFFERED or by_name(wanted, formats.GRAPH) in _OFFERED


def choose(
    accept: MIMEAccept, offered: list[Format], requested: str | None = None, kind: str = "results"
) -> Format:
    """Choose the answer's format: the `format` parameter, else Accept, else the first offered.

    `requested` may be a format name (json, ttl, ...) or a media type. A graph format asked of
    a SELECT (or the reverse) falls back to Accept, since the client cannot know the query form
    in advance ("xml" means results XML for SELECT, RDF/XML for CONSTRUCT).
    """
    if requested:
        fmt = by_name(requested, kind)
        if fmt in offered:
            return fmt
        if not _known(requested):
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
