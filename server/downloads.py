"""Downloads: the dumps with their media types, conditional GET, ranges, and gzip on the wire."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_file,
)

from nap_graph import dump, releases
from nap_graph.errors import UnknownResource
from nap_graph.formats import GRAPH, HTML, by_extension
from server import catalogue
from server.negotiation import RDF_FORMATS, choose
from server.pages import dataset_sources
from server.render import content_type, graph_response, wants_json
from server.store_access import served

bp = Blueprint("downloads", __name__)

# The downloads that are not RDF (whose media types come from nap_graph.formats).
OTHER_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".gz": "application/gzip",
    ".json": "application/csvm+json",  # the CSVs' CSV on the Web metadata (*.csv-metadata.json)
    ".txt": "text/plain",
}
# The dataset's description: RDF first (the default), a page for browsers.
VOID_FORMATS = [*RDF_FORMATS, HTML]
# Files not worth compressing on the fly.
SMALL = 1024


def build_dir() -> Path:
    return served().build_dir


def listing() -> list[dict]:
    """Return the downloadable files of the build, with sizes."""
    root = build_dir()
    names = list(dump.WHOLE_GRAPH) + [dump.DESCRIPTION_FILE]
    names += [f for f in ("context.jsonld",) if (root / f).is_file()]
    for folder in (dump.STATISTICS_DIR, dump.REPORTS_DIR, dump.ONTOLOGY_DIR, dump.COUNTRIES_DIR):
        if (root / folder).is_dir():
            names += [
                f"{folder}/{p.name}" for p in sorted((root / folder).iterdir()) if p.is_file()
            ]
    # The releases kept, each in its folder (nap_graph/releases.py).
    if (root / releases.DIR).is_dir():
        names += sorted(
            p.relative_to(root).as_posix() for p in (root / releases.DIR).rglob("*") if p.is_file()
        )
    return [{"name": n, "size": (root / n).stat().st_size} for n in names if (root / n).is_file()]


def _allowed(name: str) -> Path:
    # The list first: any other name (a NUL byte, an over-long one) never reaches the file
    # system, whose calls raise on those instead of answering no.
    if name not in {f["name"] for f in listing()}:
        raise UnknownResource(f"no download named {name!r}")
    root = build_dir().resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():  # a listed name may be a symlink out
        raise UnknownResource(f"no download named {name!r}")
    return path


def _gzipped(path: Path) -> Path:
    """Return a gzipped copy of a file, made once per content in the store cache."""
    stat = path.stat()
    key = hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cache = Path(current_app.config["CACHE_DIR"]) / "gzip"
    target = cache / f"{path.stem}-{key}{path.suffix}.gz"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        # Each writer has a file of its own; the last rename wins, with the same bytes.
        fd, partial = tempfile.mkstemp(dir=cache, prefix=target.name, suffix=".partial")
        try:
            with (
                path.open("rb") as source,
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out,
            ):
                shutil.copyfileobj(source, out, 1 << 20)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return target


def _takes_gzip() -> bool:
    """Whether the client accepts gzip (an Accept-Encoding of gzip;q=0 refuses it)."""
    return request.accept_encodings["gzip"] > 0


def catalogued() -> list[catalogue.Entry]:
    """Return the downloads with what the VoID description says of each, once per build."""
    generation = served()
    if "catalogue" not in generation.cache:
        generation.cache["catalogue"] = catalogue.entries(
            generation.build_void or [], listing(), build_dir()
        )
    return generation.cache["catalogue"]


def sources_by_iri() -> dict[str, dict]:
    return {s["source"]: s for s in dataset_sources()}


@bp.route("/download/")
def index():
    """The catalogue of downloads: a page, or JSON (`files`: name and size, and the rest)."""
    entries = catalogued()
    if wants_json():
        rights = catalogue.rights_statements(served().build_void or [])
        response = jsonify({"files": [e.as_json() for e in entries], "rights": rights})
    else:
        response = make_response(
            render_template(
                "downloads.html",
                groups=catalogue.grouped(entries),
                rights=catalogue.rights_statements(served().build_void or []),
                sources=dataset_sources(),
                known=sources_by_iri(),
                licence_names=catalogue.LICENCE_NAMES,
            )
        )
    response.headers["Vary"] = "Accept"  # JSON or a page, by Accept
    return response


@bp.route("/download/<path:name>")
def download(name: str):
    """A dump, as an attachment, with ETag, Last-Modified and ranges; gzip when the client takes it."""
    path = _allowed(name)
    suffix = path.suffix
    rdf = by_extension(suffix)
    if rdf is not None and rdf.kind == GRAPH:
        media_type = rdf.media_type
    else:
        media_type = OTHER_MEDIA_TYPES.get(suffix, "application/octet-stream")
    encoded = suffix != ".gz" and path.stat().st_size > SMALL and _takes_gzip()
    response = send_file(
        _gzipped(path) if encoded else path,
        mimetype=media_type,
        conditional=True,
        etag=True,
        max_age=3600,
    )
    if encoded:  # the gzipped copy is another file, with an ETag of its own
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Type"] = content_type(media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
    response.headers["Vary"] = "Accept-Encoding"
    return response


@bp.route("/.well-known/void")
@bp.route("/void")
def void():
    """The VoID and DCAT description of the dataset (W3C VoID, 7.2: /.well-known/void), as
    RDF, or as a page for a browser that prefers HTML."""
    path = build_dir() / dump.DESCRIPTION_FILE
    description = served().build_void  # parsed once per build
    if not path.is_file() or description is None:
        raise UnknownResource("this server publishes no VoID description (no built graph)")
    # HTML last: it wins only when asked for above the RDF formats (a browser's Accept),
    # so that "*/*" and clients without Accept still get Turtle.
    fmt = choose(request.accept_mimetypes, VOID_FORMATS, request.args.get("format"), "graph")
    if fmt.name == "html":
        response = make_response(
            render_template(
                "dataset.html",
                dataset=catalogue.dataset_page_facts(description),
                known=sources_by_iri(),
                licence_names=catalogue.LICENCE_NAMES,
                formats=[(catalogue.format_name("." + f.extension), f) for f in RDF_FORMATS],
            )
        )
    elif fmt.name == "turtle":  # the file as built, with conditional GET
        response = send_file(path, mimetype=fmt.media_type, conditional=True, etag=True)
        response.headers["Content-Type"] = fmt.content_type
    else:
        response = graph_response(description, fmt)
    response.headers["Vary"] = "Accept"
    return response
