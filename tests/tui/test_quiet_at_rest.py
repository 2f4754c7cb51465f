"""A dashboard left open creates no work for itself: with nothing changing outside,
its refreshes add no audit entry, no check run and no span of devkit's own."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from textual.worker import Worker, WorkerCancelled

from app.tui import WEAVER_EVERY_TICKS
from backend.store.database import Store
from backend.telemetry import names
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.charts_pane import ChartsPane

PERIODS = 30


async def finish(worker: Worker[object]) -> None:
    """Wait for a refresh; one the controller's own tick replaced did the same work."""
    with contextlib.suppress(WorkerCancelled):
        await worker.wait()


async def counts(store: Store) -> tuple[int, int]:
    """(audit entries, check runs)."""
    audit = await store.query("SELECT count(*) FROM audit_log")
    runs = await store.query("SELECT count(*) FROM check_runs")
    return audit[0][0], runs[0][0]


async def test_refreshes_with_nothing_new_do_nothing(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    app = make_app(demo_workspace, db)  # devkit traces itself, as it does for users
    async with app.run_test(size=(200, 50)) as pilot:  # every pane on screen
        await wait_for_inventory(pilot)
        pane = app.screen.query_one(ChartsPane)
        await wait_until(pilot, lambda: bool(pane.entropy_shown) and bool(app.backend.last_check))
        await app.backend.flush_spans()  # the first scan's and check's spans are stored
        await finish(app.refresh_weaver())  # which may ask for one more check
        await finish(app.refresh_entropy())
        before = await counts(app.backend.store)
        resting_since = time.time_ns()
        for _ in range(PERIODS):
            for refresh in (app.refresh_audit, app.refresh_charts, app.refresh_weaver):
                await finish(refresh())
            await finish(app.refresh_outdated())
            await finish(app.refresh_entropy())
        assert await counts(app.backend.store) == before
        app.live.tick()  # the controller sees what the direct refreshes above drew
        started = app.live.started
        for _ in range(PERIODS):  # the controller's own ticks start nothing but the
            app.live.tick()  # Weaver pane's look at its registry files' times
        assert app.live.started - started == PERIODS // WEAVER_EVERY_TICKS
    store = Store(db)  # the app has stopped: every span it made is stored now
    await store.open()
    try:
        own = await store.query(
            "SELECT name FROM spans WHERE service_name = ? AND start_ns > ?",
            (names.SERVICE, resting_since),
        )
    finally:
        await store.close()
    assert own == []
