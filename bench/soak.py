"""Soak: does the server's memory stay flat under steady load? (issue 12, item 8)

    python bench/soak.py                      # the graph in build/, 16 clients, 30 minutes
    python bench/soak.py --minutes 5 --clients 16 --build build

Starts `nap-graph serve` on the built graph (its default settings), lets N clients ask it the
queries of bench/queries/ and a few pages and /id addresses round robin, and samples the
server's memory every 30 s: the PSS of the server process and all its descendants (the granian
worker, the zygote that holds the graph, the query workers), from /proc/PID/smaps_rollup. PSS
counts a page that forked processes share once in all, split among them, so the sum is the
memory the server really holds. The first minute of load is a warm-up (caches filling, first
queries compiled); growth is measured from its end. Prints a table; exits 1 when the memory
grew by more than 5 %.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import (  # noqa: E402
    REQUEST_TIMEOUT,
    Target,
    bench_queries,
    free_port,
    start_http,
    tree_pss_mb,
)

MAX_GROWTH = 5.0  # per cent, from the end of the warm-up to the end of the run
# Pages and /id addresses, beside the queries: what a visitor's browser and a linked-data
# client ask for. (path, Accept)
PAGES = [
    ("/", "text/html"),
    ("/doc/country/NOR.html", "text/html"),
    ("/id/country/KEN", "text/turtle"),  # 303 to the document, followed
    ("/id/plan/NOR/4", "text/html"),
    ("/graph/naps", "text/html"),
    ("/health", "application/json"),
]


class Load:
    """`clients` threads asking the server, round robin, each from its own place in the list."""

    def __init__(self, target: Target, clients: int):
        self.target = target
        self.requests = 0
        self.errors: Counter = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        base = target.url.removesuffix("/sparql")
        self.calls = [("query", query) for query in bench_queries().values()]
        self.calls += [("page", (base + path, accept)) for path, accept in PAGES]
        self._threads = [
            threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)
        ]
        for thread in self._threads:
            thread.start()

    def _client(self, index: int) -> None:
        session, n = requests.Session(), index
        while not self._stop.is_set():
            kind, what = self.calls[n % len(self.calls)]
            try:
                if kind == "query":
                    status = session.post(
                        self.target.url,
                        data=self.target.form(what),
                        headers=self.target.headers(what),
                        timeout=REQUEST_TIMEOUT,
                    ).status_code
                else:
                    url, accept = what
                    status = session.get(
                        url, headers={"Accept": accept}, timeout=REQUEST_TIMEOUT
                    ).status_code
                error = None if status == 200 else f"HTTP {status}"
            except requests.RequestException as exc:
                error = type(exc).__name__
            with self._lock:
                self.requests += 1
                if error:
                    self.errors[error] += 1
            n += 1

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + 5)


def soak(
    built: Path,
    work: Path,
    minutes: float,
    clients: int,
    interval: float = 30.0,
    warmup: float = 60.0,
) -> dict:
    """Run the soak; return its figures and samples."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    target = start_http(
        "nap-graph",
        [sys.executable, "-m", "nap_graph", "serve", "--out", str(built)]
        + ["--port", str(port), "--no-build"],
        f"http://127.0.0.1:{port}/sparql",
        work / "soak-server.log",
        env={"NAP_GRAPH_STORE_DIR": str(work / "cache")},
    )
    pid = target.process.pid
    figures = {"clients": clients, "minutes": minutes, "idle_mb": tree_pss_mb(pid)}
    samples = []  # (seconds from the end of the warm-up, PSS MB, requests so far)
    load = Load(target, clients)
    try:
        time.sleep(warmup)
        started, done = time.monotonic(), load.requests
        end = started + minutes * 60
        while True:
            now = time.monotonic()
            samples.append((now - started, tree_pss_mb(pid), load.requests - done))
            print(
                f"  {samples[-1][0] / 60:5.1f} min  PSS {samples[-1][1]:8,.0f} MB  "
                f"{samples[-1][2]:,} requests",
                file=sys.stderr,
                flush=True,
            )
            if now >= end:
                break
            time.sleep(min(interval, max(end - now, 0)))
        seconds = time.monotonic() - started
    finally:
        load.stop()
        target.stop()
    start_mb, end_mb = samples[0][1], samples[-1][1]
    figures.update(
        start_mb=start_mb,
        end_mb=end_mb,
        max_mb=max(mb for _, mb, _ in samples),
        growth=(end_mb - start_mb) / start_mb * 100,
        requests=load.requests - done,
        per_second=(load.requests - done) / seconds,
        errors=dict(load.errors),
        samples=samples,
    )
    return figures


def table(figures: dict) -> str:
    errors = sum(figures["errors"].values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(figures["errors"].items()))
    lines = [
        "| clients | minutes | requests | per second | errors | idle PSS MB | start PSS MB | "
        "end PSS MB | max PSS MB | growth |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
        f"| {figures['clients']} | {figures['minutes']:g} | {figures['requests']:,} | "
        f"{figures['per_second']:,.1f} | {errors:,}{f' ({kinds})' if kinds else ''} | "
        f"{figures['idle_mb']:,.0f} | {figures['start_mb']:,.0f} | {figures['end_mb']:,.0f} | "
        f"{figures['max_mb']:,.0f} | {figures['growth']:+.1f} % |",
        "",
        "PSS every sample (MB): " + ", ".join(f"{mb:,.0f}" for _, mb, _ in figures["samples"]),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="after the warm-up")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds of load first")
    parser.add_argument(
        "--build", type=Path, default=ROOT / "build", help="the built graph (nap-graph build)"
    )
    args = parser.parse_args()
    if not (args.build / "nap-graph.nq.gz").is_file():
        raise SystemExit(f"no built graph in {args.build}: run `nap-graph build` first")
    with tempfile.TemporaryDirectory(prefix="nap-graph-soak-") as folder:
        figures = soak(
            args.build.resolve(),
            Path(folder),
            args.minutes,
            args.clients,
            args.interval,
            args.warmup,
        )
    print(table(figures))
    if figures["growth"] > MAX_GROWTH:
        raise SystemExit(f"memory grew by {figures['growth']:.1f} %, more than {MAX_GROWTH:g} %")


if __name__ == "__main__":
    main()
