"""Inventory benchmarks: environment scan, `list --json`, and the dashboard's first paint.

Baseline: `uv pip list --format json` (whole process) on the same environment.

    uv run python tests/bench/bench_inventory.py [--venv PATH] [--runs N]

Without --venv it writes an environment of 320 distributions (METADATA with a long
description, RECORD of 40 to 240 files, INSTALLER) into a temporary folder.

Processes run as on a user's machine: Python keeps compiled bytecode (`__pycache__`)
after the first run. This machine sets PYTHONDONTWRITEBYTECODE, which makes every start
compile every module again (~0.5 s); the benchmark lifts it for its processes, warms
the caches once, and also prints the first paint without them.
"""

from __future__ import annotations

import argparse
import json
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

from backend.parsers.environment import scan_environment  # noqa: E402

UV = ["uv"] if shutil.which("uv") else [sys.executable, "-m", "uv"]
SHARED = ROOT.parent / "shared" / "data" / "projects"


def build_venv(folder: Path, count: int = 320) -> Path:
    """A real environment (`uv venv`) with `count` distributions shaped like real installs."""
    subprocess.run([*UV, "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    site = next((folder / "lib").glob("python*/site-packages"))
    description = "A long description paragraph. " * 200
    for i in range(count):
        name = f"bench-package-{i:03d}"
        dist = site / f"bench_package_{i:03d}-1.{i % 7}.{i % 11}.dist-info"
        dist.mkdir()
        requires = "".join(
            f"Requires-Dist: bench-package-{(i + k) % count:03d}>=1.0\n" for k in range(1, 5)
        )
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.3\nName: {name}\nVersion: 1.{i % 7}.{i % 11}\n"
            f"Summary: Benchmark package number {i}\nLicense-Expression: MIT\n"
            "Classifier: Programming Language :: Python :: 3\n"
            * 1
            + requires
            + "Description-Content-Type: text/markdown\n\n"
            + description
        )
        files = 40 + (i * 37) % 200
        (dist / "RECORD").write_text(
            "".join(
                f"bench_package_{i:03d}/module_{f}.py,sha256=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG,{1000 + f}\n"
                for f in range(files)
            )
        )
        (dist / "INSTALLER").write_text("uv\n")
    return folder


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def with_bytecode(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that may write and read `__pycache__`."""
    return {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_process(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    env = with_bytecode(env)
    subprocess.run(command, capture_output=True, env=env, check=False)  # warm the caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, env=env, check=False)
        samples.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{command[:3]} failed: {result.stderr.decode()[-500:]}")
    return median_ms(samples)


def time_in_process(function, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return median_ms(samples)


def first_paint_ms(root: Path, db: Path, bytecode: bool = True) -> tuple[float, int]:
    """From spawning the process to the inventory table holding every package;
    `bytecode=False` points Python at an empty cache folder and forbids writing one."""
    env = with_bytecode()
    if not bytecode:
        env |= {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": tempfile.mkdtemp()}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("first_paint.py")), str(root), str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait()
    return elapsed * 1000, int(line.strip().split("=")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="an existing environment to measure")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        temp_path = Path(temp)
        env = {**os.environ, "DEVKIT_DB": str(temp_path / "bench.sqlite3")}
        project = temp_path / "project"
        project.mkdir()
        (project / "requirements.txt").write_text("bench-package-000\n")
        if args.venv:
            venv = args.venv.resolve()
            os.symlink(venv, project / ".venv")
        else:
            venv = build_venv(project / ".venv")
        dists = len(scan_environment(venv).dists)
        uv_ms = time_process(
            [*UV, "pip", "list", "--format", "json", "--python", str(venv)], args.runs
        )
        scan_ms = time_in_process(lambda: scan_environment(venv), args.runs)
        cli = [sys.executable, "-m", "app.cli", "list", "--json"]
        list_env_ms = time_process([*cli, str(project)], args.runs, env)
        print(f"environment: {dists} distributions ({venv})")
        print(f"  uv pip list --format json (process):     {uv_ms:8.1f} ms   1.00x")
        print(
            f"  devkit scan_environment (in process):    {scan_ms:8.1f} ms   {scan_ms / uv_ms:5.2f}x  (goal <= 3x)"
        )
        print(
            f"  devkit-tui list --json (process):        {list_env_ms:8.1f} ms   {list_env_ms / uv_ms:5.2f}x"
        )
        if SHARED.is_dir():
            output = subprocess.run([*cli, str(SHARED)], capture_output=True, env=env, check=False)
            document = json.loads(output.stdout)
            packages, projects = len(document["packages"]), len(document["projects"])
            shared_ms = time_process([*cli, str(SHARED)], args.runs, env)
            print(f"shared lock files: {projects} projects, {packages} packages ({SHARED})")
            print(
                f"  devkit-tui list --json (process):        {shared_ms:8.1f} ms  (goal < 1000 ms)"
            )
            both = subprocess.run(
                [*cli, str(SHARED), str(project)], capture_output=True, env=env, check=False
            )
            both_packages = len(json.loads(both.stdout)["packages"])
            both_ms = time_process([*cli, str(SHARED), str(project)], args.runs, env)
            print(f"shared lock files + the environment above: {both_packages} packages")
            print(
                f"  devkit-tui list --json (process):        {both_ms:8.1f} ms  (goal < 1000 ms for 1,000 packages)"
            )
            empty = temp_path / "empty"
            empty.mkdir()
            db = temp_path / "paint.sqlite3"  # reused, as a user's database is
            first_paint_ms(empty, db)  # writes the bytecode caches
            baseline = statistics.median(first_paint_ms(empty, db)[0] for _ in range(5))
            paints = [first_paint_ms(SHARED, db) for _ in range(5)]
            paint_ms = statistics.median(p[0] for p in paints)
            cold = statistics.median(
                first_paint_ms(SHARED, db, bytecode=False)[0] for _ in range(3)
            )
            print(
                f"  dashboard, process start to table filled: {paint_ms:8.1f} ms  (goal < 1000 ms, {paints[0][1]} rows)"
            )
            print(
                f"  same on an empty folder (Textual start-up): {baseline:8.1f} ms  -> the inventory adds {paint_ms - baseline:.0f} ms"
            )
            print(
                f"  first paint without bytecode caches:       {cold:8.1f} ms  (every module compiled at start)"
            )
        else:
            print(f"shared lock files not found at {SHARED}: skipped")


if __name__ == "__main__":
    main()
