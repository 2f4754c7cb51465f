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
from backend.dependency_graph import graph_from_uv_lock, reachable_edges  # noqa: E402
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
        f"  devkit-tui tree PROJECT (whole process, scans every project under it first):"
        f" {cli:8.1f} ms  {cli / uv:5.2f}x"
    )


if __name__ == "__main__":
    main()
