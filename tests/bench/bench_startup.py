"""Start-up of whole processes: `devkit-tui --help` and `devkit-tui COMMAND --help`
against `python -c pass` (the floor), with bytecode caches written as users have them.

    uv run python tests/bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    "", "list", "serve", "spans", "tree", "audit", "spc", "entropy", "check", "outdated",
    "update", "undo", "demo", "monitor", "config", "vulns",
]  # fmt: skip


def timed(args: list[str], runs: int) -> float:
    """Median wall time of `runs` runs, in seconds (one unmeasured run first)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, capture_output=True, cwd=ROOT, env=env, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, cwd=ROOT, env=env, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    floor = timed([sys.executable, "-c", "pass"], runs)
    print(f"python -c pass                      {floor * 1000:7.1f} ms")
    for name in COMMANDS:
        args = [sys.executable, "-m", "app.cli", *([name] if name else []), "--help"]
        took = timed(args, runs)
        label = f"devkit-tui {name} --help".replace("  ", " ")
        print(f"{label:<35} {took * 1000:7.1f} ms  {took / floor:5.1f}x python -c pass")


if __name__ == "__main__":
    main()
