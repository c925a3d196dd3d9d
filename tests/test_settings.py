"""One settings table for the library and the server, one name per thing (issue 13, item 1)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nap_graph import settings
from nap_graph.build import Settings
from nap_graph.cli import cli
from nap_graph.settings import PROJECT_ROOT, SETTINGS, from_environment, lookup, row_of
from server.settings import SETTINGS as SERVER_SETTINGS

DOCS = PROJECT_ROOT / "docs" / "server.md"
README = PROJECT_ROOT / "README.md"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Let each test see the deprecation note, which is logged once per process."""
    monkeypatch.setattr(settings, "_warned", set())


def test_one_table_with_one_name_and_one_variable_per_setting():
    assert SERVER_SETTINGS[: len(SETTINGS)] == SETTINGS, "the server extends the library's table"
    names = [row.name for row in SERVER_SETTINGS]
    variables = [row.env for row in SERVER_SETTINGS]
    assert len(names) == len(set(names))
    assert len(variables) == len(set(variables))
    assert {"DATA_DIR", "ONTOLOGY_DIR", "BUILD_DIR", "BASE_IRI", "SOURCE_DATE_EPOCH"} <= set(names)
    assert "OUT_DIR" not in names
    for row in SERVER_SETTINGS:
        assert row.env == f"NAP_GRAPH_{row.name}" or row.env == row.name == "SOURCE_DATE_EPOCH"
        assert row.help.strip() and row.default is not None


def test_every_setting_is_documented():
    docs = DOCS.read_text(encoding="utf-8")
    for row in SERVER_SETTINGS:
        assert f"| `{row.name}` | `{row.env}` |" in docs, row.name
    # The README's line of settings names the library's variables and the command that lists them.
    readme = README.read_text(encoding="utf-8")
    paragraph = readme.split("\nSettings: ", 1)[1].split("\n\n", 1)[0]
    for row in SETTINGS:
        assert f"`{row.env}`" in paragraph, row.env
    assert "`nap-graph settings`" in paragraph and "NAP_GRAPH_OUT_DIR" in paragraph
    assert "`nap-graph settings`" in docs


@pytest.mark.parametrize(
    ("environ", "value", "source"),
    [
        ({}, PROJECT_ROOT / "build", "default"),
        ({"NAP_GRAPH_BUILD_DIR": "b"}, Path("b"), "environment variable NAP_GRAPH_BUILD_DIR"),
        ({"NAP_GRAPH_OUT_DIR": "o"}, Path("o"), "deprecated alias NAP_GRAPH_OUT_DIR"),
        (
            {"NAP_GRAPH_BUILD_DIR": "b", "NAP_GRAPH_OUT_DIR": "o"},
            Path("b"),
            "environment variable NAP_GRAPH_BUILD_DIR",
        ),
        (
            {"NAP_GRAPH_BUILD_DIR": "", "NAP_GRAPH_OUT_DIR": "o"},
            Path("o"),
            "deprecated alias NAP_GRAPH_OUT_DIR",
        ),
    ],
)
def test_build_dir_comes_from_its_variable_then_the_former_one(environ, value, source):
    assert lookup(row_of("BUILD_DIR"), environ) == (value, source)
    assert Settings.from_env(environ).out_dir == value


def test_the_former_variable_is_noted_once(caplog):
    environ = {"NAP_GRAPH_OUT_DIR": "o"}
    with caplog.at_level(logging.WARNING, logger="nap_graph.settings"):
        lookup(row_of("BUILD_DIR"), environ)
        lookup(row_of("BUILD_DIR"), environ)
    notes = [r.getMessage() for r in caplog.records if r.name == "nap_graph.settings"]
    assert notes == ["NAP_GRAPH_OUT_DIR is deprecated: set NAP_GRAPH_BUILD_DIR instead"]


def test_variables_are_read_as_the_type_of_the_default():
    environ = {
        "NAP_GRAPH_QUERY_TIMEOUT": "2.5",
        "NAP_GRAPH_RESULT_LIMIT": "7",
        "NAP_GRAPH_PROXY_HOPS": "not a number",  # kept as given, as from_prefixed_env did
        "NAP_GRAPH_ALLOWED_HOSTS": "123",  # a string setting stays a string
        "NAP_GRAPH_CORS_ORIGIN": "",  # empty is a value where the row says so: send none
        "NAP_GRAPH_DATA_DIR": "",  # and unset elsewhere
        "NAP_GRAPH_BASE_IRI": "",  # as the build has always read it
    }
    assert from_environment(SERVER_SETTINGS, environ) == {
        "QUERY_TIMEOUT": 2.5,
        "RESULT_LIMIT": 7,
        "PROXY_HOPS": "not a number",
        "ALLOWED_HOSTS": "123",
        "CORS_ORIGIN": "",
    }


def test_only_the_known_variables_are_read():
    environ = {"NAP_GRAPH_STORE_PASSWORD": "secret", "NAP_GRAPH_TESTING": "true", "PATH": "/bin"}
    assert from_environment(SERVER_SETTINGS, environ) == {}


def test_the_commands_options_come_from_the_table():
    result = CliRunner().invoke(cli, ["build", "--help"], terminal_width=1000)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if "--" in line}
    for flag, name in (
        ("--data-dir", "DATA_DIR"),
        ("--ontology-dir", "ONTOLOGY_DIR"),
        ("--out", "BUILD_DIR"),
        ("--base-iri", "BASE_IRI"),
    ):
        assert lines[flag].rstrip().endswith(f"env {row_of(name).env}]"), lines[flag]


@pytest.mark.parametrize("variable", ["NAP_GRAPH_BUILD_DIR", "NAP_GRAPH_OUT_DIR"])
def test_serve_reads_the_build_folder_where_build_writes_it(variable, tmp_path, monkeypatch):
    """`serve` once read NAP_GRAPH_BUILD_DIR and `build` NAP_GRAPH_OUT_DIR (issue 13)."""

    def no_server(*args):
        raise AssertionError("serve found a build elsewhere and would have started")

    monkeypatch.setattr("server.cli._granian", no_server)
    nowhere = tmp_path / "nowhere"
    environ = {"NAP_GRAPH_BUILD_DIR": None, "NAP_GRAPH_OUT_DIR": None, variable: str(nowhere)}
    result = CliRunner().invoke(cli, ["serve", "--no-build"], env=environ)
    assert result.exit_code == 1
    assert f"no built graph in {nowhere}" in result.output
    assert not nowhere.exists()


def test_settings_lists_each_value_and_where_it_came_from(tmp_path):
    environ = {
        "NAP_GRAPH_BUILD_DIR": None,
        "NAP_GRAPH_OUT_DIR": str(tmp_path),
        "NAP_GRAPH_QUERY_TIMEOUT": "3",
        "NAP_GRAPH_DATA_DIR": None,
    }
    result = CliRunner().invoke(cli, ["settings"], env=environ)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.output.splitlines()}
    assert rows["BUILD_DIR"] == [str(tmp_path), "deprecated alias NAP_GRAPH_OUT_DIR"]
    assert rows["QUERY_TIMEOUT"] == ["3", "environment variable NAP_GRAPH_QUERY_TIMEOUT"]
    assert rows["DATA_DIR"] == [str(PROJECT_ROOT / "data"), "default"]

    result = CliRunner().invoke(cli, ["settings", "--json"], env=environ)
    assert result.exit_code == 0, result.output
    listed = {item["name"]: item for item in json.loads(result.stdout)}
    assert list(listed) == [row.name for row in SERVER_SETTINGS]
    assert listed["BUILD_DIR"]["value"] == str(tmp_path)
    assert listed["BUILD_DIR"]["env"] == "NAP_GRAPH_BUILD_DIR"
    assert listed["QUERY_TIMEOUT"] == {
        "name": "QUERY_TIMEOUT",
        "value": 3,
        "source": "environment variable NAP_GRAPH_QUERY_TIMEOUT",
        "env": "NAP_GRAPH_QUERY_TIMEOUT",
        "default": 10.0,
        "help": row_of("QUERY_TIMEOUT", SERVER_SETTINGS).help,
    }


IMPORTED = """
import sys
from nap_graph.cli import cli
try:
    cli(sys.argv[1:], prog_name="nap-graph")
except SystemExit:
    pass
print(sorted({m.split(".")[0] for m in sys.modules} & {"flask", "werkzeug", "server"}))
"""


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["build", "--help"], []),
        (["stats", "--help"], []),
        (["--version"], []),
        (["serve", "--help"], ["flask", "server", "werkzeug"]),
    ],
)
def test_only_serve_imports_flask(args, loaded):
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == repr(loaded)


def test_the_app_reads_the_known_variables_only(built, tmp_path, monkeypatch):
    from server import create_app

    monkeypatch.delenv("NAP_GRAPH_BUILD_DIR", raising=False)
    monkeypatch.setenv("NAP_GRAPH_OUT_DIR", str(built.settings.out_dir))
    monkeypatch.setenv("NAP_GRAPH_STORE_PASSWORD", "secret")
    monkeypatch.setenv("NAP_GRAPH_NOT_A_SETTING", "1")
    monkeypatch.setenv("NAP_GRAPH_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("NAP_GRAPH_RESULT_LIMIT", "5")
    app = create_app({"RESULT_LIMIT": 7, "QUERY_WORKERS": 1, "STORE_DIR": str(tmp_path)})
    try:
        assert app.config["BUILD_DIR"] == str(built.settings.out_dir)
        assert app.config["QUERY_TIMEOUT"] == 2.5
        assert app.config["RESULT_LIMIT"] == 7  # create_app's config wins
        assert "STORE_PASSWORD" not in app.config and "NOT_A_SETTING" not in app.config
        assert "secret" not in app.config.values()
    finally:
        app.extensions["nap_graph"].close()
