"""Content negotiation: which format to answer in, from Accept (Werkzeug's parser) or a parameter."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_options_header

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
# A named graph (/graph/naps): a page for browsers, else its triples, in the graph or not.
NAMED_GRAPH_FORMATS = [
    formats.HTML,
    *(formats.by_name(name) for name in ("trig", "nquads", "turtle", "ntriples")),
]
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
    in advance ("xml" means results XML for SELECT, RDF/XML for CONSTRUCT). Accept is read by
    RFC 9110 (below): the most specific range decides a format's quality, q=0 refuses it, the
    highest quality wins and, between equals, the order offered.
    """
    return negotiate(accept, offered, requested, kind)[0]


def negotiate(
    accept: MIMEAccept, offered: list[Format], requested: str | None = None, kind: str = "results"
) -> tuple[Format, dict[str, str]]:
    """Choose as `choose` does, and return with the format the parameters it was asked with:
    `{"profile": "..."}` for `application/ld+json; profile="..."`, in Accept or in the
    parameter (`_mediatype=application/ld+json; profile=...`), for the view to honour."""
    if requested:
        name, parameters = parse_options_header(requested)
        fmt = by_name(name, kind)
        if fmt in offered:
            return fmt, _parameters(parameters)
        if not _known(name):
            raise NotAcceptable(
                f"format {requested!r} is not offered here; offered: "
                + ", ".join(f.media_type for f in offered)
            )
        # A format of the other kind: negotiate from Accept instead, below.
    if not accept:
        return offered[0], {}
    ranges = _ranges(accept)
    best, best_quality, best_parameters = None, 0.0, {}
    for fmt in offered:
        quality, parameters = _format_quality(fmt, ranges)
        if quality > best_quality:  # strictly: between equals, the order offered
            best, best_quality, best_parameters = fmt, quality, parameters
    if best is None:
        raise NotAcceptable(
            "none of the formats offered is acceptable; offered: "
            + ", ".join(f.media_type for f in offered)
        )
    return best, best_parameters


def best_media_type(accept: MIMEAccept, offered: list[str]) -> str | None:
    """Return the media type of `offered` the client prefers by the same rules as `choose`,
    or None when it accepts none of them or sends no Accept (as Werkzeug's best_match)."""
    if not accept:
        return None
    ranges = _ranges(accept)
    best, best_quality = None, 0.0
    for media_type in offered:
        quality = _quality(media_type, {}, ranges)
        if quality is not None and quality[1] > best_quality:
            best, best_quality = media_type, quality[1]
    return best


# ------------------------------------------------------------------ RFC 9110, 12.5.1
#
# A representation's quality is that of the most specific media range that matches it:
# type/subtype with parameters, then type/subtype, then type/*, then */*; q=0 means "not
# acceptable". Werkzeug's MIMEAccept.best_match takes the range of the highest quality that
# matches instead, so "text/html;q=0, */*;q=0.1" would get HTML from it.
#
# A format may be asked for by its own media type or by an alias (application/json asks for
# SPARQL results JSON). The answer is labelled with the format's own type, so a range naming
# that type decides; a range naming an alias decides only when none names the type itself;
# wildcards match the format's own type only (text/* asks for CSV, not for JSON results by
# their alias text/javascript).


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]
    quality: float


def _parameters(parameters: dict[str, str]) -> dict[str, str]:
    """A range's parameters as compared and returned: names in lower case, without q (which
    Werkzeug reads) and without a charset of UTF-8, which every answer here is written in."""
    found = {name.lower(): value for name, value in parameters.items() if name.lower() != "q"}
    if found.get("charset", "").lower() in ("utf-8", "utf8"):
        del found["charset"]
    return found


def _ranges(accept: MIMEAccept) -> list[_Range]:
    ranges = []
    for value, quality in accept:
        media_range, parameters = parse_options_header(value)
        type_, _, subtype = media_range.lower().partition("/")
        if not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue  # not a media range ("bogus", "*/html"): it matches nothing
        ranges.append(
            _Range(type_, subtype, tuple(sorted(_parameters(parameters).items())), quality)
        )
    return ranges


def _quality(
    media_type: str, parameters: dict[str, str], ranges: list[_Range]
) -> tuple[int, float] | None:
    """The specificity and quality of the most specific range matching a media type with
    parameters (3: type/subtype;parameters, 2: type/subtype, 1: type/*, 0: */*), or None."""
    type_, _, subtype = media_type.partition("/")
    wanted = tuple(sorted(parameters.items()))
    found: tuple[int, float] | None = None
    for r in ranges:
        if r.type == "*":
            specificity = 0
        elif r.type != type_:
            continue
        elif r.subtype == "*":
            specificity = 1
        elif r.subtype != subtype:
            continue
        elif r.parameters:
            if r.parameters != wanted:
                continue  # a charset other than UTF-8, or other parameters than these
            specificity = 3
        else:
            specificity = 2
        if r.parameters and specificity < 3:
            continue  # "*/*;foo=bar", "text/*;charset=latin1": parameters this cannot meet
        if found is None or (specificity, r.quality) > found:
            found = (specificity, r.quality)
    return found


def _variant_quality(fmt: Format, parameters: dict[str, str], ranges: list[_Range]) -> float:
    own = _quality(fmt.media_type, parameters, ranges)
    if own is not None and own[0] >= 2:
        return own[1]
    named = [q for alias in fmt.aliases if (q := _quality(alias, parameters, ranges))]
    named = [q for q in named if q[0] >= 2]
    if named:
        return max(named)[1]
    return own[1] if own is not None else 0.0


def _format_quality(fmt: Format, ranges: list[_Range]) -> tuple[float, dict[str, str]]:
    """A format's quality, and the parameters of the variant of it the client prefers: the
    format as it is, or as a range with parameters names it (a JSON-LD profile)."""
    types = (fmt.media_type, *fmt.aliases)
    variants = [{}] + [
        dict(r.parameters)
        for r in ranges
        if r.parameters
        and f"{r.type}/{r.subtype}" in types
        and r.quality > 0
        and "charset" not in dict(r.parameters)  # a charset other than UTF-8: none here
    ]
    best, best_parameters = 0.0, {}
    for parameters in variants:
        quality = _variant_quality(fmt, parameters, ranges)
        # Between equals, a variant the client named with its parameters.
        if quality > best or (quality == best and quality > 0 and parameters):
            best, best_parameters = quality, parameters
    return best, best_parameters
