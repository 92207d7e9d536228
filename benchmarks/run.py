"""Speed measurements (not tests): report build against its floor, test-suite time, simulation speed.

    .venv/bin/python benchmarks/run.py [--skip-tests]

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

from analysis.outlook import simulate  # noqa: E402
from analysis.report import build_reports, default_jobs  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    jobs = default_jobs(len(notebooks))
    print(f"machine: {os.cpu_count()} CPU(s); {len(notebooks)} notebooks, {jobs} at once")

    floor_seconds(1, 1)  # warm the file cache once, like a second run of make report
    floor = min(floor_seconds(len(notebooks), jobs) for _ in range(2))
    with tempfile.TemporaryDirectory() as out:
        builds = []
        for _ in range(2):
            start = time.perf_counter()
            build_reports(out_dir=Path(out), echo=lambda line: None)
            builds.append(time.perf_counter() - start)
    build = min(builds)
    print(
        f"report build: {build:.2f} s   floor (kernel + imports per notebook): {floor:.2f} s   ratio: {build / floor:.2f}x"
    )

    rng = np.random.default_rng(0)
    mu, sd = np.log(np.linspace(36.5, 38.5, 30)), np.full(30, 0.006)
    simulate(mu, sd, 0.02, 10_000, rng)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        simulate(mu, sd, 0.02, 100_000, rng)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    print(f"outlook simulation: 100,000 races of a 30-skater field in {best:.3f} s = {100_000 / best:,.0f} races/s")

    if not args.skip_tests:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
        print(f"test suite: {elapsed:.1f} s ({summary})")


if __name__ == "__main__":
    main()
