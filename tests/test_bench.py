"""The benchmark's synthetic data is deterministic and readable by the real importer."""

from __future__ import annotations

import hashlib

from bench.grow import grow
from nap_graph.build import import_peacekeeping
from nap_graph.sources.peacekeeping import ODP_FILE
from nap_graph.sources.records import ErrorCollector, ImportReport


def test_grown_data_is_deterministic_and_imports(data_dir, tmp_path):
    first = grow(data_dir, tmp_path / "a", triples=50_000, real_triples=10_000)
    grow(data_dir, tmp_path / "b", triples=50_000, real_triples=10_000)
    digest = [hashlib.sha256((tmp_path / d / ODP_FILE).read_bytes()).hexdigest() for d in "ab"]
    assert digest[0] == digest[1]
    errors = ErrorCollector()
    result = import_peacekeeping(tmp_path / "a", errors, ImportReport())
    assert not errors.errors
    synthetic = [o for o in result.by_mission if o.source == "un-odp-contributions-by-gender"]
    assert len(synthetic) == first["synthetic_observations"] > 4000
    # After the last real month of the small sources (the DPO rows end in 2025-07).
    assert min(o.month for o in synthetic) == "2025-08"
    assert any(o.category == "staff-officers" for o in synthetic)


def test_the_serving_mix_runs_against_our_server_and_the_bare_engine(built, tmp_path, monkeypatch):
    """The serving benchmark's runner, cut short: both targets answer every query of the mix
    alike, and the tables name every query and target."""
    import pyoxigraph as ox

    from bench import serving

    monkeypatch.setattr(serving, "SAMPLES", 2)
    monkeypatch.setattr(serving, "MIN_SAMPLES", 1)
    monkeypatch.setattr(serving, "SECONDS_PER_QUERY", 0.1)
    monkeypatch.setattr(serving, "THROUGHPUT_SECONDS", 0.5)
    monkeypatch.setattr(serving, "CLIENTS", (1, 2))
    queries = serving.mix()
    assert len(queries) >= 8
    for text in queries.values():
        ox.Store().query(text)  # each parses
    results = serving.run_serving(
        built.settings.out_dir, tmp_path / "serving", {"pyoxigraph", "nap-graph"}
    )
    assert set(results) == {"pyoxigraph", "nap-graph"}
    ours = results["nap-graph"]
    assert all("times" in ours["queries"][name] for name in queries), ours["queries"]
    assert ours["differs"] == []
    assert ours["throughput"][1][0] > 0 and ours["throughput"][2][1] == 0
    table = serving.tables(results, "small", 0)
    for name in [*queries, "pyoxigraph", "nap-graph"]:
        assert name in table
