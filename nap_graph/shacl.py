"""Run SHACL shapes as SPARQL queries in Oxigraph.

pySHACL walks the data graph node by node in Python, which takes minutes for the
statistics. The shapes are compiled here into one SPARQL query per constraint and run
by Oxigraph over all focus nodes at once. The shapes stay the single statement of the
rules: this module reads them, never restates them, and refuses any SHACL feature it
does not implement, so that no rule is silently skipped. `tests/test_shapes.py` checks
that it reports what pySHACL reports on every fixture.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from nap_graph.errors import UnsupportedShape

# Lexical forms of the datatypes our shapes use: sh:datatype fails on ill-formed literals.
_LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.nonNegativeInteger: r"^[+]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.gYearMonth: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.date: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.boolean: r"^(true|false|1|0)$",
}

# Parameters we implement; any other sh: predicate on a shape is refused.
_PROPERTY_PARAMETERS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH["class"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH.languageIn,
    SH.uniqueLang,
    SH["in"],
    SH.hasValue,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.sparql,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
}
_NODE_PARAMETERS = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.sparql,
    SH.closed,
    SH.ignoredProperties,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
}


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One violation of a shape, with terms in N-Triples form."""

    shape: str
    focus: str
    path: str | None
    value: str | None
    component: str
    message: str = field(compare=False)
    severity: str = field(default=str(SH.Violation), compare=False)

    def key(self) -> tuple:
        """Return what two engines must agree on (messages may be worded differently)."""
        return (self.shape, self.focus, self.path, self.value, self.component)


@dataclass
class Check:
    """One compiled constraint: a SELECT query whose rows are violations."""

    shape: str
    component: URIRef
    query: str
    message: str
    severity: str
    path: str | None = None
    # For SPARQL-based constraints the query runs unbound and rows are kept only for
    # focus nodes of the shape's targets.
    targets: str | None = None


def term_key(term) -> str:
    """Return an rdflib or pyoxigraph term in N-Triples form."""
    if isinstance(term, (URIRef, BNode, Literal)):
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term)).n3()
        return term.n3()
    return str(term)


def _sparql_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShape(f"a blank node cannot be used as a constant in a constraint: {term}")


def _string_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class ShapeCompiler:
    """Compile the shapes of a shapes graph into `Check`s."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.checks: list[Check] = []

    # -------------------------------------------------------------- naming

    def name(self, node) -> str:
        """Return a readable name for a shape, using the shapes graph's prefixes."""
        if isinstance(node, URIRef):
            try:
                return self.shapes.namespace_manager.normalizeUri(node)
            except Exception:  # an IRI that no prefix can shorten
                return f"<{node}>"
        return str(node)

    def shape_name(self, shape, parent=None) -> str:
        if isinstance(shape, URIRef) or parent is None:
            return self.name(shape)
        path = self.shapes.value(shape, SH.path)
        return f"{self.name(parent)} ({self.path_label(path)})"

    def path_label(self, path) -> str:
        if isinstance(path, URIRef):
            return self.name(path)
        inverse = self.shapes.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + self.path_label(inverse)
        return self.sparql_path(path)

    # -------------------------------------------------------------- compile

    def compile(self) -> list[Check]:
        custom = sorted(self.shapes.subjects(RDF.type, SH.ConstraintComponent), key=str)
        if custom:
            raise UnsupportedShape(
                f"the shapes declare constraint components ({', '.join(self.name(c) for c in custom)}), "
                "which the build's SHACL engine does not implement; run `nap-graph validate --engine pyshacl`"
            )
        node_shapes = set(self.shapes.subjects(RDF.type, SH.NodeShape))
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            node_shapes.update(self.shapes.subjects(predicate, None))
        for shape in sorted(node_shapes, key=str):
            self.compile_node_shape(shape)
        return self.checks

    def _deactivated(self, shape) -> bool:
        return self.shapes.value(shape, SH.deactivated) == Literal(True)

    def _refuse_unknown(self, shape, allowed: set) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in allowed:
                raise UnsupportedShape(
                    f"{self.name(shape)} uses {self.name(predicate)}, which the build's SHACL "
                    "engine does not implement; run `nap-graph validate --engine pyshacl` "
                    "or extend nap_graph/shacl.py"
                )

    def target_pattern(self, shape) -> str | None:
        parts = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            parts.append(class_target(cls))
        nodes = list(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " }")
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_sparql_term(predicate)} ?targetObject .")
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            parts.append(f"?targetSubject {_sparql_term(predicate)} ?this .")
        if (shape, RDF.type, RDFS_CLASS) in self.shapes:
            parts.append(class_target(shape))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return " UNION ".join("{ " + p + " }" for p in parts)

    def compile_node_shape(self, shape) -> None:
        if self._deactivated(shape):
            return
        self._refuse_unknown(shape, _NODE_PARAMETERS)
        target = self.target_pattern(shape)
        if target is None:
            # A shape without targets only matters when referenced, and we refuse sh:node.
            return
        severity = str(self.shapes.value(shape, SH.severity) or SH.Violation)
        for prop in self.shapes.objects(shape, SH.property):
            self.compile_property_shape(prop, shape, target)
        for constraint in self.shapes.objects(shape, SH.sparql):
            self.compile_sparql(constraint, shape, shape, target, None, severity)
        if self.shapes.value(shape, SH.closed) == Literal(True):
            allowed = {
                self.shapes.value(p, SH.path) for p in self.shapes.objects(shape, SH.property)
            }
            ignored = self.shapes.value(shape, SH.ignoredProperties)
            if ignored is not None:
                allowed.update(Collection(self.shapes, ignored))
            allowed = [a for a in allowed if isinstance(a, URIRef)]
            not_in = ", ".join(_sparql_term(a) for a in sorted(allowed))
            query = (
                f"SELECT ?this ?path ?value WHERE {{ {target} ?this ?path ?value ."
                + (f" FILTER (?path NOT IN ({not_in}))" if not_in else "")
                + " }"
            )
            self.checks.append(
                Check(
                    self.name(shape),
                    SH.ClosedConstraintComponent,
                    query,
                    self._message(shape, "Predicate is not allowed (closed shape)."),
                    severity,
                )
            )

    def _message(self, shape, default: str) -> str:
        message = self.shapes.value(shape, SH.message)
        return str(message) if message is not None else default

    def sparql_path(self, path) -> str:
        """Translate a SHACL property path into SPARQL property path syntax."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        if (path, RDF.first, None) in self.shapes:
            return "(" + "/".join(self.sparql_path(p) for p in Collection(self.shapes, path)) + ")"
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = self.shapes.value(path, predicate)
            if inner is not None:
                return "(" + template.format(self.sparql_path(inner)) + ")"
        alternatives = self.shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return (
                "("
                + "|".join(self.sparql_path(p) for p in Collection(self.shapes, alternatives))
                + ")"
            )
        raise UnsupportedShape(f"unsupported property path {path}")

    def compile_property_shape(self, prop, parent, target: str) -> None:
        if self._deactivated(prop):
            return
        self._refuse_unknown(prop, _PROPERTY_PARAMETERS)
        g = self.shapes
        path_node = g.value(prop, SH.path)
        if path_node is None:
            raise UnsupportedShape(f"a property shape of {self.name(parent)} has no sh:path")
        path = self.sparql_path(path_node)
        path_key = (
            term_key(path_node) if isinstance(path_node, URIRef) else self.path_label(path_node)
        )
        shape = self.shape_name(prop, parent)
        severity = str(g.value(prop, SH.severity) or g.value(parent, SH.severity) or SH.Violation)

        def add(component, where: str, default: str, select: str = "?this ?value") -> None:
            query = f"SELECT DISTINCT {select} WHERE {{ {target} {where} }}"
            self.checks.append(
                Check(shape, component, query, self._message(prop, default), severity, path_key)
            )

        def add_grouped(component, where: str, having: str, default: str) -> None:
            query = f"SELECT ?this WHERE {{ {target} {where} }} GROUP BY ?this HAVING ({having})"
            self.checks.append(
                Check(shape, component, query, self._message(prop, default), severity, path_key)
            )

        value = f"?this {path} ?value ."
        for min_count in g.objects(prop, SH.minCount):
            n = int(min_count)
            message = f"Less than {n} values on {self.path_label(path_node)}."
            if n == 1:  # the common case, without grouping: about a third faster
                add(
                    SH.MinCountConstraintComponent,
                    f"FILTER NOT EXISTS {{ ?this {path} ?value }}",
                    message,
                    select="?this",
                )
            elif n > 1:
                add_grouped(
                    SH.MinCountConstraintComponent,
                    f"OPTIONAL {{ ?this {path} ?value }}",
                    f"COUNT(DISTINCT ?value) < {n}",
                    message,
                )
        for max_count in g.objects(prop, SH.maxCount):
            n = int(max_count)
            message = f"More than {n} values on {self.path_label(path_node)}."
            if n == 0:
                add(SH.MaxCountConstraintComponent, value, message, select="?this")
            elif n == 1:
                add(
                    SH.MaxCountConstraintComponent,
                    f"?this {path} ?value . ?this {path} ?other . FILTER (!sameTerm(?value, ?other))",
                    message,
                    select="?this",
                )
            else:
                add_grouped(
                    SH.MaxCountConstraintComponent, value, f"COUNT(DISTINCT ?value) > {n}", message
                )
        for datatype in g.objects(prop, SH.datatype):
            condition = f"!isLiteral(?value) || datatype(?value) != {_sparql_term(datatype)}"
            if datatype in _LEXICAL:
                condition += f' || !REGEX(STR(?value), "{_LEXICAL[datatype]}")'
            add(
                SH.DatatypeConstraintComponent,
                f"{value} FILTER ({condition})",
                f"Value is not a well-formed literal of datatype {self.name(datatype)}.",
            )
        for kind in g.objects(prop, SH.nodeKind):
            test = {
                SH.IRI: "!isIRI(?value)",
                SH.BlankNode: "!isBlank(?value)",
                SH.Literal: "!isLiteral(?value)",
                SH.BlankNodeOrIRI: "isLiteral(?value)",
                SH.BlankNodeOrLiteral: "isIRI(?value)",
                SH.IRIOrLiteral: "isBlank(?value)",
            }[kind]
            add(
                SH.NodeKindConstraintComponent,
                f"{value} FILTER ({test})",
                f"Value is not of node kind {self.name(kind)}.",
            )
        for cls in g.objects(prop, SH["class"]):
            add(
                SH.ClassConstraintComponent,
                f"{value} FILTER NOT EXISTS {{ {class_test(cls)} }}",
                f"Value is not an instance of {self.name(cls)}.",
            )
        for parameter, operator, component in (
            (SH.minInclusive, ">=", SH.MinInclusiveConstraintComponent),
            (SH.maxInclusive, "<=", SH.MaxInclusiveConstraintComponent),
            (SH.minExclusive, ">", SH.MinExclusiveConstraintComponent),
            (SH.maxExclusive, "<", SH.MaxExclusiveConstraintComponent),
        ):
            for bound in g.objects(prop, parameter):
                add(
                    component,
                    f"{value} FILTER (!COALESCE(?value {operator} {_sparql_term(bound)}, false))",
                    f"Value is not {operator} {bound}.",
                )
        for parameter, operator, component in (
            (SH.minLength, "<", SH.MinLengthConstraintComponent),
            (SH.maxLength, ">", SH.MaxLengthConstraintComponent),
        ):
            for bound in g.objects(prop, parameter):
                add(
                    component,
                    f"{value} FILTER (isBlank(?value) || STRLEN(STR(?value)) {operator} {int(bound)})",
                    f"Value has a length {operator} {int(bound)}.",
                )
        for pattern in g.objects(prop, SH.pattern):
            flags = g.value(prop, SH.flags)
            regex = f"REGEX(STR(?value), {_string_literal(str(pattern))}"
            regex += f", {_string_literal(str(flags))})" if flags is not None else ")"
            add(
                SH.PatternConstraintComponent,
                f"{value} FILTER (isBlank(?value) || !{regex})",
                f"Value does not match the pattern {pattern}.",
            )
        for languages in g.objects(prop, SH.languageIn):
            tests = " || ".join(
                f"langMatches(lang(?value), {_string_literal(str(lang))})"
                for lang in Collection(g, languages)
            )
            add(
                SH.LanguageInConstraintComponent,
                f"{value} FILTER (!isLiteral(?value) || !({tests or 'false'}))",
                "Language tag is not allowed.",
            )
        if g.value(prop, SH.uniqueLang) == Literal(True):
            add(
                SH.UniqueLangConstraintComponent,
                f"?this {path} ?a . ?this {path} ?b . "
                'FILTER (?a != ?b && lang(?a) != "" && lang(?a) = lang(?b))',
                "Two values share a language tag.",
                select="?this",
            )
        for members in g.objects(prop, SH["in"]):
            allowed = list(Collection(g, members))
            tests = " || ".join(f"sameTerm(?value, {_sparql_term(a)})" for a in allowed)
            add(
                SH.InConstraintComponent,
                f"{value} FILTER (!({tests or 'false'}))",
                "Value is not one of the allowed values.",
            )
        for required in g.objects(prop, SH.hasValue):
            add(
                SH.HasValueConstraintComponent,
                f"FILTER NOT EXISTS {{ ?this {path} {_sparql_term(required)} }}",
                f"Missing the value {required}.",
                select="?this",
            )
        for other in g.objects(prop, SH.equals):
            o = _sparql_term(other)
            add(
                SH.EqualsConstraintComponent,
                f"{{ ?this {path} ?value FILTER NOT EXISTS {{ ?this {o} ?value }} }} UNION "
                f"{{ ?this {o} ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }}",
                f"Values differ from those of {self.name(other)}.",
            )
        for other in g.objects(prop, SH.disjoint):
            add(
                SH.DisjointConstraintComponent,
                f"{value} ?this {_sparql_term(other)} ?value .",
                f"Value is also a value of {self.name(other)}.",
            )
        for parameter, operator, component in (
            (SH.lessThan, "<", SH.LessThanConstraintComponent),
            (SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent),
        ):
            for other in g.objects(prop, parameter):
                add(
                    component,
                    f"{value} ?this {_sparql_term(other)} ?other . "
                    f"FILTER (!COALESCE(?value {operator} ?other, false))",
                    f"Value is not {operator} the value of {self.name(other)}.",
                )
        for constraint in g.objects(prop, SH.sparql):
            self.compile_sparql(constraint, prop, parent, target, path, severity)

    def compile_sparql(self, constraint, shape, parent, target, path, severity) -> None:
        g = self.shapes
        if self._deactivated(constraint):
            return
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"a SPARQL constraint of {self.name(parent)} has no sh:select")
        prefixes = []
        for prefixes_node in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(prefixes_node, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        text = str(select)
        if path is not None:
            text = text.replace("$PATH", path)
        text = re.sub(r"\$this\b", "?this", text)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise UnsupportedShape(
                f"{self.name(parent)}: $currentShape and $shapesGraph are not supported"
            )
        if not binds_this(text):
            raise UnsupportedShape(
                f"a SPARQL constraint of {self.name(parent)} uses $this only inside FILTER or MINUS: "
                "the build's engine runs it once for all focus nodes, so $this must be bound by a "
                "triple pattern (pySHACL pre-binds it instead)"
            )
        query = "\n".join(prefixes + [text])
        name = self.shape_name(shape, parent if shape != parent else None)
        path_key = None
        if path is not None:
            path_node = g.value(shape, SH.path)
            path_key = (
                term_key(path_node) if isinstance(path_node, URIRef) else self.path_label(path_node)
            )
        message = self._message(constraint, self._message(shape, "SPARQL constraint violated."))
        self.checks.append(
            Check(
                name,
                SH.SPARQLConstraintComponent,
                query,
                message,
                severity,
                path_key,
                targets=f"SELECT DISTINCT ?this WHERE {{ {target} }}",
            )
        )


RDFS_SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDFS_CLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#Class")
# The class tests that `specialize` rewrites: targets (?this) and sh:class tests (?value).
_CLASS_TEST = re.compile(
    r"\?(this|value) <"
    + re.escape(str(RDF.type))
    + ">/<"
    + re.escape(str(RDFS_SUBCLASS))
    + r">\* <([^>]+)>"
)


def class_target(cls) -> str:
    """Return the focus nodes of sh:targetClass: instances of the class or of a subclass."""
    return f"?this <{RDF.type}>/<{RDFS_SUBCLASS}>* {_sparql_term(cls)} ."


def class_test(cls) -> str:
    """Return the test of sh:class: ?value is an instance of the class or of a subclass."""
    return f"?value <{RDF.type}>/<{RDFS_SUBCLASS}>* {_sparql_term(cls)}"


def specialize(query: str, subclasses: dict[str, list[str]]) -> str:
    """Replace class tests by the classes that the data has: a plain rdf:type join is faster
    than a property path on every node, with the same answers."""

    def replace(match):
        variable, cls = match.group(1), match.group(2)
        classes = subclasses.get(cls, [cls])
        if len(classes) == 1:
            return f"?{variable} <{RDF.type}> <{classes[0]}>"
        values = " ".join(f"<{c}>" for c in classes)
        return f"VALUES ?{variable}Class {{ {values} }} ?{variable} <{RDF.type}> ?{variable}Class"

    return _CLASS_TEST.sub(replace, query)


def binds_this(query: str) -> bool:
    """Whether ?this occurs in the query outside FILTER and MINUS, where a pattern can bind it."""
    from nap_graph.query_check import tokens

    toks = tokens(query)
    kept = []
    i = 0
    while i < len(toks):
        kind, value = toks[i]
        word = value.upper() if kind == "word" else None
        if word == "SELECT":
            # A projection names variables; only a pattern binds them.
            while i + 1 < len(toks) and toks[i + 1][1] != "{" and toks[i + 1][1].upper() != "WHERE":
                i += 1
        elif word in ("FILTER", "MINUS"):
            # Skip to the end of the balanced (...) or {...} that follows.
            i += 1
            while i < len(toks) and toks[i][1] not in ("(", "{"):
                i += 1
            depth = 0
            while i < len(toks):
                if toks[i][1] in ("(", "{"):
                    depth += 1
                elif toks[i][1] in (")", "}"):
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
        else:
            kept.append((kind, value))
        i += 1
    return ("var", "?this") in kept


def _fill_message(template: str, row: dict) -> str:
    def replace(match):
        value = row.get(match.group(1))
        return value if value is not None else match.group(0)

    return re.sub(r"\{[?$](\w+)\}", replace, template)


def run_checks(
    checks: list[Check], store: ox.Store, *, union: bool = True, progress=None, threads: int = 1
) -> list[ValidationResult]:
    """Run compiled checks against a store and return the violations, sorted.

    Oxigraph releases the GIL while it evaluates a query, so checks run in threads.
    """
    options = {"use_default_graph_as_union": union}
    subclasses = subclass_lists(checks, store, options)
    focus_sets: dict[str, set[str]] = {}
    lock = threading.Lock()

    def focus_set(targets: str) -> set[str]:
        with lock:  # the same targets serve several constraints: compute them once
            if targets not in focus_sets:
                query = specialize(targets, subclasses)
                focus_sets[targets] = {str(row[0]) for row in store.query(query, **options)}
            return focus_sets[targets]

    def run(check: Check) -> list[ValidationResult]:
        focus = focus_set(check.targets) if check.targets is not None else None
        solutions = store.query(specialize(check.query, subclasses), **options)
        names = [v.value for v in solutions.variables]
        found = []
        for row in solutions:
            this = row["this"] if "this" in names else None
            if this is None:
                continue
            this = str(this)
            if focus is not None and this not in focus:
                continue
            values = {n: (str(row[n]) if row[n] is not None else None) for n in names}
            path = check.path if check.path is not None else values.get("path")
            if (
                values.get("value") is None
                and check.component == SH.SPARQLConstraintComponent
                and check.path is None
            ):
                values["value"] = this  # SHACL 5.3.2: a node shape's value node is the focus node
            found.append(
                ValidationResult(
                    shape=check.shape,
                    focus=this,
                    path=path,
                    value=values.get("value"),
                    component=str(check.component),
                    message=_fill_message(check.message, values),
                    severity=check.severity,
                )
            )
        if progress is not None:
            progress()
        return found

    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            batches = list(pool.map(run, checks))
    else:
        batches = [run(check) for check in checks]
    # A result may lack a path or value where another has one: sort them as empty.
    return sorted(
        {result for batch in batches for result in batch},
        key=lambda r: tuple(part or "" for part in r.key()),
    )


def subclass_lists(checks: Iterable[Check], store: ox.Store, options: dict) -> dict[str, list[str]]:
    """Return each class that checks test with its subclasses in the data (itself included)."""
    classes = {
        m.group(2)
        for c in checks
        for q in (c.query, c.targets or "")
        for m in _CLASS_TEST.finditer(q)
    }
    return {
        cls: sorted(
            {
                row["c"].value
                for row in store.query(
                    f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* <{cls}> }}", **options
                )
            }
            | {cls}
        )
        for cls in classes
    }


def compile_shapes(shapes: Graph) -> list[Check]:
    """Compile every shape of a shapes graph into SPARQL checks."""
    return ShapeCompiler(shapes).compile()
