"""How long a query worker takes to answer each query of bench/queries/, in each results format:
the query run and its answer written (nap_graph/query_worker.py's `answer`), with Oxigraph's
writers as the workers use them, and, for SELECT, with our writers alone (nap_graph/results.py).

    python bench/writers.py build/nap-graph.nq.gz [--formats json,xml,csv,tsv]

Each answer is timed until 0.3 s have passed (5 to 200 times); the median, in ms. The store is
the worker's own, in memory; no process, socket or HTTP is in the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nap_graph.query_worker import answer, load_in_memory  # noqa: E402
from nap_graph.results import write_result  # noqa: E402

QUERIES = ROOT / "bench" / "queries"
GRAPH_FORMAT = {"json": "turtle", "xml": "rdfxml", "csv": "ntriples", "tsv": "ntriples"}


def median_ms(run) -> float:
    started = time.perf_counter()
    run()
    times, once = [], time.perf_counter() - started
    for _ in range(max(5, min(200, int(0.3 / max(once, 1e-5))))):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", help="the built graph, nap-graph.nq.gz")
    parser.add_argument("--formats", default="json,xml,csv,tsv")
    args = parser.parse_args()
    store = load_in_memory([args.graph])
    print("| query | format | answer | Oxigraph's writers ms | ours alone ms |")
    print("|---|---|---:|---:|---:|")
    for path in sorted(QUERIES.glob("*.rq")):
        for fmt in args.formats.split(","):
            request = {
                "query": path.read_text(),
                "results_format": fmt,
                "graph_format": GRAPH_FORMAT[fmt],
                "limit": 200_000 if fmt in ("csv", "tsv") else 10_000,  # EXPORT_LIMIT, RESULT_LIMIT
                "max_bytes": 50_000_000,
            }
            reply = answer(store, request)
            if reply[0] != "ok":
                raise SystemExit(f"{path.name}: {reply}")
            ours = ""
            if reply[1] == "bindings":

                def alone(request=request):
                    solutions = store.query(request["query"], use_default_graph_as_union=True)
                    options = {k: request[k] for k in ("limit", "max_bytes", "graph_format")}
                    return write_result(
                        solutions, results_format=request["results_format"], **options
                    )

                assert alone() == reply, f"{path.name} {fmt}: the answers differ"
                ours = f"{median_ms(alone):.3f}"
            fast = median_ms(lambda request=request: answer(store, request))
            size = {"bindings": f"{reply[4]:,} rows", "graph": f"{reply[4]:,} triples"}.get(
                reply[1], "ASK"
            )
            print(f"| {path.stem} | {fmt} | {size}, {len(reply[2]):,} B | {fast:.3f} | {ours} |")


if __name__ == "__main__":
    main()
