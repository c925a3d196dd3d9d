"""Validate a built graph with one SHACL engine and print its times as JSON (bench/run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"


def main(engine: str, built: Path) -> None:
    from nap_graph.store import open_built
    from nap_graph.validate import load_shapes, validate_pyshacl, validate_store

    shapes = load_shapes(ROOT / "ontology")
    start = time.perf_counter()
    if engine == "jena":
        # Jena reads the Turtle dump itself; its time includes parsing, as the load column says.
        result = subprocess.run(
            [
                str(ROOT / "tests" / "tools" / "jena"),
                "shacl.shacl",
                "validate",
                "--shapes",
                str(SHAPES),
                "--data",
                str(built / "nap-graph.ttl"),
            ],
            capture_output=True,
            text=True,
        )
        total = time.perf_counter() - start
        print(
            json.dumps(
                {"load": 0.0, "validate": total, "conforms": "sh:conforms  true" in result.stdout}
            )
        )
        return
    store = open_built(built)
    if engine == "pyshacl":
        data = ox.serialize({q.triple for q in store}, format=ox.RdfFormat.N_TRIPLES)
        graph = Graph().parse(data=data, format="nt")
        loaded = time.perf_counter()
        report = validate_pyshacl(graph, shapes)
    else:
        loaded = time.perf_counter()
        report = validate_store(store, shapes, threads=1 if engine.endswith("1-thread") else 2)
    done = time.perf_counter()
    print(
        json.dumps({"load": loaded - start, "validate": done - loaded, "conforms": report.conforms})
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
