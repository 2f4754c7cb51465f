"""`tree` and `list` as whole processes, the way scripts run them, each beside its
floor measured in the same run:

- `devkit-tui tree PROJECT --json` on the largest shared lock (NeMo-Agent-Toolkit,
  678 packages) against `uv tree --frozen --universal` on the same project (goal 3x);
- `devkit-tui list --json` over `../shared/data/projects` against a script that starts
  Python and parses every manifest and lock there with rtoml (goal 1.5x).

    uv run python tests/bench/bench_process.py [--runs N]

Each command gets a fresh database (the store's parse cache, when there is one, is
cold on the first run and warm after: both are printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "projects"
NEMO = SHARED / "NVIDIA__NeMo-Agent-Toolkit"
UV = ["uv"] if shutil.which("uv") else [sys.executable, "-m", "uv"]
FLOOR = """
import os, sys, rtoml
NAMES = {"pyproject.toml", "uv.lock", "pylock.toml", "poetry.lock"}
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
    for name in files:
        path = os.path.join(folder, name)
        if name in NAMES or (name.startswith("pylock.") and name.endswith(".toml")):
            with open(path, "rb") as f:
                rtoml.loads(f.read().decode())
            count += 1
        elif name.startswith("requirements") and name.endswith((".txt", ".in")):
            with open(path) as f:
                f.read().splitlines()
            count += 1
print(count)
"""


def timed(args: list[str], runs: int, env: dict[str, str], fresh_db: bool = False) -> list[float]:
    """Wall seconds of each run; with `fresh_db` the first run gets a new database."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, cwd=ROOT, env=env, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    work = Path(tempfile.mkdtemp(prefix="devkit-process-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DEVKIT_DB"] = str(work / "devkit.sqlite3")
    env["DEVKIT_CACHE"] = str(work / "cache")  # cold on the first run of each command
    devkit = [sys.executable, "-m", "app.cli"]
    subprocess.run([*devkit, "--help"], capture_output=True, cwd=ROOT, env=env)  # bytecode

    uv = statistics.median(
        timed([*UV, "tree", "--frozen", "--universal", "--directory", str(NEMO)], runs, env)
    )
    tree = timed([*devkit, "tree", str(NEMO), "--json"], runs + 1, env)
    cold, warm = tree[0], statistics.median(tree[1:])
    print(f"tree {NEMO.name} --json, whole process (median of {runs})")
    print(f"  uv tree --frozen --universal      {uv * 1000:8.0f} ms  1.00x")
    print(f"  devkit-tui tree, first run        {cold * 1000:8.0f} ms  {cold / uv:5.1f}x")
    print(
        f"  devkit-tui tree, later runs       {warm * 1000:8.0f} ms  {warm / uv:5.1f}x  (goal 3x)"
    )

    floor = statistics.median(timed([sys.executable, "-c", FLOOR, str(SHARED)], runs, env))
    listed = timed([*devkit, "list", str(SHARED), "--json"], runs + 1, env)
    cold, warm = listed[0], statistics.median(listed[1:])
    print(f"list {SHARED.name} --json, whole process (median of {runs})")
    print(f"  floor: python + rtoml of every file {floor * 1000:6.0f} ms  1.00x")
    print(f"  devkit-tui list, first run        {cold * 1000:8.0f} ms  {cold / floor:5.1f}x")
    print(
        f"  devkit-tui list, later runs       {warm * 1000:8.0f} ms  {warm / floor:5.1f}x  (goal 1.5x)"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
