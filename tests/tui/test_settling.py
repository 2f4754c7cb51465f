"""The dashboard's full collections happen at quiet moments: once its first inventory
is shown and its start-up work is done, and not again while it rests."""

from __future__ import annotations

import gc
from pathlib import Path

from app.tui import DevkitApp
from backend.collector import SettledCollector
from backend.settings import Settings
from tests.tui.conftest import wait_until


async def test_it_settles_after_the_start_up_work_and_not_again_at_rest(
    demo_workspace: Path, tmp_path: Path
) -> None:
    settings = Settings(
        roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False, refresh_s=0.2
    )
    app = DevkitApp(settings)
    app.collector = SettledCollector(enabled=True)  # as in the dashboard's own process
    settled_with: list[int] = []
    settle = app.collector.settle

    def noting_settle() -> None:
        settled_with.append(app.updates_applied)
        settle()

    app.collector.settle = noting_settle  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.collector.settled >= 1, timeout=30)
            assert settled_with[0] >= 1  # not before the inventory was on screen
            assert gc.get_freeze_count() > 0
            ticks = app.live.ticks
            await wait_until(pilot, lambda: app.live.ticks >= ticks + 10, timeout=30)
            assert app.collector.settled == 1  # at rest nothing is due
    finally:
        gc.unfreeze()
