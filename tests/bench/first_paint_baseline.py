"""The first-paint baseline: a minimal Textual app that paints one DataTable (the
widget the inventory table is built on) holding the given rows, headless at the
dashboard's size, and prints `painted` at the first frame that shows them and
`settled` once it is idle, as the dashboard's driver does; then its resident memory. Its rows come
from a JSON file of cell lists, read after Textual is imported, as the dashboard
reads its projects."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class OneTable(App[None]):
    def __init__(self, rows_file: Path) -> None:
        super().__init__()
        self.rows_file = rows_file

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        rows = json.loads(self.rows_file.read_text())
        table = self.query_one(DataTable)
        for label in ("", "Package", "Versions", "Flags", "Projects"):
            table.add_column(label)
        table.add_rows(rows)
        self.call_after_refresh(self.first_frame)

    def first_frame(self) -> None:
        print(f"painted rows={self.query_one(DataTable).row_count}", flush=True)


async def main(rows_file: Path, size: tuple[int, int]) -> None:
    app = OneTable(rows_file)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        print("settled", flush=True)
        status = Path("/proc/self/status").read_text().splitlines()
        rss = next(int(x.split()[1]) for x in status if x.startswith("VmRSS:"))
        print(f"rss_mb={rss / 1024:.1f}", flush=True)


if __name__ == "__main__":
    width, height = (int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "160x48").split("x"))
    asyncio.run(main(Path(sys.argv[1]), (width, height)))
