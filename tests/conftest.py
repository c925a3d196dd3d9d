"""Fixtures: the small sources' settings and builds, the app in process (app, client, runner),
and the real servers for the tests marked `live`. What they share is in helpers.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    ONTOLOGY,
    SHORT_LIMITS,
    SOURCES,
    TESTS,
    BufferedClient,
    LiveServer,
    require_installed,
    serve_build,
)
from rdflib import Graph

from nap_graph.build import Settings, build


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A writable copy of the small sources, for tests that break them."""
    target = tmp_path / "data"
    shutil.copytree(SOURCES, target)
    return target


@pytest.fixture
def settings(tmp_path, data_dir) -> Settings:
    return Settings(data_dir=data_dir, ontology_dir=ONTOLOGY, out_dir=tmp_path / "build")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One build of the small sources, shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("built") / "build"
    return build(Settings(data_dir=SOURCES, ontology_dir=ONTOLOGY, out_dir=out))


@pytest.fixture(scope="session")
def full_build(tmp_path_factory):
    """One build of all the data on hand (about 20 seconds)."""
    out = tmp_path_factory.mktemp("full") / "build"
    return build(Settings(out_dir=out))


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY / "shapes.ttl")


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "wps.ttl")


# ---------------------------------------------------------------- in process (flaskr)


@pytest.fixture(scope="session")
def app(built, tmp_path_factory):
    """The app on the small build, with the live server's short limits.

    One for the session: its store starts its worker processes once. Tests must not change
    its config; those that need other settings make their own app.
    """
    from server import create_app  # here, not above: the library's tests need no Flask

    app = create_app(
        {
            "TESTING": True,
            "BUILD_DIR": str(built.settings.out_dir),
            "STORE_DIR": str(tmp_path_factory.mktemp("app") / "cache"),
            **SHORT_LIMITS,
            # The test client's requests are for http://localhost/.
            "ALLOWED_HOSTS": "localhost " + SHORT_LIMITS["ALLOWED_HOSTS"],
        }
    )
    yield app
    app.extensions["nap_graph"].close()


@pytest.fixture
def client(app):
    """Flask's test client of the app, each answer read whole: requests in process, no HTTP
    server."""
    return BufferedClient(app, app.response_class)


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner for the nap-graph click group (nap_graph.cli.cli), which needs no app."""
    return CliRunner()


# ---------------------------------------------------------------- real servers (live)


@pytest.fixture(scope="session")
def live_server(built, tmp_path_factory):
    """The server on the small sources' build, with short limits to test them."""
    folder = tmp_path_factory.mktemp("server")
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {
            "NAP_GRAPH_STORE_DIR": str(folder / "cache"),
            **{f"NAP_GRAPH_{name}": str(value) for name, value in SHORT_LIMITS.items()},
        },
        folder / "server.log",
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory):
    """The server on the W3C protocol tests' three graphs (data1.rdf, data2.rdf, data3.rdf)."""
    folder = tmp_path_factory.mktemp("w3c")
    quads = []
    for n in (1, 2, 3):
        graph = f"<http://kasei.us/2009/09/sparql/data/data{n}.rdf>"
        for line in (TESTS / "data" / "w3c-protocol" / f"data{n}.nt").read_text().splitlines():
            if line.strip():
                quads.append(line.rstrip().rstrip(".").rstrip() + f" {graph} .")
    data = folder / "w3c.nq"
    data.write_text("\n".join(quads) + "\n")
    server = LiveServer(
        ["--data", str(data)], {"NAP_GRAPH_STORE_DIR": str(folder / "cache")}, folder / "server.log"
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def full_server(full_build, tmp_path_factory):
    """The server on all the data on hand, with its default limits: what visitors see."""
    server = serve_build(full_build.settings.out_dir, tmp_path_factory.mktemp("full-server"))
    yield server
    server.stop()


# ---------------------------------------------------------------- a real browser
# One Playwright for the session: a second one in the same process fails, so every test module
# that drives Chromium takes these.


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    require_installed("Debian's chromium", chromium is not None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Running as root in a container needs --no-sandbox; /dev/shm may be small there.
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, full_server):
    """Open pages of the server; fail if any page asks for anything from another address."""
    contexts, elsewhere = [], []

    def open_page(javascript: bool = True, viewport: dict | None = None, bypass_csp: bool = False):
        context = browser.new_context(
            base_url=full_server.url,
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 900},
            bypass_csp=bypass_csp,  # to inject the checker, which the pages' policy refuses
        )
        contexts.append(context)

        def only_ours(route):
            if route.request.url.startswith((full_server.url, "data:", "blob:")):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", only_ours)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert elsewhere == [], f"pages asked for other addresses: {elsewhere}"
