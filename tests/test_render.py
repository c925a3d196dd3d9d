"""server/render.py: the one place responses are written, and the layering it makes possible.

Import circles are test_architecture.py's; here, that none is dodged by an import in a function.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from server import render

SERVER = Path(render.__file__).parent
# The only imports of server modules inside a function: the factory's import of its views
# (flaskr), and the CLI's of the factory. Any other would hide an import circle.
IMPORTS_IN_FUNCTIONS = {
    ("server", "create_app"),
    ("server.cli", "serve_command"),
    ("server.cli", "_worker_app"),
}


def _modules() -> dict[str, ast.Module]:
    return {
        ("server" if p.stem == "__init__" else f"server.{p.stem}"): ast.parse(p.read_text())
        for p in SERVER.glob("*.py")
    }


def _server_imports(node: ast.AST, modules) -> set[str]:
    """The server modules an import statement imports (`from server import pages` too)."""
    if isinstance(node, ast.ImportFrom) and node.module == "server":
        return {
            f"server.{a.name}" if f"server.{a.name}" in modules else "server" for a in node.names
        }
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("server."):
        return {node.module}
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.startswith("server.")}
    return set()


def test_no_server_import_hidden_in_a_function():
    modules = _modules()
    found = {
        (name, function.name)
        for name, tree in modules.items()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if _server_imports(node, modules)
    }
    assert found <= IMPORTS_IN_FUNCTIONS


def test_render_imports_no_view():
    """Every view may import render: render imports none of them."""
    modules = _modules()
    imported = {
        t for node in ast.walk(modules["server.render"]) for t in _server_imports(node, modules)
    }
    assert imported <= {"server.negotiation"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"a": "</script><script>alert(1)</script>"}',
            '{"a": "<\\/script><script>alert(1)<\\/script>"}',
        ),
        ('{"a": "x < y / z"}', '{"a": "x < y / z"}'),
    ],
)
def test_script_json_cannot_close_the_script(text, expected):
    assert render.script_json(text) == expected
    assert json.loads(render.script_json(text)) == json.loads(text)


@pytest.mark.parametrize(
    ("media_type", "header"),
    [
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/gzip", "application/gzip"),
    ],
)
def test_one_charset_rule(media_type, header):
    assert render.content_type(media_type) == header


def test_nothing_is_parsed_per_request(client, built, monkeypatch):
    """The VoID description, the ontology and the shapes are parsed once per app."""
    ontology = built.settings.out_dir / "ontology" / "wps.ttl"
    version = next(
        t.object.value
        for t in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://www.w3.org/2002/07/owl#versionIRI"
    ).rsplit("/", 1)[-1]
    # Each of these once read a file of the build on every request.
    addresses = [
        ("/", "text/html"),
        ("/void", "application/ld+json"),
        ("/def/wps", "text/html"),
        ("/def/wps.nt", "*/*"),
        ("/def/wps.ttl", "*/*"),
        ("/def/shapes", "application/n-triples"),
        (f"/def/wps/{version}.jsonld", "*/*"),
    ]
    for url, accept in addresses:  # the first requests may read, once per app
        client.get(url, headers={"Accept": accept})
    parsed = []

    def refuse(*args, **kwargs):
        parsed.append((args, kwargs))
        raise AssertionError("parsed during a request")

    monkeypatch.setattr(ox, "parse", refuse)
    monkeypatch.setattr(rdflib.Graph, "parse", refuse)
    for url, accept in addresses:
        assert client.get(url, headers={"Accept": accept}).status_code == 200, url
    assert parsed == []
