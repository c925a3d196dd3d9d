"""Fixtures: settings for a build of the small real-row sources, and the builds themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from nap_graph.build import PROJECT_ROOT, Settings, build

TESTS = Path(__file__).parent
SOURCES = TESTS / "data" / "sources"
ONTOLOGY = PROJECT_ROOT / "ontology"
# Seconds an HTTP call of a test may wait: requests waits forever without one, so a hung
# server would hold a test until pytest-timeout's far longer limit (test_suite_guards checks).
TIMEOUT = 60


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


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def parse_jsonld(data) -> Graph:
    """Parse JSON-LD with rdflib, whose parser still uses classes it deprecates."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=data, format="json-ld")


def tool(name: str) -> str:
    """Return the path of an external tool, or skip when .ci/run has not installed it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


class LiveServer:
    """A real `nap-graph serve` process on a free port of this machine, talked to over HTTP."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        log_path: Path,
        healthy: bool = True,
        launcher: list[str] | None = None,  # a script that runs the command, in its way
    ):
        import os
        import subprocess
        import sys
        import time

        import requests
        from external_stores import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *(launcher or []),
                "-m",
                "nap_graph",
                "serve",
                "--port",
                str(self.port),
                *args,
            ],
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log_path.read_text()}")
            try:
                status = requests.get(self.url + "/health", timeout=2).status_code
                if status == 200 or not healthy:  # healthy=False: any answer will do
                    return
            except requests.RequestException:  # not listening yet, or still loading
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start:\n{log_path.read_text()}")

    def stop(self) -> None:
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()

    def lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()


@pytest.fixture(scope="session")
def live_server(built, tmp_path_factory):
    """The server on the small sources' build, with short limits to test them."""
    folder = tmp_path_factory.mktemp("server")
    server = LiveServer(
        ["--out", str(built.settings.out_dir)],
        {
            "NAP_GRAPH_STORE_DIR": str(folder / "cache"),
            "NAP_GRAPH_QUERY_TIMEOUT": "2",
            "NAP_GRAPH_RESULT_LIMIT": "100",
            "NAP_GRAPH_PROXY_HOPS": "1",
            "NAP_GRAPH_ALLOWED_HOSTS": "127.0.0.1 wps.example.org",
            "NAP_GRAPH_MAX_REQUEST_BYTES": "20000",
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


def serve_build(build_dir: Path, folder: Path, launcher: list[str] | None = None) -> LiveServer:
    """The server on a build with its default settings, its store and log kept in `folder`."""
    return LiveServer(
        ["--out", str(build_dir)],
        {"NAP_GRAPH_STORE_DIR": str(folder / "cache")},
        folder / "server.log",
        launcher=launcher,
    )


@pytest.fixture(scope="session")
def full_server(full_build, tmp_path_factory):
    """The server on all the data on hand, with its default limits: what visitors see."""
    server = serve_build(full_build.settings.out_dir, tmp_path_factory.mktemp("full-server"))
    yield server
    server.stop()
