"""Every setting is documented, and the app reads settings from the environment and config."""

from __future__ import annotations

from pathlib import Path

from server.settings import SETTINGS

DOCS = Path(__file__).parents[1] / "docs" / "server.md"


def settings_table() -> str:
    rows = ["| setting | variable | default | what it does |", "|---|---|---|---|"]
    rows += [f"| `{row.name}` | `{row.env}` | `{row.default}` | {row.help} |" for row in SETTINGS]
    return "\n".join(rows)


def test_docs_list_every_setting_as_the_code_has_it():
    text = DOCS.read_text()
    documented = text.split("<!-- settings:begin -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[
        0
    ]
    assert documented == settings_table(), (
        "regenerate the table of docs/server.md from server/settings.py"
    )


def test_environment_and_config_override_the_defaults(built, tmp_path, monkeypatch):
    from server import create_app

    monkeypatch.setenv("NAP_GRAPH_QUERY_TIMEOUT", "3.5")
    monkeypatch.setenv("NAP_GRAPH_STORE_DIR", str(tmp_path / "cache"))
    app = create_app(
        {"BUILD_DIR": str(built.settings.out_dir), "RESULT_LIMIT": 7, "QUERY_WORKERS": 1}
    )
    try:
        assert app.config["QUERY_TIMEOUT"] == 3.5
        assert app.config["RESULT_LIMIT"] == 7
        client = app.test_client()
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert len(response.get_json()["results"]["bindings"]) == 7
        assert response.headers["NAP-Graph-Truncated"] == "true"
    finally:
        app.extensions["nap_graph"].close()


def test_missing_build_is_a_clear_error(tmp_path):
    import pytest

    from nap_graph.errors import NotBuilt
    from server import create_app

    with pytest.raises(NotBuilt, match="nap-graph build"):
        create_app({"BUILD_DIR": str(tmp_path / "nothing"), "STORE_DIR": str(tmp_path / "cache")})
