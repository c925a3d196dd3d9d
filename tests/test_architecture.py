"""The house's rules (docs/architecture.md): the modules it names exist, the library never
imports the server or Flask, and no modules import each other in a circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nap_graph", "server")
PAGE = ROOT / "docs" / "architecture.md"


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Return the modules a file imports, each with whether it is imported at module level."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(name, id(node) in top) for name in names]
    return found


def _edges(modules: dict[str, Path], top_level_only: bool) -> dict[str, set[str]]:
    edges = {}
    for name, path in modules.items():
        edges[name] = {
            target
            for target, top in _imports(path)
            if target in modules
            and target != name
            and (top or not top_level_only)
            # A package's __init__ is run by importing any of its modules: not an arrow.
            and target not in PACKAGES
        }
    return edges


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_modules_the_page_names_exist():
    named = set(re.findall(r"`([a-z_/]+\.py)`", PAGE.read_text()))
    assert named, "the page names no modules"
    missing = []
    for name in named:
        candidates = [ROOT / name, *(ROOT / package / name for package in PACKAGES)]
        candidates += [ROOT / "nap_graph" / "sources" / name]
        if not any(path.is_file() for path in candidates):
            missing.append(name)
    assert missing == []


def test_every_module_is_on_the_page():
    text = PAGE.read_text()
    unnamed = [
        f"{path.relative_to(ROOT)}"
        for path in _modules().values()
        if path.name not in ("__main__.py",)
        and f"`{path.name}`" not in text
        and f"`{path.relative_to(ROOT / path.relative_to(ROOT).parts[0]).as_posix()}`" not in text
        and f"`{path.parent.name}/*`" not in text
    ]
    assert unnamed == []


@pytest.mark.parametrize("forbidden", ["server", "flask", "werkzeug"])
def test_the_library_never_imports_the_server(forbidden):
    offenders = [
        f"{path.relative_to(ROOT)} imports {target}"
        for name, path in _modules().items()
        if name.startswith("nap_graph")
        for target, _ in _imports(path)
        if target == forbidden or target.startswith(forbidden + ".")
    ]
    assert offenders == []


def test_no_import_circles():
    """Not even through imports inside functions, which would only hide one."""
    assert _circles(_edges(_modules(), top_level_only=False)) == []


def test_the_server_never_reads_source_files():
    offenders = [
        f"{path.relative_to(ROOT)} imports {target}"
        for name, path in _modules().items()
        if name.startswith("server") and name != "server.cli"  # `serve` builds first
        for target, _ in _imports(path)
        if target.startswith(("nap_graph.sources", "nap_graph.build", "nap_graph.reconcile"))
    ]
    assert offenders == []


def test_every_exception_lives_in_errors():
    offenders = []
    for path in _modules().values():
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name)
                and base.id.endswith(("Error", "Exception"))
                or isinstance(base, ast.Name)
                and base.id
                in (
                    "NapGraphError",
                    "QueryRejected",
                    "StoreUnavailable",
                    "NotAcceptable",
                    "UnknownResource",
                )
                for base in node.bases
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []
