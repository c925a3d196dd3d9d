"""The settings: one table of name, default, environment variable and help (datasette's manner).

These are the library's; the server's table (server/settings.py) extends it with the HTTP
settings. The CLI's options, `nap-graph settings`, the server's config and the settings table
of docs/server.md are all made from the rows. A value comes from the command line (or the
mapping given to `create_app`), else from the row's environment variable, else the default.

A package that adds a command to `nap-graph` (entry point group "nap_graph.commands") lists its
own settings in the command's `settings` attribute, rows of the same shape, for
`nap-graph settings` to show.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from nap_graph.iris import DEFAULT_BASE_IRI

PROJECT_ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)


class Setting(NamedTuple):
    """One setting: its name, its default, the variable that overrides it, and what it does.

    A default that is a Path is a folder of the project (PROJECT_ROOT); a value given as a
    relative path is read from the current folder.
    """

    name: str
    default: object
    env: str
    help: str
    empty: bool = False  # whether an empty variable is a value ("send none"), not unset


SETTINGS = [
    Setting(
        "DATA_DIR",
        Path("data"),
        "NAP_GRAPH_DATA_DIR",
        "Folder of the source data that `nap-graph build` reads: sources.csv and the files it lists.",
    ),
    Setting(
        "ONTOLOGY_DIR",
        Path("ontology"),
        "NAP_GRAPH_ONTOLOGY_DIR",
        "Folder of the ontology (wps.ttl) and the shapes (shapes.ttl) that the build validates against.",
    ),
    Setting(
        "BUILD_DIR",
        Path("build"),
        "NAP_GRAPH_BUILD_DIR",
        "Folder of the built graph: `nap-graph build` writes it; the other commands, and the server, read it. Its former variable NAP_GRAPH_OUT_DIR is read while this one is unset (deprecated).",
    ),
    Setting(
        "BASE_IRI",
        DEFAULT_BASE_IRI,
        "NAP_GRAPH_BASE_IRI",
        "Base of the IRIs that the build mints; the server's own address stands for it.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "NAP_GRAPH_PUBLIC_URL",
        "The address where the deployment answers, such as `https://wps.example.org/`: the build writes it into void.ttl (the SPARQL endpoint, the downloads, the landing page) and the server into the absolute links of its pages and service description. Empty for BASE_IRI, whose w3id.org redirects lead there (docs/deployment.md).",
    ),
    Setting(
        "SOURCE_DATE_EPOCH",
        "",
        "SOURCE_DATE_EPOCH",
        "The build time written into void.ttl, in seconds since 1970 (reproducible builds); empty for the time of the build.",
    ),
]

# Former names of the variables, read while the setting's own is unset; each is dropped after a
# release. `nap-graph build` read NAP_GRAPH_OUT_DIR, `serve` NAP_GRAPH_BUILD_DIR (issue 13).
DEPRECATED_ENV = {"BUILD_DIR": "NAP_GRAPH_OUT_DIR"}
DEFAULT = "default"
_warned: set[str] = set()


def row_of(name: str, table: Iterable[Setting] = SETTINGS) -> Setting:
    """Return the row of a setting."""
    for row in table:
        if row.name == name:
            return row
    raise KeyError(name)


def default_of(name: str, table: Iterable[Setting] = SETTINGS) -> object:
    """Return a setting's default, a folder of the project as an absolute path."""
    return _default(row_of(name, table))


def value_of(name: str, environ: Mapping[str, str] | None = None) -> object:
    """Return a library setting's value: from its environment variable, or its default."""
    return lookup(row_of(name), environ)[0]


def lookup(row: Setting, environ: Mapping[str, str] | None = None) -> tuple[object, str]:
    """Return a setting's value and where it came from: its variable, a former name, or the default.

    A variable set to the empty string counts as unset, unless the row says that empty is a
    value (CORS_ORIGIN= sends no CORS header).
    """
    environ = os.environ if environ is None else environ
    candidates = [(row.env, f"environment variable {row.env}")]
    alias = DEPRECATED_ENV.get(row.name)
    if alias:
        candidates.append((alias, f"deprecated alias {alias}"))
    for variable, source in candidates:
        text = environ.get(variable)
        if text is None or (text == "" and not row.empty):
            continue
        if variable == alias:
            _warn_deprecated(variable, row)
        return _parse(row, text), source
    return _default(row), DEFAULT


def from_environment(
    table: Iterable[Setting], environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Return the settings of the table that the environment sets, and no other variable."""
    values = {}
    for row in table:
        value, source = lookup(row, environ)
        if source != DEFAULT:
            values[row.name] = value
    return values


def current(
    table: Iterable[Setting], environ: Mapping[str, str] | None = None
) -> list[tuple[Setting, object, str]]:
    """Return each setting of the table with its value and where the value came from."""
    return [(row, *lookup(row, environ)) for row in table]


def option_help(row: Setting, text: str | None = None) -> str:
    """Return the help of a command-line option that sets a setting: what, default, variable."""
    default = f"{row.default}/ of the project" if isinstance(row.default, Path) else row.default
    return f"{text or row.help} [default: {default}; env {row.env}]"


def _default(row: Setting) -> object:
    return PROJECT_ROOT / row.default if isinstance(row.default, Path) else row.default


def _parse(row: Setting, text: str) -> object:
    """Read a variable as the default's type: a path, a string, or JSON (5, 2.5, true).

    JSON as Flask's from_prefixed_env reads it, for the typed settings only: a string setting
    stays the string it was given.
    """
    if isinstance(row.default, Path):
        return Path(text)
    if isinstance(row.default, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _warn_deprecated(variable: str, row: Setting) -> None:
    # A log line, not a DeprecationWarning: the tests turn warnings into errors, and the
    # message is for the person who set the variable, once per process.
    if variable not in _warned:
        _warned.add(variable)
        log.warning("%s is deprecated: set %s instead", variable, row.env)
