"""Driver for the first-paint benchmark: starts the dashboard the way `devkit-tui ROOT`
does (scan started before the UI is imported), headless, and prints `painted` at
the first frame after the inventory table holds every package, `settled` once every
message the start-up queued has been handled (the other panes loaded), then its
resident memory. The parent process times both lines from its spawn.

With `--keys N` it then types N filter keystrokes into the inventory (`/`, then a
package name letter by letter, then backspaces), each timed from the key to the
frame after the table shows the rows that filter selects, and prints them in
milliseconds, after ten presses of a key that changes nothing (`home` in the filter):
the Pilot's own round trip, part of every figure."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.commands.dashboard import start_backend
from backend.settings import Settings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def main(root: Path, db: Path, keys: int) -> None:
    settings = Settings(roots=[root], db_path=db, watch=False)
    backend = start_backend(settings)
    from app.tui import DevkitApp
    from widgets.inventory_rows import matches, rows_for
    from widgets.inventory_table import InventoryTable

    class TimedApp(DevkitApp):
        """Prints `painted` from inside the app, right after the frame that follows the
        first inventory reaching the table: what a person would see first, not when
        the Pilot, which starts only once the app is ready, gets to look."""

        def _apply(self, event):  # type: ignore[no-untyped-def]
            super()._apply(event)
            if self.updates_applied == 1:
                self.screen.call_after_refresh(self.first_frame)

        def first_frame(self) -> None:
            rows = self.screen.query_one(InventoryTable).row_count
            print(f"painted rows={rows}", flush=True)
            shown.set()

    shown = asyncio.Event()
    app = TimedApp(settings, backend)
    async with app.run_test(size=(160, 48)) as pilot:
        await shown.wait()
        table = app.screen.query_one(InventoryTable)
        await pilot.pause()
        print("settled", flush=True)
        print(f"rss_mb={rss_mb():.1f}", flush=True)
        if not keys:
            return
        assert table.inventory is not None
        rows = rows_for(table.inventory, table.view)
        name = max((r.package for r in rows), key=len)
        typed = [name[: i + 1] for i in range(min(len(name), keys))]
        typed += [name[:i] for i in range(len(typed) - 1, len(typed) - 1 - (keys - len(typed)), -1)]
        await pilot.press("slash")
        await pilot.pause()
        idle = []  # the Pilot's own round trip: a key the filter ignores (the cursor)
        for _ in range(10):
            started = time.perf_counter()
            await pilot.press("home")
            await pilot.pause()
            idle.append((time.perf_counter() - started) * 1000)
        print("idle_ms=" + ",".join(f"{s:.1f}" for s in idle), flush=True)
        samples = []
        previous = ""
        for text in typed[:keys]:
            key = text[-1] if len(text) > len(previous) else "backspace"
            expected = sum(1 for r in rows if not text.strip() or matches(r, text.strip()))
            started = time.perf_counter()
            await pilot.press(key if key != "-" else "minus")
            while table.query != text.strip() or table.row_count != expected:
                await asyncio.sleep(0)
            await pilot.pause()  # the frame that shows it
            samples.append((time.perf_counter() - started) * 1000)
            previous = text
        print("keys_ms=" + ",".join(f"{s:.1f}" for s in samples), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--keys", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(main(args.root, args.db, args.keys))
