"""Run the benchmarks and write their results table into docs/benchmarks.md.

    python bench/run.py                 # every benchmark, every size
    python bench/run.py --sizes pre-dpo,real  # some sizes only
    python bench/run.py --only soak     # memory under 16 clients for 30 minutes (bench/soak.py)

Each build runs in a fresh process (`nap-graph build --json`), so that its time and peak
memory are its own. Synthetic data (bench/grow.py) is made in a temporary folder first and
is never part of a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.grow import grow  # noqa: E402

# pre-dpo: the data on hand without the UN DPO reports of 2015-2025, as before they were
# imported; real: all of it; 5m: real grown with synthetic months (bench/grow.py).
SIZES = {"pre-dpo": None, "real": None, "5m": 5_000_000}
DPO_FILES = (
    "peacekeeping/un-dpo-monthly-gender-pdfs/contributions.csv",
    "peacekeeping/un-ugps-yearly-targets/targets_by_year.csv",
)
RESULTS = ROOT / "docs" / "benchmarks.md"
JENA = ROOT / "tests" / "tools" / "jena"


def run_build(data_dir: Path, out_dir: Path) -> dict:
    command = [
        sys.executable,
        "-m",
        "nap_graph",
        "build",
        "--json",
        "-q",
        "--data-dir",
        str(data_dir),
        "--out",
        str(out_dir),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"}
    )
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        kib = int(
            next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
        )
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    versions = ", ".join(f"{p} {version(p)}" for p in ("pyoxigraph", "rdflib", "pyshacl"))
    return (
        f"{platform.system()} {platform.machine()}, {cpus} cores{memory}; Python "
        f"{platform.python_version()}; {versions}"
    )


BUILDS: dict[str, tuple[Path, dict, str]] = {}
LEFT_OUT_ABOVE_1M = {
    "rdflib-endpoint",
    "rdflib-endpoint + Oxigraph",
    "Oxigraph server",
    "nap-graph on Oxigraph server",
}


def build_of(size: str, work: Path) -> tuple[Path, dict, str]:
    """Build the data of a size once (the real data, or grown from it): folder, figures, note."""
    if size not in BUILDS:
        if size == "real":
            out = work / "real-build"
            BUILDS[size] = (out, run_build(ROOT / "data", out), "the data on hand")
        elif size == "pre-dpo":
            data = work / "data-pre-dpo"
            shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.pdf"))
            for name in DPO_FILES:
                (data / name).unlink()
            out = work / "build-pre-dpo"
            note = "the data on hand without the UN DPO reports (2015-2025) and yearly targets"
            BUILDS[size] = (out, run_build(data, out), note)
        else:
            real = build_of("real", work)[1]
            started = time.perf_counter()
            info = grow(ROOT / "data", work / f"data-{size}", SIZES[size], real["triples"])
            note = (
                f"real + {info['synthetic_observations']:,} synthetic observations "
                f"(made in {time.perf_counter() - started:.0f} s, not counted)"
            )
            out = work / f"build-{size}"
            BUILDS[size] = (out, run_build(work / f"data-{size}", out), note)
    return BUILDS[size]


def build_table(sizes: list[str], work: Path) -> str:
    rows = []
    first = None
    for size in sizes:
        built, figures, note = build_of(size, work)
        steps = figures["steps"]
        # Validation alone (the build runs it beside the dumps), in a process of its own.
        alone = validate_alone(built)
        start = server_start(built, work / f"start-{size}")
        per_million = figures["seconds"] / figures["triples"] * 1e6
        first = first or per_million
        rows.append(
            f"| {size} | {figures['triples']:,} | {figures['seconds']:.1f} | {steps.get('import', 0):.1f} | "
            f"{steps.get('rdf', 0):.1f} | {steps.get('store', 0):.1f} | {steps.get('validate+dump', 0):.1f} | "
            f"{alone:.1f} | {per_million:.1f} ({per_million / first:.2f}x) | "
            f"{figures['peak_memory_mb']:,} | {start:.1f} | {note} |"
        )
    header = (
        "| size | triples | build s | import s | RDF s | store s | validate + dumps s | "
        "validation alone s | build s per million triples | peak MB | server start s | data |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    return header + "\n" + "\n".join(rows)


def validate_alone(built: Path) -> float:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "validate_with.py"), "oxigraph", str(built)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"validation failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])["validate"]


def engine_table(built: Path) -> str:
    """Validate the same built graph with the three SHACL engines, in separate processes."""
    script = ROOT / "bench" / "validate_with.py"
    rows = []
    results = {}
    for engine in ("oxigraph", "oxigraph-1-thread", "pyshacl", "jena"):
        if engine == "jena" and not (shutil.which("java") and JENA.exists()):
            continue
        result = subprocess.run(
            [sys.executable, str(script), engine, str(built)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit(f"{engine} failed:\n{result.stderr}")
        results[engine] = json.loads(result.stdout.strip().splitlines()[-1])
    ours = results["oxigraph"]["validate"]
    for engine, figures in results.items():
        # Jena reads the Turtle itself: its one time covers parsing and validating.
        load = "in validate" if engine == "jena" else f"{figures['load']:.1f}"
        rows.append(
            f"| {engine} | {load} | {figures['validate']:.1f} | "
            f"{figures['validate'] / ours:.1f} | {figures['conforms']} |"
        )
    header = (
        "| engine | load s | validate s | validate time / oxigraph's | conforms |\n"
        "|---|---:|---:|---:|---|"
    )
    return header + "\n" + "\n".join(rows)


def store_table(built: Path, work: Path) -> str:
    """Load and query the real graph with each embeddable engine, then through our server."""
    from bench.stores import ENGINES, QUERIES, served

    results = {}
    for engine in ENGINES:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "stores.py"), engine, str(built)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"{engine} failed:\n{result.stderr}")
        results[engine] = json.loads(result.stdout.strip().splitlines()[-1])
    with running_server(built, work) as url:
        results["our server (oxigraph, HTTP)"] = served(url)
    columns = ["load s", *[f"{name} ms" for name in QUERIES], "filter answer"]
    reference = results["oxigraph-memory"]
    lines = ["| engine | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for engine, figures in results.items():
        cells = []
        for column in columns:
            value = figures.get(column)
            if value is None:
                cells.append("")
            elif column.endswith(" ms") and engine != "oxigraph-memory":
                cells.append(f"{value:,} ({value / reference[column]:.1f}x)")
            else:
                cells.append(f"{value:,}")
        lines.append(f"| {engine} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def server_start(built: Path, work: Path) -> float:
    """Seconds from `nap-graph serve` to its first healthy answer, with no store cached yet."""
    started = time.perf_counter()
    with running_server(built, work):
        return time.perf_counter() - started


@contextmanager
def running_server(built: Path, work: Path):
    """Start `nap-graph serve` on the build and yield its address."""
    import socket

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NAP_GRAPH_STORE_DIR": str(work / "server-cache")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nap_graph",
            "serve",
            "--out",
            str(built),
            "--port",
            str(port),
            "--no-build",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if requests.get(url + "/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still loading the graph
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(30)


def serving_tables(sizes: list[str], work: Path, targets: set[str] | None) -> str:
    """Our server and its peers on each size, side by side (bench/serving.py)."""
    from bench.serving import ALL_TARGETS, SKIPPED, run_serving, tables

    blocks = []
    for size in sizes:
        built, figures, _ = build_of(size, work)
        print(f"Serving {size} ({figures['triples']:,} triples)", file=sys.stderr)
        chosen = targets
        if SIZES[size] and SIZES[size] > 1_000_000:
            # Left out above 1m, where they do not finish in a useful time: rdflib's own store
            # (minutes to load, seconds per aggregation, measured at 1m), rdflib-endpoint on
            # Oxigraph (rdflib's engine again), and the Oxigraph server, whose MOVE of 5 million
            # triples held 17.5 GB and had not finished after 13 minutes.
            chosen = (targets or set(ALL_TARGETS)) - LEFT_OUT_ABOVE_1M
        SKIPPED.clear()
        results = run_serving(built, work / f"serving-{size}", chosen)
        block = tables(results, size, figures["triples"])
        if SKIPPED:
            block += "\n\nNot measured: " + "; ".join(SKIPPED)
        if chosen is not targets:
            block += (
                "\n\nNot run at this size: " + ", ".join(sorted(LEFT_OUT_ABOVE_1M)) + " (see "
                "bench/run.py: they do not finish in a useful time)."
            )
        blocks.append(block)
        write_results("serving", "\n\n".join(blocks))  # size by size: a long run keeps its work
    return "\n\n".join(blocks)


def write_results(name: str, table: str) -> None:
    begin, end = f"<!-- {name}-results:begin -->", f"<!-- {name}-results:end -->"
    text = RESULTS.read_text()
    stamp = time.strftime("%Y-%m-%d")
    block = f"{begin}\nMeasured {stamp} on {machine()}.\n\n{table}\n{end}"
    start, stop = text.index(begin), text.index(end) + len(end)
    RESULTS.write_text(text[:start] + block + text[stop:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help="comma-separated: pre-dpo, real, 5m"
    )
    parser.add_argument(
        "--only",
        default="build,engines,stores,serving",
        help="comma-separated benchmarks: build, engines (SHACL; pySHACL takes minutes), "
        "stores, serving (our server against its peers), soak (memory under load, not run "
        "unless named)",
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="soak: minutes of load")
    parser.add_argument("--clients", type=int, default=16, help="soak: concurrent clients")
    parser.add_argument(
        "--targets",
        help="serving: only these targets, comma-separated ('client floor', pyoxigraph, "
        "'Jena ARQ', 'Oxigraph server', nap-graph, 'nap-graph --workers 2', 'nap-graph, answer cache', 'nap-graph --workers 2, answer cache', 'nap-graph on "
        "Oxigraph server', Virtuoso, 'nap-graph on Virtuoso', rdflib-endpoint, "
        "'rdflib-endpoint + Oxigraph')",
    )
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s]
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="nap-graph-bench-") as folder:
        work = Path(folder)
        if "build" in only:
            table = build_table(sizes, work)
            print(table)
            write_results("build", table)
        if "engines" in only:
            table = engine_table(build_of("real", work)[0])
            print(table)
            write_results("engine", table)
        if "stores" in only:
            table = store_table(build_of("real", work)[0], work)
            print(table)
            write_results("store", table)
        if "serving" in only:
            targets = set(args.targets.split(",")) if args.targets else None
            table = serving_tables(sizes, work, targets)
            print(table)
            write_results("serving", table)
        if "soak" in only:
            from bench.soak import MAX_GROWTH, soak
            from bench.soak import table as soak_table

            figures = soak(build_of("real", work)[0], work / "soak", args.minutes, args.clients)
            table = soak_table(figures)
            print(table)
            write_results("soak", table)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    if "soak" in only and figures["growth"] > MAX_GROWTH:
        raise SystemExit(f"memory grew by {figures['growth']:.1f} %, more than {MAX_GROWTH:g} %")


if __name__ == "__main__":
    main()
