"""Bulk update: one package in 8 projects on a local index, applied by devkit-tui
(plan in scratch copies with the lock diff, then apply with `uv lock --check` on each)
and by running `uv lock --upgrade-package` in each project one after another.

    uv run python tests/bench/bench_update.py [--runs N] [--projects 8] [--jobs 2]

Goal: devkit-tui's batch, preview included, takes no longer than the sequential loop.
Both sides start from identical copies of the same projects with a warm uv cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.service import Backend  # noqa: E402
from backend.settings import Settings  # noqa: E402
from backend.update.plan import Selection, UpdateRequest  # noqa: E402
from tests.support.local_index import build_index, serve_index  # noqa: E402
from tests.support.update_projects import uv_project  # noqa: E402


def make_projects(folder: Path, index, count: int) -> Path:  # type: ignore[no-untyped-def]
    for n in range(count):
        uv_project(folder / f"project-{n}", index, ["alpha==1.0.0", "beta==1.0.0"],
                   ["alpha>=1,<2", "beta>=1"])  # fmt: skip
    return folder


def uv_loop(folder: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    start = time.perf_counter()
    for project in sorted(folder.iterdir()):
        subprocess.run(["uv", "lock", "--upgrade-package", "alpha"], cwd=project, env=env,
                       check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - start


async def devkit_batch(folder: Path, db: Path, jobs: int) -> tuple[float, float, float]:
    """Seconds for: plan + scratch resolution, apply, and both (after the scan)."""
    backend = Backend(Settings(roots=[folder], db_path=db, watch=False, update_concurrency=jobs))
    await backend.start(scan=False)
    try:
        await backend.ready()
        await backend.scan()
        start = time.perf_counter()
        units, _ = await backend.updates.plan(Selection(requests=[UpdateRequest("alpha", "1.1.0")]))
        updater = backend.updates.updater()
        await updater.resolve(units)
        planned = time.perf_counter()
        await updater.apply(units)
        done = time.perf_counter()
        assert all(u.result == "success" for u in units), [(u.project, u.error) for u in units]
        return planned - start, done - planned, done - start
    finally:
        await backend.stop()


def cli_batch(folder: Path, db: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app.cli", "update", "alpha==1.1.0", "--root", str(folder),
         "--yes", "--json", "--jobs", str(jobs), "--db", str(db)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--projects", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-update-") as scratch:
        base = Path(scratch)
        os.environ["UV_CACHE_DIR"] = str(base / "uv-cache")
        index = build_index(base / "index")
        with serve_index(index):
            template = make_projects(base / "template", index, options.projects)
            loop, plan, apply, batch, cli = [], [], [], [], []
            for run in range(options.runs):
                for name in ("loop", "devkit", "cli"):
                    shutil.rmtree(base / name, ignore_errors=True)
                    shutil.copytree(template, base / name)
                loop.append(uv_loop(base / "loop"))
                p, a, b = asyncio.run(
                    devkit_batch(base / "devkit", base / f"db{run}", options.jobs)
                )
                plan.append(p)
                apply.append(a)
                batch.append(b)
                cli.append(cli_batch(base / "cli", base / f"cli{run}", options.jobs))
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"{options.projects} projects, one package each, {options.jobs} at a time, "
          f"median of {options.runs}")  # fmt: skip
    print(f"  uv lock --upgrade-package, one project after another: {ms(loop):8.0f} ms")
    print(f"  devkit-tui plan (scratch resolution, lock diff):      {ms(plan):8.0f} ms")
    print(f"  devkit-tui apply (write, uv lock --check, audit):     {ms(apply):8.0f} ms")
    print(f"  devkit-tui batch, preview included:                   {ms(batch):8.0f} ms"
          f"   ratio {statistics.median(batch) / statistics.median(loop):.2f}x the loop")  # fmt: skip
    print(f"  devkit-tui update CLI process (start-up, scan too):   {ms(cli):8.0f} ms"
          f"   ratio {statistics.median(cli) / statistics.median(loop):.2f}x the loop")  # fmt: skip


if __name__ == "__main__":
    main()
