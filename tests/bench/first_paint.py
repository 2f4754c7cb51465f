"""Driver for the first-paint benchmark: starts the dashboard the way `devkit-tui ROOT`
does (scan started before the UI is imported, the backend built after the first
frame), headless, and prints `painted` at
the first frame after the inventory table holds every package, `settled` once every
message the start-up queued has been handled (the other panes loaded), then its
resident memory. The parent process times both lines from its spawn.

With `--keys N` it then types N filter keystrokes into the inventory (`/`, then a
package name letter by letter, then backspaces), each timed from the key to the
first frame drawn once the table holds the rows that filter selects, and prints
them in milliseconds, after ten presses of `down` in the table timed the same way
(to the frame that shows the cursor moved): Textual's own round trip for a key
that draws. Each key waits for the app to go idle before the next."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.commands.dashboard import begin_first_scan
from backend.settings import Settings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def main(root: Path, db: Path, keys: int, size: tuple[int, int]) -> None:
    settings = Settings(roots=[root], db_path=db, watch=False)
    first_scan = begin_first_scan(settings)
    from app.tui import AFTER_PAINT_S, DevkitApp
    from backend.collector import freeze_startup_objects
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

        def _display(self, screen, renderable):  # type: ignore[no-untyped-def]
            """Each frame drawn: a key is answered by the first frame drawn once its
            effect is in the widgets."""
            super()._display(screen, renderable)
            if renderable is not None and awaited and awaited[0]():
                answered.append(time.perf_counter())
                awaited.clear()

        def first_frame(self) -> None:
            rows = self.screen.query_one(InventoryTable).row_count
            print(f"painted rows={rows}", flush=True)
            shown.set()

    shown = asyncio.Event()
    awaited: list = []  # type: ignore[type-arg]  # the condition a key's frame must meet
    answered: list[float] = []

    async def timed(key: str, done) -> float:  # type: ignore[no-untyped-def]
        """Milliseconds from pressing `key` to the first frame drawn once `done()`."""
        awaited[:] = [done]
        started = time.perf_counter()
        await pilot.press(key)
        while awaited:  # the Pilot returns once idle; a frame may still be due
            await asyncio.sleep(0.001)
        await pilot.pause()
        return (answered[-1] - started) * 1000

    freeze_startup_objects()  # as `open_dashboard` does
    app = TimedApp(settings, first_scan=first_scan)
    async with app.run_test(size=size) as pilot:
        await shown.wait()
        table = app.screen.query_one(InventoryTable)
        await pilot.pause()
        print("settled", flush=True)
        print(f"rss_mb={rss_mb():.1f}", flush=True)
        if not keys:
            return
        # Keys are timed once the work the first inventory set off is done (the marks
        # start AFTER_PAINT_S after it): they measure the filter, not that work.
        await asyncio.sleep(AFTER_PAINT_S)
        while any(w.group != "backend" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert table.inventory is not None
        rows = rows_for(table.inventory, table.view)
        name = max((r.package for r in rows), key=len)
        forward = min(len(name), (keys + 1) // 2)  # typed, then as many rubbed out
        typed = [name[: i + 1] for i in range(forward)]
        typed += [name[:i] for i in range(forward - 1, max(-1, forward - 1 - (keys - forward)), -1)]
        idle = []  # Textual's own round trip: a key that moves the cursor
        for _ in range(10):
            row = table.cursor_row
            idle.append(await timed("down", lambda row=row: table.cursor_row != row))
        print("idle_ms=" + ",".join(f"{s:.1f}" for s in idle), flush=True)
        await pilot.press("slash")
        await pilot.pause()
        samples = []
        previous = ""
        for text in typed[:keys]:
            key = text[-1] if len(text) > len(previous) else "backspace"
            query = text.strip()
            expected = sum(1 for r in rows if not query or matches(r, query))

            def filtered(query: str = query, expected: int = expected) -> bool:
                return table.query == query and table.row_count == expected

            samples.append(await timed(key if key != "-" else "minus", filtered))
            previous = text
        print("keys_ms=" + ",".join(f"{s:.1f}" for s in samples), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--keys", type=int, default=0)
    parser.add_argument("--size", default="160x48", help="the terminal, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    asyncio.run(main(args.root, args.db, args.keys, (width, height)))
