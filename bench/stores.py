"""Choose the embedded store by measurement: load time, a lookup, an aggregation, a month filter.

Each engine loads the built graph (nap-graph.nq.gz) and answers the same queries in process;
then the server, on the chosen store, answers them over HTTP. Run by bench/run.py.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pyoxigraph as ox

PREFIX = "PREFIX wps: <https://w3id.org/nap-graph/def/wps#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
QUERIES = {
    "country lookup": "SELECT ?p ?o WHERE { <https://w3id.org/nap-graph/id/country/NOR> ?p ?o }",
    "aggregation over all observations": PREFIX
    + """SELECT ?country (SUM(?w) AS ?women) (SUM(?t) AS ?total)
        WHERE { ?o wps:contributor ?country ; wps:womenCount ?w ; wps:personnelCount ?t } GROUP BY ?country""",
    "gYearMonth range filter": PREFIX
    + """SELECT (COUNT(*) AS ?n) WHERE { ?o wps:refMonth ?m .
        FILTER (?m >= "2014-03"^^xsd:gYearMonth && ?m <= "2014-08"^^xsd:gYearMonth) }""",
}
RUNS = {"country lookup": 50, "aggregation over all observations": 5, "gYearMonth range filter": 5}


def _median_ms(run, times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def oxigraph_in_memory(built: Path) -> dict:
    start = time.perf_counter()
    store = ox.Store()
    with gzip.open(built / "nap-graph.nq.gz") as handle:
        store.load(handle, format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter() - start
    return _measure(loaded, lambda q: list(store.query(q, use_default_graph_as_union=True)))


def oxigraph_on_disk(built: Path) -> dict:
    folder = tempfile.mkdtemp(prefix="nap-graph-bench-store-")
    start = time.perf_counter()
    store = ox.Store(folder)
    with gzip.open(built / "nap-graph.nq.gz") as handle:
        store.bulk_load(handle, format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    reader = ox.Store.read_only(folder)
    loaded = time.perf_counter() - start
    return _measure(loaded, lambda q: list(reader.query(q, use_default_graph_as_union=True)))


def rdflib_memory(built: Path) -> dict:
    from rdflib import Graph

    start = time.perf_counter()
    graph = Graph()
    # The union of the named graphs, as the server queries it.
    with gzip.open(built / "nap-graph.nq.gz") as handle:
        data = b"".join(line.rsplit(b" ", 2)[0] + b" .\n" for line in handle)
    graph.parse(data=data, format="nt")
    loaded = time.perf_counter() - start
    return _measure(loaded, lambda q: list(graph.query(q)))


def oxrdflib_store(built: Path) -> dict:
    from rdflib import Graph

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = Graph(store="Oxigraph")
    with gzip.open(built / "nap-graph.nq.gz") as handle:
        data = b"".join(line.rsplit(b" ", 2)[0] + b" .\n" for line in handle)
    graph.parse(data=data, format="ox-nt")
    loaded = time.perf_counter() - start
    return _measure(loaded, lambda q: list(graph.query(q)))


def _measure(loaded: float, run) -> dict:
    figures = {"load s": round(loaded, 2)}
    for name, query in QUERIES.items():
        rows = run(query)
        figures[f"{name} ms"] = round(_median_ms(lambda q=query: run(q), RUNS[name]), 2)
        if name == "gYearMonth range filter":
            figures["filter answer"] = (
                int(str(rows[0][0]).split('"')[1] if '"' in str(rows[0][0]) else rows[0][0])
                if rows
                else 0
            )
    return figures


def served(url: str) -> dict:
    """The same queries over HTTP, through the server."""
    import requests

    figures = {"load s": None}
    for name, query in QUERIES.items():

        def run(q=query):
            response = requests.get(url + "/sparql", params={"query": q}, timeout=120)
            response.raise_for_status()
            return response

        body = run().json()
        figures[f"{name} ms"] = round(_median_ms(run, RUNS[name]), 2)
        if name == "gYearMonth range filter":
            figures["filter answer"] = int(body["results"]["bindings"][0]["n"]["value"])
    return figures


ENGINES = {
    "oxigraph-memory": oxigraph_in_memory,
    "oxigraph-disk": oxigraph_on_disk,
    "oxrdflib": oxrdflib_store,
    "rdflib-memory": rdflib_memory,
}

if __name__ == "__main__":
    print(json.dumps(ENGINES[sys.argv[1]](Path(sys.argv[2]))))
