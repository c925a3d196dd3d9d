"""Write the dumps: deterministic bytes for the same sources, written all or nothing."""

from __future__ import annotations

import csv
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from nap_graph.iris import Iris
from nap_graph.namespaces import PREFIXES

# The files of the whole graph, relative to the output folder, with their titles (their
# media types come from their extensions, through nap_graph.formats).
WHOLE_GRAPH = {
    "nap-graph.ttl": "Turtle",
    "nap-graph.nt.gz": "N-Triples, gzip",
    "nap-graph.jsonld": "JSON-LD",
    "nap-graph.trig": "TriG, with the named graphs",
    "nap-graph.nq.gz": "N-Quads with the named graphs, gzip",
}
DESCRIPTION_FILE = "void.ttl"
COUNTRIES_DIR = "countries"
STATISTICS_DIR = "statistics"
ONTOLOGY_DIR = "ontology"
REPORTS_DIR = "reports"


def data_prefixes(iris: Iris) -> dict[str, str]:
    """Return the prefixes of the Turtle dumps: vocabularies, and data folders whose local
    names never contain a slash (a slash would have to be escaped as `\\/`)."""
    prefixes = dict(PREFIXES)
    for name in ("country", "region", "mission", "source", "agent"):
        prefixes[name] = f"{iris.id}{name}/"
    return prefixes


def write_gzip(path: Path, data: bytes) -> None:
    # mtime=0 and no file name in the header keep the bytes identical between builds; level 6,
    # gzip's own default, compresses within a few per cent of 9 in half the time.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        gz.write(data)


def write_rdf(path: Path, items, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
    data = (
        ox.serialize(items, format=fmt, prefixes=prefixes)
        if prefixes
        else ox.serialize(items, format=fmt)
    )
    if path.suffix == ".gz":
        write_gzip(path, data)
    else:
        path.write_bytes(data)


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class AtomicFolder:
    """Write a folder next to the target and swap it in only when everything is written.

    A failed or interrupted build leaves the previous folder as it was. If a crash ever
    left only the previous folder's backup, the next build puts it back first.
    """

    def __init__(self, target: Path):
        self.target = target
        self.new = target.with_name(f".{target.name}.new")
        self.old = target.with_name(f".{target.name}.old")

    def lock(self):
        """Wait for, and hold, the folder's lock: one build at a time writes to a folder."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle = self.target.with_name(f".{self.target.name}.lock").open("w")
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def recover(self) -> bool:
        """Put the previous folder back where a crash between the two renames left none.

        Only the backup is ever put back: it was the target, whole. The new folder may be a
        half-written one (a build stopped while writing it leaves the same names), so it
        is never taken for a good one. Call it holding the lock.
        """
        if self.target.exists() or not self.old.is_dir():
            return False
        self.old.rename(self.target)
        return True

    def __enter__(self) -> Path:
        self._lock = self.lock()
        self.recover()
        for leftover in (self.new, self.old):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.new.mkdir()
        return self.new

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._finish(exc_type)
        finally:
            self._lock.close()

    def _finish(self, exc_type) -> None:
        if exc_type is not None:
            shutil.rmtree(self.new, ignore_errors=True)
            return
        if self.target.exists():
            self.target.rename(self.old)
        self.new.rename(self.target)
        shutil.rmtree(self.old, ignore_errors=True)
        # Flush the rename to disk where the platform allows it.
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(self.target.parent, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def ntriples(lines: list[bytes]) -> bytes:
    """Return triples given as UTF-8 "s p o" lines (see nap_graph.ntriples) as N-Triples."""
    return b" .\n".join(lines) + b" .\n" if lines else b""


def write_jsonld(path: Path, lines: Iterable[bytes], context: dict) -> None:
    """Write triples, given as sorted N-Triples lines, as compact JSON-LD with `context`
    inline (nap_graph.jsonld.context, or the prefixes alone).

    Oxigraph writes expanded JSON-LD (2.5 times the size of the Turtle), and rdflib's and
    pyld's compaction take minutes at a million triples, so this writes the compact form
    directly: the context, then one node object per subject. A property with a term in the
    context is written by it, its values bare where the term's coercion fits them (`@id`, or
    the literal's own datatype) and as value objects where it does not; `@set` terms are
    always arrays. It reads the lines that nap_graph.ntriples writes, whose string escapes
    are also JSON's.
    """
    prefixes = {name: iri for name, iri in context.items() if isinstance(iri, str)}
    by_length = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    compacted: dict[str, str] = {}

    def expand(name: str) -> str:
        prefix, _, local = name.partition(":")
        return prefixes[prefix] + local if local and prefix in prefixes else name

    # Each property with a term: (its key, its coerced type as <...> or "@id", whether @set).
    terms: dict[str, tuple[str, str | None, bool]] = {}
    for name, definition in context.items():
        if isinstance(definition, dict) and "@id" in definition:
            coerced = definition.get("@type")
            if coerced and coerced != "@id":
                coerced = f"<{expand(coerced)}>"
            terms[f"<{expand(definition['@id'])}>"] = (
                json.dumps(name, ensure_ascii=False),
                coerced,
                definition.get("@container") == "@set",
            )

    def compact(term: str) -> str:
        """Return an IRI or blank node written <...> or _:x as a JSON string, compacted."""
        if term in compacted:
            return compacted[term]
        if term.startswith("_:"):
            result = term
        else:
            result = iri = term[1:-1]
            for name, namespace in by_length:
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and local and not local.startswith("//"):
                    result = f"{name}:{local}"
                    break
        compacted[term] = json.dumps(result, ensure_ascii=False)
        return compacted[term]

    def value(term: str, coerced: str | None) -> str:
        if term[0] != '"':
            return compact(term) if coerced == "@id" else '{"@id": ' + compact(term) + "}"
        end = term.rindex('"')
        lexical, suffix = term[: end + 1], term[end + 1 :]
        if not suffix:  # xsd:string: bare, unless a term would coerce it
            return lexical if coerced is None else '{"@value": ' + lexical + "}"
        if suffix[0] == "@":
            return '{"@value": ' + lexical + ', "@language": "' + suffix[1:] + '"}'
        datatype = suffix[2:]
        if datatype == f"<{_XSD_INTEGER}>" and coerced in (None, datatype):
            digits = lexical[1:-1]
            if digits.lstrip("-").isdigit() and digits == str(int(digits)):
                return digits
        if datatype == coerced:
            return lexical
        return '{"@value": ' + lexical + ', "@type": ' + compact(datatype) + "}"

    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context": ' + json.dumps(context, ensure_ascii=False) + ',\n"@graph": [')
        separator = "\n"
        subject, node, sets = None, {}, set()

        def flush():
            members = [f'"@id": {compact(subject)}']
            for key, values in node.items():
                single = len(values) == 1 and key not in sets
                members.append(
                    f"{key}: " + (values[0] if single else "[" + ", ".join(values) + "]")
                )
            out.write(separator + "{" + ", ".join(members) + "}")

        for line in lines:
            s, p, o = line.decode().split(" ", 2)
            if s != subject:
                if subject is not None:
                    flush()
                    separator = ",\n"
                subject, node, sets = s, {}, set()
            if p == _RDF_TYPE and o[0] == "<":
                node.setdefault('"@type"', []).append(compact(o))
            elif p in terms:
                key, coerced, is_set = terms[p]
                node.setdefault(key, []).append(value(o, coerced))
                if is_set:
                    sets.add(key)
            else:
                node.setdefault(compact(p), []).append(value(o, None))
        if subject is not None:
            flush()
        out.write("\n]}\n")
