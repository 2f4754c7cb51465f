"""Driver for the first-paint benchmark: starts the dashboard the way `devkit-tui ROOT`
does (scan started before the UI is imported), headless, and prints when the
inventory table holds every package. The parent process times it from its spawn."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.commands.dashboard import start_backend
from backend.settings import Settings


async def main(root: Path, db: Path) -> None:
    settings = Settings(roots=[root], db_path=db, watch=False)
    backend = start_backend(settings)
    from app.tui import DevkitApp
    from widgets.inventory_table import InventoryTable

    app = DevkitApp(settings, backend)
    async with app.run_test(size=(160, 48)) as pilot:
        while app.updates_applied < 1:
            await pilot.pause(0.002)
        await pilot.pause()
        print(f"painted rows={app.screen.query_one(InventoryTable).row_count}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
