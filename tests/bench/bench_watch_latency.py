"""Live-update latency: from writing a lock file to the inventory table showing it.

    uv run python tests/bench/bench_watch_latency.py [--edits N]

The dashboard runs headless over the demo workspace with the watcher on; each edit
flips numpy's locked version in data-pipeline/uv.lock, and the clock stops when the
table's cell shows the new version. Goal: within one second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.tui import DevkitApp
from backend.demo import build_demo_workspace
from backend.settings import Settings
from widgets.inventory_table import InventoryTable


async def measure(edits: int) -> list[float]:
    with tempfile.TemporaryDirectory() as temp:
        root = build_demo_workspace(Path(temp) / "demo")
        lock = root / "data-pipeline" / "uv.lock"
        app = DevkitApp(Settings(roots=[root], db_path=Path(temp) / "db.sqlite3", watch=True))
        samples: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            while app.updates_applied < 1:
                await pilot.pause(0.01)
            await pilot.pause(1.0)  # the watcher is running
            table = app.screen.query_one(InventoryTable)
            versions = ["2.2.1", "2.3.1"]
            for edit in range(edits):
                old, new = versions[edit % 2], versions[(edit + 1) % 2]
                text = lock.read_text().replace(f'version = "{old}"', f'version = "{new}"')
                start = time.perf_counter()
                lock.write_text(text)
                while table.get_cell("numpy", "versions").plain != new:
                    await pilot.pause(0.002)
                samples.append((time.perf_counter() - start) * 1000)
                await pilot.pause(0.3)
        return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    samples = asyncio.run(measure(parser.parse_args().edits))
    print(f"file write -> table updated, {len(samples)} edits:")
    print(
        f"  median {statistics.median(samples):7.1f} ms   p90 {sorted(samples)[int(len(samples) * 0.9) - 1]:7.1f} ms"
        f"   max {max(samples):7.1f} ms  (goal: within 1000 ms)"
    )


if __name__ == "__main__":
    main()
