"""Validate a graph against ontology/shapes.ttl, with the build's engine or with pySHACL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

from nap_graph.errors import NapGraphError
from nap_graph.namespaces import PREFIXES
from nap_graph.shacl import ValidationResult, compile_shapes, run_checks, term_key
from nap_graph.sources.records import Origin
from nap_graph.vocabulary import SHAPES_FILE

ENGINES = ("oxigraph", "pyshacl")


@dataclass
class Report:
    """The outcome of a validation, able to name the source record behind each focus node."""

    results: list[ValidationResult]
    engine: str
    origins: dict[str, Origin] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == str(SH.Violation) for r in self.results)

    def record(self, term: str | None) -> str | None:
        """Return the source record (file:line) behind an IRI written as <iri>, if known."""
        if term and term.startswith("<") and term.endswith(">"):
            origin = self.origins.get(term[1:-1])
            return str(origin) if origin else None
        return None

    @staticmethod
    def field(result: ValidationResult) -> str | None:
        """The source column behind a result's property, where one is known."""
        from nap_graph.graph import SOURCE_FIELDS

        path = (result.path or "").strip("<>")
        prefix, _, local = path.partition(":")
        return SOURCE_FIELDS.get(path) or SOURCE_FIELDS.get(PREFIXES.get(prefix, "") + local)

    def text(self, limit: int | None = None) -> str:
        """Return the report as text: one paragraph per violation."""
        if self.conforms and not self.results:
            return f"Conforms: the data obeys every shape ({self.engine} engine)."
        lines = [f"Does not conform: {len(self.results)} result(s) ({self.engine} engine)."]
        for r in self.results[:limit]:
            record = self.record(r.focus) or self.record(r.value)
            column = self.field(r) if record else None
            lines.append("")
            lines.append(
                f"{record or 'record unknown'}: "
                + (f"field '{column}': " if column else "")
                + r.message
            )
            lines.append(f"  shape: {r.shape}  rule: {r.component.rsplit('#', 1)[-1]}")
            lines.append(f"  focus: {r.focus}")
            if r.path:
                lines.append(f"  path: {r.path}")
            if r.value:
                value_record = self.record(r.value)
                also = f"  (from {value_record})" if value_record and value_record != record else ""
                lines.append(f"  value: {r.value}{also}")
        if limit is not None and len(self.results) > limit:
            lines.append(f"\n... and {len(self.results) - limit} more.")
        return "\n".join(lines)

    def as_rows(self) -> list[dict]:
        return [
            {
                "record": self.record(r.focus) or self.record(r.value) or "",
                "shape": r.shape,
                "rule": r.component.rsplit("#", 1)[-1],
                "focus": r.focus,
                "path": r.path or "",
                "field": (self.field(r) or "") if self.record(r.focus) else "",
                "value": r.value or "",
                "message": r.message,
                "severity": r.severity.rsplit("#", 1)[-1],
            }
            for r in self.results
        ]


def load_shapes(ontology_dir: Path) -> Graph:
    """Parse the shapes file; a missing or malformed file is reported as such."""
    path = ontology_dir / SHAPES_FILE
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise NapGraphError(f"{path}: no shapes file") from exc
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        raise NapGraphError(f"{path}: cannot parse the shapes: {exc}") from exc


def validate_store(
    store: ox.Store,
    shapes: Graph,
    origins: dict[str, Origin] | None = None,
    progress: Callable[[int], Callable[[], None]] | None = None,
    threads: int = 2,
) -> Report:
    """Validate the union of a store's graphs with the build's engine (SHACL as SPARQL)."""
    checks = compile_shapes(shapes)
    advance = progress(len(checks)) if progress else None
    results = run_checks(checks, store, progress=advance, threads=threads)
    return Report(results, "oxigraph", origins or {})


def validate_pyshacl(
    data: Graph | Dataset, shapes: Graph, origins: dict[str, Origin] | None = None
) -> Report:
    """Validate with pySHACL, the reference engine, and report in the same form."""
    import pyshacl

    from nap_graph.shacl import ShapeCompiler

    _, results_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, advanced=False, inference="none", allow_warnings=True
    )
    compiler = ShapeCompiler(shapes)
    parents = {prop: shape for shape, prop in shapes.subject_objects(SH.property)}
    results = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        source_shape = results_graph.value(node, SH.sourceShape)
        path = results_graph.value(node, SH.resultPath)
        value = results_graph.value(node, SH.value)
        results.append(
            ValidationResult(
                shape=compiler.shape_name(source_shape, parents.get(source_shape)),
                focus=term_key(results_graph.value(node, SH.focusNode)),
                path=(
                    term_key(path)
                    if path is not None and not _is_blank(path)
                    else compiler.path_label(shapes.value(source_shape, SH.path))
                    if path is not None
                    else None
                ),
                value=term_key(value) if value is not None else None,
                component=str(results_graph.value(node, SH.sourceConstraintComponent)),
                message=str(results_graph.value(node, SH.resultMessage) or ""),
                severity=str(results_graph.value(node, SH.resultSeverity)),
            )
        )
    results = sorted(set(results), key=lambda r: tuple(part or "" for part in r.key()))
    return Report(results, "pyshacl", origins or {})


def _is_blank(term) -> bool:
    from rdflib import BNode

    return isinstance(term, BNode)
