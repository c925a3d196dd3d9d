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
    assert min(o.month for o in synthetic) == "2014-09"
    assert any(o.category == "staff-officers" for o in synthetic)
