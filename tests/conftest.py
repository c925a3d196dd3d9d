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


def tool(name: str) -> str:
    """Return the path of an external tool, or skip when .ci/run has not installed it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path
