"""Releases: every build has a version and a date, keeps the releases before it, and says
what changed since the last one.

A build whose graph differs from the last release's is a new release, versioned by its date
(`2026-12-03`, then `2026-12-03.2` for a second one that day); a build of the same graph is the
same release again. The build folder carries the history forward (`releases/`):

    releases/releases.csv              one row per release: version, date, size, changes
    releases/<version>/nap-graph.nq.gz the release's graph, so that a figure cited from it can
                                       be found again (the last KEEP_DATA releases keep it)
    releases/<version>/changes.csv     the facts that changed since the release before it
    releases/<version>/graphs.csv      triples added and removed, per named graph

Changes are computed from the sorted N-Quads of the two graphs, line by line; blank nodes are
compared by their triples without their labels.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

DIR = "releases"
INDEX = f"{DIR}/releases.csv"
DATA = "nap-graph.nq.gz"
CHANGES = "changes.csv"
GRAPHS = "graphs.csv"
# Releases that keep their whole graph; older ones keep their checksums and changes only.
KEEP_DATA = 20
INDEX_COLUMNS = ["version", "issued", "previous", "triples", "added", "removed", "sha256"]
CHANGE_COLUMNS = ["change", "kind", "subject", "property", "before", "after"]
GRAPH_COLUMNS = ["graph", "added", "removed"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
WPS = "https://w3id.org/nap-graph/def/wps#"
# The facts a reader of the changes looks for, by the class of the thing they are about.
KINDS = {
    f"<{WPS}NationalActionPlan>": "plan",
    f"<{WPS}FocusArea>": "focus area",
    f"<{WPS}CountryStatus>": "country status",
    f"<{WPS}Mission>": "mission",
    "<http://purl.org/linked-data/cube#Observation>": "figure",
}
PERIOD = {f"{WPS}adoptedYear", f"{WPS}startYear", f"{WPS}endYear"}
_BLANK = re.compile(rb"_:[A-Za-z0-9_.-]+")


@dataclass
class Release:
    version: str
    issued: str  # xsd:dateTime
    previous: str | None
    triples: int
    added: int
    removed: int
    sha256: str  # of its nap-graph.nq.gz
    graphs: list[dict] = field(default_factory=list)  # per named graph: added, removed
    changes: list[dict] = field(default_factory=list)
    history: list[Release] = field(default_factory=list)  # the releases before, oldest first

    def row(self) -> dict:
        return {c: getattr(self, c) if getattr(self, c) is not None else "" for c in INDEX_COLUMNS}


def read_index(build_dir: Path) -> list[Release]:
    """Return the releases a build records, oldest first; [] for a build without any."""
    path = build_dir / INDEX
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Release(
                r["version"],
                r["issued"],
                r["previous"] or None,
                int(r["triples"]),
                int(r["added"]),
                int(r["removed"]),
                r["sha256"],
            )
            for r in csv.DictReader(handle)
        ]


def _lines(nquads: bytes) -> set[bytes]:
    return {_BLANK.sub(b"_:b", line) for line in nquads.splitlines() if line.strip()}


def _types(lines) -> dict[bytes, str]:
    kinds = {k.encode(): v for k, v in KINDS.items()}
    found = {}
    for line in lines:
        subject, predicate, rest = line.split(b" ", 2)
        if predicate == RDF_TYPE.encode():
            kind = kinds.get(rest.split(b" ", 1)[0])
            if kind:
                found[subject] = kind
    return found


def _graph_of(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def _term(term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def diff(before: bytes, after: bytes) -> tuple[list[dict], list[dict], int, int]:
    """Compare two sorted N-Quads documents: per-graph counts, fact changes, added, removed."""
    old, new = _lines(before), _lines(after)
    removed, added = sorted(old - new), sorted(new - old)
    types = {**_types(old), **_types(new)}
    graphs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    # subject -> property -> (values before, values after), for the subjects of KINDS
    facts: dict[tuple[str, str], dict[str, tuple[set, set]]] = defaultdict(
        lambda: defaultdict(lambda: (set(), set()))
    )
    old_subjects = {line.split(b" ", 1)[0] for line in old}
    new_subjects = {line.split(b" ", 1)[0] for line in new}
    for side, lines in ((0, removed), (1, added)):
        for quad in ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS):
            graphs[_graph_of(quad)][side] += 1
            subject = f"<{quad.subject.value}>" if isinstance(quad.subject, ox.NamedNode) else None
            kind = types.get(subject.encode()) if subject else None
            if kind:
                facts[(kind, quad.subject.value)][quad.predicate.value][side].add(
                    _term(quad.object)
                )
    changes = []
    for (kind, subject), properties in sorted(facts.items()):
        key = f"<{subject}>".encode()
        if key not in old_subjects or key not in new_subjects:
            change = "added" if key not in old_subjects else "removed"
            changes.append(_change(change, kind, subject))
            continue
        for prop, (was, now) in sorted(properties.items()):
            name = "period" if prop in PERIOD else kind
            changes.append(
                _change(
                    "changed", name, subject, prop, " | ".join(sorted(was)), " | ".join(sorted(now))
                )
            )
    graph_rows = [{"graph": g, "added": a, "removed": r} for g, (r, a) in sorted(graphs.items())]
    return graph_rows, changes, len(added), len(removed)


def _change(change, kind, subject, prop="", before="", after="") -> dict:
    return {
        "change": change,
        "kind": kind,
        "subject": subject,
        "property": prop,
        "before": before,
        "after": after,
    }


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _previous_build(previous_dir: Path) -> tuple[list[Release], bytes | None]:
    """The releases the previous build records, and its graph's N-Quads."""
    data = previous_dir / DATA
    nquads = gzip.decompress(data.read_bytes()) if data.is_file() else None
    history = read_index(previous_dir)
    if nquads is not None and not history:
        # A build made before releases were recorded: a release all the same, of its date.
        issued = _modified(previous_dir) or "1970-01-01T00:00:00Z"
        history = [Release(issued[:10], issued, None, nquads.count(b"\n"), 0, 0, _sha256(data))]
    return history, nquads


def _modified(build_dir: Path) -> str | None:
    void = build_dir / "void.ttl"
    if not void.is_file():
        return None
    for triple in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE):
        if triple.predicate.value == "http://purl.org/dc/terms/modified":
            return triple.object.value
    return None


def _sha256(path: Path) -> str:
    from nap_graph.dump import sha256

    return sha256(path)


def _new_version(date: str, taken: set[str]) -> str:
    version, n = date, 1
    while version in taken:
        n += 1
        version = f"{date}.{n}"
    return version


def record(previous_dir: Path, out: Path, nquads: bytes, build_time: str) -> Release:
    """Write `out/releases/` for a build whose graph is `nquads` (written to out/DATA already),
    carrying forward what `previous_dir` (the build being replaced) recorded."""
    history, before = _previous_build(previous_dir)
    last = history[-1] if history else None
    releases = out / DIR
    releases.mkdir()
    # Carry forward each earlier release's folder.
    for release in history:
        source = previous_dir / DIR / release.version
        if source.is_dir():
            for path in source.iterdir():
                _link(path, releases / release.version / path.name)
        elif release is last and (previous_dir / DATA).is_file():  # a build before releases
            _link(previous_dir / DATA, releases / release.version / DATA)
    if last is not None and before is not None and _lines(before) == _lines(nquads):
        # The same graph again: the same release, with its date and its changes.
        current = last
        current.graphs = _read_csv(releases / current.version / GRAPHS)
        current.changes = _read_csv(releases / current.version / CHANGES)
        history = history[:-1]
    else:
        graphs, changes, added, removed = (
            diff(before, nquads) if before is not None else ([], [], nquads.count(b"\n"), 0)
        )
        version = _new_version(build_time[:10], {r.version for r in history})
        current = Release(
            version,
            build_time,
            last.version if last else None,
            nquads.count(b"\n"),
            added,
            removed,
            _sha256(out / DATA),
            graphs,
            changes,
        )
        folder = releases / version
        shutil.rmtree(folder, ignore_errors=True)
        _link(out / DATA, folder / DATA)
        _write_csv(folder / CHANGES, CHANGE_COLUMNS, changes)
        _write_csv(folder / GRAPHS, GRAPH_COLUMNS, graphs)
    current.history = history
    # The oldest releases keep their record, not their data.
    for release in history[: max(0, len(history) - KEEP_DATA)]:
        (releases / release.version / DATA).unlink(missing_ok=True)
    _write_csv(out / INDEX, INDEX_COLUMNS, [r.row() for r in [*history, current]])
    return current


def changes_text(release: Release, limit: int = 50) -> str:
    """A short plain summary of a release's changes, for the build's log."""
    out = io.StringIO()
    print(
        f"Release {release.version} ({release.issued}): {release.added:,} triples added, "
        f"{release.removed:,} removed since {release.previous or 'nothing'}",
        file=out,
    )
    for row in release.changes[:limit]:
        print(f"  {row['change']} {row['kind']} {row['subject']} {row['property']}", file=out)
    return out.getvalue()


def release_iri(dataset: str, version: str) -> str:
    return f"{dataset}/release/{version}"


def description(iris, release: Release, out: Path) -> list[str]:
    """The VoID and DCAT of the releases: the dataset's version and date, the release it
    revises, and each release kept with its graph's download and checksum."""
    from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

    from nap_graph import ntriples as t
    from nap_graph.namespaces import DCAT, PROV, SPDX, VOID
    from nap_graph.void import IANA, LICENSE

    dataset = iris.dataset("nap-graph")
    rights = f"{dataset}/rights"
    lines = []

    def add(s, p, o):
        lines.append(f"<{s}> <{p}> {o}")

    def when(value: str) -> str:
        return t.literal(value, datatype=str(XSD.dateTime))

    add(dataset, DCAT.version, t.literal(release.version))
    add(dataset, DCTERMS.issued, when(release.issued))
    current = release_iri(dataset, release.version)
    add(dataset, DCAT.hasCurrentVersion, t.iri(current))
    if release.previous:
        previous = release_iri(dataset, release.previous)
        add(dataset, PROV.wasRevisionOf, t.iri(previous))
        add(dataset, DCAT.previousVersion, t.iri(previous))
    for r in [*release.history, release]:
        node = release_iri(dataset, r.version)
        add(dataset, DCAT.hasVersion, t.iri(node))
        add(node, RDF.type, t.iri(DCAT.Dataset))
        add(node, RDF.type, t.iri(PROV.Entity))
        add(node, RDFS.label, t.literal(f"NAP Graph, release {r.version}", "en"))
        add(node, DCTERMS.isVersionOf, t.iri(dataset))
        add(node, DCAT.isVersionOf, t.iri(dataset))
        add(node, DCAT.version, t.literal(r.version))
        add(node, DCTERMS.issued, when(r.issued))
        add(node, VOID.triples, t.literal(str(r.triples), datatype=str(XSD.nonNegativeInteger)))
        add(node, DCTERMS.license, t.iri(LICENSE))
        add(node, DCTERMS.rights, t.iri(rights))
        if r.previous:
            add(node, PROV.wasRevisionOf, t.iri(release_iri(dataset, r.previous)))
            add(node, DCAT.previousVersion, t.iri(release_iri(dataset, r.previous)))
        folder = out / DIR / r.version
        for name, media_type, title in (
            (DATA, "application/n-quads", f"The graph of release {r.version}, N-Quads, gzipped"),
            (CHANGES, "text/csv", f"The facts changed in release {r.version}, CSV"),
            (GRAPHS, "text/csv", f"Triples added and removed in release {r.version}, CSV"),
        ):
            path = folder / name
            if not path.is_file():
                continue
            relative = f"{DIR}/{r.version}/{name}"
            dist = f"{node}/distribution/{name.replace('.', '-')}"
            add(node, DCAT.distribution, t.iri(dist))
            add(dist, RDF.type, t.iri(DCAT.Distribution))
            add(dist, DCTERMS.title, t.literal(title, "en"))
            add(dist, DCAT.downloadURL, t.iri(iris.download(relative)))
            add(dist, DCAT.accessURL, t.iri(iris.download(relative)))
            add(dist, DCAT.mediaType, t.iri(IANA + media_type))
            if name.endswith(".gz"):
                add(dist, DCAT.compressFormat, t.iri(IANA + "application/gzip"))
            add(dist, DCTERMS.license, t.iri(LICENSE))
            add(dist, DCTERMS.rights, t.iri(rights))
            add(dist, DCTERMS.isPartOf, t.iri(node))
            add(
                dist,
                DCAT.byteSize,
                t.literal(str(path.stat().st_size), datatype=str(XSD.nonNegativeInteger)),
            )
            checksum = f"{dist}/checksum"
            add(dist, SPDX.checksum, t.iri(checksum))
            add(checksum, RDF.type, t.iri(SPDX.Checksum))
            add(checksum, SPDX.algorithm, t.iri(SPDX.checksumAlgorithm_sha256))
            digest = r.sha256 if name == DATA else _sha256(path)
            add(checksum, SPDX.checksumValue, t.literal(digest, datatype=str(XSD.hexBinary)))
    return lines
