"""The benchmarks: the synthetic data is deterministic and readable by the real importer, and
the serving benchmark's parts (the runner cut short, its client, its sums and comparisons) work."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import require

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
    """The serving benchmark's runner, cut short: the client's floor, the bare engine and our
    server answer; both answer every query of the mix alike, memory is summed over the
    server's processes, and the tables name every query and target."""
    import pyoxigraph as ox

    from bench import serving

    monkeypatch.setattr(serving, "SAMPLES", 2)
    monkeypatch.setattr(serving, "MIN_SAMPLES", 1)
    monkeypatch.setattr(serving, "SECONDS_PER_QUERY", 0.1)
    monkeypatch.setattr(serving, "THROUGHPUT_SECONDS", 0.5)
    monkeypatch.setattr(serving, "CLIENTS", (1, 2))
    monkeypatch.setattr(serving, "FLOOR_SAMPLES", 20)
    queries = serving.mix()
    # The benchmark's queries and every example of the editor, none left out.
    assert sum(name.startswith("queries/") for name in queries) >= 8
    assert sum(name.startswith("examples/") for name in queries) == len(
        list(serving.EXAMPLES_DIR.glob("*.rq"))
    )
    assert serving.left_out_examples() == {}
    for text in queries.values():
        ox.Store().query(text)  # each parses
    results = serving.run_serving(
        built.settings.out_dir, tmp_path / "serving", {"client floor", "pyoxigraph", "nap-graph"}
    )
    assert set(results) == {"client floor", "pyoxigraph", "nap-graph"}
    ours = results["nap-graph"]
    assert all("times" in ours["queries"][name] for name in queries), ours["queries"]
    assert ours["differs"] == {}
    assert ours["throughput"][1][0] > 0 and ours["throughput"][2][1] == 0
    # PSS counts a page shared by the forked processes once: less than their peaks summed.
    assert 0 < ours["pss_idle_mb"] and 0 < ours["pss_after_mb"] < ours["peak_rss_mb"]
    assert results["pyoxigraph"]["pss_after_mb"] > 0
    floor = results["client floor"]
    assert len(floor["times"]) == 20 and floor["throughput"][2][0] > 0
    table = serving.tables(results, "small", 0, yardstick="nap-graph")
    for name in [*queries, "pyoxigraph", "nap-graph", "geometric mean", "client's floor"]:
        assert name in table
    assert "within 1.5x of the nap-graph's median" in table


def test_the_mix_summary_is_a_geometric_mean_and_its_ratio_to_the_yardstick():
    from bench.serving import mix_summary

    def target(**medians):
        return {"queries": {q: {"times": [ms]} for q, ms in medians.items()}}

    yardstick = target(a=2.0, b=2.0, c=1.0)
    summary = mix_summary(target(a=1.0, b=4.0), yardstick, ["a", "b", "c"])
    assert summary["mean_ms"] == pytest.approx(2.0) and summary["answered"] == 2
    # The ratios 0.5 and 2 on the queries both answered: 1 as a geometric mean; one within 1.5x.
    assert summary["ratio"] == pytest.approx(1.0)
    assert (summary["within"], summary["compared"]) == (1, 2)


def test_the_pss_sum_and_the_answers_compared_by_value():
    import os

    from bench.serving import XSD, answer_of, tree_peak_memory_mb, tree_pss_mb

    assert 0 < tree_pss_mb(os.getpid()) <= tree_peak_memory_mb(os.getpid())

    def answer(value: str, datatype: str) -> str:
        binding = {"n": {"type": "literal", "value": value, "datatype": XSD + datatype}}
        return json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [binding]}})

    # Jena writes a decimal zero as 0.0, Oxigraph as 0: the same number.
    assert answer_of(answer("0.0", "decimal"), False) == answer_of(answer("0", "decimal"), False)
    assert answer_of(answer("1", "integer"), False) != answer_of(answer("2", "integer"), False)


def test_the_client_keeps_its_connection_and_comes_back_after_the_server_closes_it():
    """The lean client: one keep-alive connection, opened again when the server closed it."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench.serving import Client

    connections = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            connections.append(self.client_address)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            # Closed without saying so, as a server drops a keep-alive connection.
            self.close_connection = body == b"and close"

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(f"http://127.0.0.1:{server.server_port}/sparql")
        assert client.post(b"query=ASK", {}) == (200, b"query=ASK")
        assert client.post(b"again", {}) == (200, b"again")
        assert client.post(b"and close", {}) == (200, b"and close")
        assert len(connections) == 1
        time.sleep(0.1)  # the server has closed it
        assert client.post(b"after", {}) == (200, b"after")
        assert len(connections) == 2
        client.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.tools
def test_jena_answers_the_mix_as_the_bare_engine_does(built, tmp_path, monkeypatch):
    """Jena ARQ, the second bare engine: every SELECT and ASK answer equals pyoxigraph's."""
    from bench import serving

    require("java")
    monkeypatch.setattr(serving, "SAMPLES", 1)
    monkeypatch.setattr(serving, "MIN_SAMPLES", 1)
    monkeypatch.setattr(serving, "SECONDS_PER_QUERY", 0.0)
    queries = serving.mix()
    results = {
        "pyoxigraph": serving.bare_engine(built.settings.out_dir, queries),
        "Jena ARQ": serving.jena_engine(built.settings.out_dir, queries, tmp_path / "jena"),
    }
    assert results["Jena ARQ"] is not None, serving.SKIPPED
    assert all("times" in figure for figure in results["Jena ARQ"]["queries"].values())
    serving.check_answers(results, queries)
    assert results["Jena ARQ"]["differs"] == {}
