"""Speed measurements (not tests): report build against its floor, test times, simulation, backtest, make data.

    .venv/bin/python benchmarks/run.py [--skip-tests] [--write-readme]

``--write-readme`` puts the measurements into the performance table of README.md.

Floor = for every notebook, start a kernel and import pandas and matplotlib (nothing else), with the
same concurrency as the report build. The report build is measured end to end (execute + HTML).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import backtest, load_all  # noqa: E402
from analysis.build import build as make_data  # noqa: E402
from analysis.outlook import simulate  # noqa: E402
from analysis.report import build_reports, default_jobs  # noqa: E402


def simulation_floor(mu: np.ndarray, sd: np.ndarray, n_sims: int, rng: np.random.Generator) -> None:
    """The least a race simulation can do: one normal per skater and race, the first three by argpartition."""
    log_t = mu + sd * rng.standard_normal((n_sims, len(mu)))
    np.argpartition(log_t, 2, axis=1)[:, :3]


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def pytest_seconds(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=ROOT, capture_output=True, text=True)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
    return time.perf_counter() - start, summary


def make_seconds(target: str) -> tuple[float, str]:
    """Wall time of ``make <target>`` (the Makefile holds its options) and the last line pytest printed."""
    start = time.perf_counter()
    result = subprocess.run(["make", "-s", target], cwd=ROOT, capture_output=True, text=True)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
    return time.perf_counter() - start, summary.strip("= ")


def floor_seconds(n_notebooks: int, jobs: int) -> float:
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("import pandas, matplotlib.pyplot")]

    async def run() -> None:
        gate = asyncio.Semaphore(jobs)

        async def one() -> None:
            async with gate:
                await NotebookClient(nbformat.from_dict(nb), kernel_name="python3").async_execute(
                    stderr=subprocess.DEVNULL
                )

        await asyncio.gather(*(one() for _ in range(n_notebooks)))

    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start


ROWS: list[tuple[str, str]] = []


def record(measurement: str, result: str) -> None:
    ROWS.append((measurement, result))
    print(f"{measurement}: {result}")


def write_readme() -> None:
    path = ROOT / "README.md"
    start, end = "<!-- benchmark -->", "<!-- end benchmark -->"
    text = path.read_text(encoding="utf-8")
    table = "\n".join(["| measurement | result |", "|---|---|", *(f"| {m} | {r} |" for m, r in ROWS)])
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(head + start + "\n" + table + "\n" + end + tail, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--write-readme", action="store_true", help="write the measurements into README.md")
    args = parser.parse_args()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as out:
        builds = []
        for _ in range(2):  # the first run also warms the file cache, like a second run of make report
            start = time.perf_counter()
            pages = len(build_reports(out_dir=Path(out), echo=lambda line: None, incremental=False))
            builds.append(time.perf_counter() - start)
        # Nothing changed: the command a user types, from a new process (imports included), on the same folder.
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "analysis.report", "--out", out], cwd=ROOT, check=True, capture_output=True
        )
        unchanged = time.perf_counter() - start
    build = min(builds)
    jobs = default_jobs(pages)
    print(f"machine: {os.cpu_count()} CPU(s); {pages} pages from {len(notebooks)} notebooks, {jobs} at once")
    floor = min(floor_seconds(pages, jobs) for _ in range(2))
    record(f"`make report`, warm, every page rebuilt: {pages} pages (execute + HTML), {jobs} at once", f"{build:.1f} s")
    record("floor: a kernel start and `import pandas, matplotlib` per page, same concurrency", f"{floor:.1f} s")
    record("ratio report / floor", f"{build / floor:.1f}x")
    record(
        "`python -m analysis.report` with nothing changed (a new process; every page current)",
        f"{unchanged:.1f} s, {100 * unchanged / build:.0f} % of a rebuild",
    )

    rng = np.random.default_rng(0)
    mu, sd = np.log(np.linspace(36.5, 38.5, 30)), np.full(30, 0.006)
    simulate(mu, sd, 0.02, 10_000, rng)
    best = best_of(7, lambda: simulate(mu, sd, 0.02, 100_000, rng))
    floor_sim = best_of(7, lambda: simulation_floor(mu, sd, 100_000, rng))
    record("`outlook.simulate`: 100,000 races of a 30-skater field", f"{best:.3f} s ({100_000 / best:,.0f} races/s)")
    record(
        "simulation floor: one normal per skater and race, top three by `argpartition`",
        f"{floor_sim:.3f} s; `simulate` reaches {100 * floor_sim / best:.0f} % of its speed",
    )

    cold_load = best_of(3, lambda: load_all(cache=False))
    load_all()  # fill the checked-data cache
    warm_load = best_of(5, load_all)
    data = load_all()
    record(
        f"`load_all()`: {len(data.results):,} result rows in {data.results['race_id'].nunique():,} races",
        f"{cold_load:.2f} s read and checked, {warm_load:.2f} s from the cache",
    )
    seconds = best_of(1, lambda: backtest.run(data, n_sims=backtest.STORED_SIMS, seed=backtest.STORED_SEED))
    record(
        f"backtest: {len(backtest.backtest_races(data))} races, 4 forecasters, {os.cpu_count()} processes "
        "(`make backtest`; stored, so computed once per code and data)",
        f"{seconds:.1f} s",
    )
    import analysis.build as build_module

    with tempfile.TemporaryDirectory() as empty:
        build_module.CACHE, saved = Path(empty), build_module.CACHE  # a cold build: no parsed sheet cached
        build_module._PARSED.clear()
        cold = best_of(1, lambda: make_data(workers=2))
        build_module.CACHE = saved
    build_module._PARSED.clear()
    make_data(workers=2)  # fill the disk cache
    build_module._PARSED.clear()
    warm = best_of(1, lambda: make_data(workers=2))
    record(
        "`make data`: parse 60 sheets, read the API transcript and the Olympic tables, merge, check (2 processes)",
        f"{cold:.1f} s cold, {warm:.1f} s with the sheet cache",
    )

    if not args.skip_tests:
        unit, summary = make_seconds("unit")
        record("`make unit` (no kernel)", f"{unit:.1f} s ({summary})")
        full, summary = pytest_seconds(["-n", "auto", "--dist", "loadfile"])
        record(
            "`make test` without lint (all tests, report build, strict nbval)",
            f"{full:.1f} s ({summary}); {full / build:.1f}x the warm report build",
        )
    if args.write_readme:
        write_readme()


if __name__ == "__main__":
    main()
