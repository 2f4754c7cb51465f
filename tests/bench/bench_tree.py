"""Dependency tree: build and print the full tree of the largest shared lock, next to
`uv tree --frozen` on the same project in the same run.

    uv run python tests/bench/bench_tree.py [--runs N]

Goal: within 3x of uv.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.commands.tree import render  # noqa: E402
from backend.graph.dependency_graph import graph_from_uv_lock, reachable_edges  # noqa: E402
from backend.parsers.uv_lock import parse_uv_lock  # noqa: E402

PROJECT = ROOT.parent / "shared" / "data" / "projects" / "NVIDIA__NeMo-Agent-Toolkit"
UV = ["uv"] if shutil.which("uv") else [sys.executable, "-m", "uv"]


def median_ms(function, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def build_and_print() -> int:
    lock = parse_uv_lock(PROJECT / "uv.lock")
    graph = graph_from_uv_lock(lock, ".", "nvidia-nat")
    assert graph is not None
    out = io.StringIO()
    with redirect_stdout(out):
        for line in render(graph, reachable_edges(graph), invert=False, package=None):
            print(line)
    return out.getvalue().count("\n")


async def pane_open_ms() -> tuple[float, float, int]:
    """The dashboard on the project's folder, started as the CLI starts it: from `2`
    (tree pane) to the tree drawn for pydantic, inverted across every project that has
    it (graphs built in the background once the scan is in, as the app does), then `f` for the forward tree."""
    import asyncio

    from app.commands.dashboard import begin_first_scan
    from app.tui import DevkitApp
    from backend.settings import Settings
    from widgets.dependency_tree import DependencyTree

    with tempfile.TemporaryDirectory() as temp:
        settings = Settings(
            roots=[PROJECT], db_path=Path(temp) / "db.sqlite3", watch=False, trace_self=False
        )
        app = DevkitApp(settings, first_scan=begin_first_scan(settings))
        async with app.run_test(size=(100, 30)) as pilot:
            while app.updates_applied < 1 or app.graphs_warmed < 1:
                await pilot.pause(0.01)
            await pilot.press("slash", *"name:pydantic", "enter", "down")
            await pilot.pause(0.3)
            start = time.perf_counter()
            await pilot.press("2")  # the pane is composed now, the first time it shows
            tree = app.screen.query_one(DependencyTree)
            for _ in range(20_000):
                if tree.root.label.plain.startswith("pydantic "):
                    break
                await asyncio.sleep(0.001)
            await pilot.pause()
            inverted = (time.perf_counter() - start) * 1000
            projects = len(tree.data_shown.graphs) if tree.data_shown else 0
            start = time.perf_counter()
            await pilot.press("f")
            await pilot.pause()
            forward = (time.perf_counter() - start) * 1000
    return inverted, forward, projects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    if not PROJECT.is_dir():
        raise SystemExit(f"{PROJECT} not found")
    packages = len(parse_uv_lock(PROJECT / "uv.lock").packages)
    lines = build_and_print()
    ours = median_ms(build_and_print, runs)
    uv = median_ms(
        lambda: subprocess.run(
            [*UV, "tree", "--frozen"], cwd=PROJECT, capture_output=True, check=True
        ),
        runs,
    )
    uv_universal = median_ms(
        lambda: subprocess.run(
            [*UV, "tree", "--frozen", "--universal"], cwd=PROJECT, capture_output=True, check=True
        ),
        runs,
    )
    with tempfile.TemporaryDirectory() as temp:
        env = {**os.environ, "DEVKIT_DB": str(Path(temp) / "db.sqlite3")}
        cli = median_ms(
            lambda: subprocess.run(
                [sys.executable, "-m", "app.cli", "tree", str(PROJECT)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=True,
            ),
            max(3, runs // 3),
        )
    print(f"{PROJECT.name}: {packages} locked packages, our tree prints {lines} lines")
    print(f"  uv tree --frozen (process):                {uv:8.1f} ms  1.00x")
    print(f"  uv tree --frozen --universal (process):    {uv_universal:8.1f} ms")
    print(
        f"  devkit parse + graph + print (in process): {ours:8.1f} ms  {ours / uv:5.2f}x  (goal <= 3x)"
    )
    print(
        f"  devkit-tui tree PROJECT (whole process, that project only):"
        f" {cli:8.1f} ms  {cli / uv_universal:5.2f}x --universal  (bench_process.py: cold and warm)"
    )

    import asyncio

    inverted, forward, projects = asyncio.run(pane_open_ms())
    print(
        f"  tree pane, inverted for pydantic across {projects} projects (graphs built after the scan): "
        f"{inverted:8.1f} ms  (goal: opening the pane under 200 ms)"
    )
    print(f"  tree pane, switched to forward from the project: {forward:8.1f} ms")


if __name__ == "__main__":
    main()
