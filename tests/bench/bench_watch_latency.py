"""Live-update latency: from a change on disk to the inventory table showing it.

    uv run python tests/bench/bench_watch_latency.py [--edits N]

The dashboard runs headless with the watcher on over a project made by the real uv
(locked, synced into `.venv`) from a local index on 127.0.0.1, beside the demo
workspace. Three kinds of change, each timed on its own, alternating between two
states: a manifest edit (the declared specifier in pyproject.toml), a lock edit (the
locked version in uv.lock) and `uv pip install` of another version into the `.venv`
(timed from the moment uv exits, when the install is complete). The clock stops
when the table's cell shows the new value. Goal: a median within one second for each.
Also printed: how many folders are watched, against the folders a recursive watch
of the roots would hold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.tui import DevkitApp
from backend.demo import build_demo_workspace
from backend.settings import Settings
from backend.workspace.watcher import watched_folders
from tests.support.local_index import build_index, serve_index
from tests.support.update_projects import uv_project
from widgets.inventory_rows import View
from widgets.inventory_table import InventoryTable

Change = Callable[[int], Awaitable[str]]
"""Makes the edit-th change; returns the value the gamma row must then show."""


async def measure(root: Path, db: Path, project: Path, edits: int) -> dict[str, list[float]]:
    app = DevkitApp(Settings(roots=[root], db_path=db, watch=True))
    samples: dict[str, list[float]] = {"manifest edit": [], "lock edit": [], "uv pip install": []}
    async with app.run_test(size=(200, 50)) as pilot:
        while app.updates_applied < 1:
            await pilot.pause(0.01)
        table = app.screen.query_one(InventoryTable)
        table.view = View.PROJECTS  # one row per project and package: declared, locked, installed
        await started(pilot, app, project / "pyproject.toml")
        python = project / ".venv" / "bin" / "python"
        index_url = os.environ["BENCH_INDEX_URL"]

        async def manifest(edit: int) -> str:
            old, new = ("gamma>=1", "gamma>=1.0") if edit % 2 == 0 else ("gamma>=1.0", "gamma>=1")
            path = project / "pyproject.toml"
            path.write_text(path.read_text().replace(f'"{old}"', f'"{new}"'))
            return new.removeprefix("gamma")

        async def lock(edit: int) -> str:
            old, new = ("1.0.0", "1.0.5") if edit % 2 == 0 else ("1.0.5", "1.0.0")
            path = project / "uv.lock"
            text = path.read_text()
            path.write_text(
                text.replace(
                    f'name = "gamma"\nversion = "{old}"', f'name = "gamma"\nversion = "{new}"'
                )
            )
            return new

        async def install(edit: int) -> str:
            new = "1.0.5" if edit % 2 == 0 else "1.0.0"
            process = await asyncio.create_subprocess_exec(
                "uv", "pip", "install", "--quiet", "--python", str(python),
                "--index-url", index_url, f"gamma=={new}",
            )  # fmt: skip
            assert await process.wait() == 0
            return new

        cells = {
            "manifest edit": "declared",
            "lock edit": "locked",
            "uv pip install": "installed",
        }
        changes: dict[str, Change] = {
            "manifest edit": manifest,
            "lock edit": lock,
            "uv pip install": install,
        }
        for kind, change in changes.items():
            for edit in range(edits):
                start = time.perf_counter()
                wanted = await change(edit)
                if kind == "uv pip install":
                    start = time.perf_counter()
                while table.get_cell("app\x00gamma", cells[kind]).plain != wanted:
                    await pilot.pause(0.002)
                samples[kind].append((time.perf_counter() - start) * 1000)
                await pilot.pause(0.3)
    return samples


async def started(pilot, app: DevkitApp, manifest: Path) -> None:  # type: ignore[no-untyped-def]
    """Rewrite a manifest as it is until a refresh shows the watcher is running."""
    seen = app.updates_applied
    while app.updates_applied == seen:
        manifest.write_bytes(manifest.read_bytes())
        deadline = time.monotonic() + 2
        while app.updates_applied == seen and time.monotonic() < deadline:
            await pilot.pause(0.05)


def folders_below(roots: list[Path]) -> int:
    return sum(len(dirs) for root in roots for _, dirs, _ in os.walk(root)) + len(roots)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    edits = parser.parse_args().edits
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        os.environ.update(UV_CACHE_DIR=str(base / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
        os.environ.pop("VIRTUAL_ENV", None)
        root = base / "root"
        build_demo_workspace(root / "demo")
        index = build_index(base / "index")
        with serve_index(index):
            os.environ["BENCH_INDEX_URL"] = index.simple
            project = uv_project(root / "app", index, ["gamma==1.0.0"], ["gamma>=1"], venv=True)
            watched = len(watched_folders([root]))
            recursive = folders_below([root])
            samples = asyncio.run(measure(root, base / "db.sqlite3", project, edits))
    print(
        f"change on disk -> table updated, {edits} changes of each kind (goal: median within 1000 ms):"
    )
    for kind, values in samples.items():
        ordered = sorted(values)
        p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
        print(
            f"  {kind:<15} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms"
            f"   max {max(values):7.1f} ms"
        )
    print(f"  folders watched: {watched} (a recursive watch of the roots: {recursive})")


if __name__ == "__main__":
    main()
