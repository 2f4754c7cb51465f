"""The dashboard's first scan is begun before the UI or the backend is imported. When
its child has answered by the time the app mounts, the first frame shows the rows and
the backend is built only after that frame, reusing that scan; when it has not, or it
failed, the backend reads it as before."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from pathlib import Path

from textual.pilot import Pilot

from app.commands.dashboard import begin_first_scan
from app.tui import DevkitApp
from backend.audit.entries import AuditFilter
from backend.inventory.build import build_inventory
from backend.settings import Settings
from backend.workspace.scan_process import PendingScan, ScanProcess, full_scan
from screens.dashboard import DashboardScreen
from tests.tui.conftest import wait_until
from widgets.inventory_table import InventoryTable


class FrameWatch(DevkitApp):
    """Notes, at the first frame of the dashboard, how many rows it showed and whether
    the backend had been built yet."""

    first_frame: tuple[int, bool] | None = None

    def _display(self, screen, renderable):  # type: ignore[no-untyped-def]
        super()._display(screen, renderable)
        if self.first_frame is None and renderable is not None and screen is self.dashboard:
            rows = screen.query_one(InventoryTable).row_count
            self.first_frame = (rows, self._backend is not None)


def settings_for(root: Path, tmp_path: Path) -> Settings:
    return Settings(roots=[root], db_path=tmp_path / "db.sqlite3", watch=False)


async def scan_audited(pilot: Pilot[None], app: DevkitApp) -> None:
    """Wait for the backend to be started, then for its first scan's audit entry."""
    await wait_until(pilot, lambda: app._events is not None, timeout=30)  # subscribed, started

    async def audited() -> bool:
        return bool(await app.backend.audit_entries(AuditFilter(action="scan")))

    for _ in range(3000):
        if await audited():
            return
        await pilot.pause(0.01)
    raise AssertionError("the first scan was never audited")


async def test_an_answered_first_scan_is_in_the_first_frame_and_the_backend_follows(
    demo_workspace: Path, tmp_path: Path
) -> None:
    settings = settings_for(demo_workspace, tmp_path)
    first = begin_first_scan(settings)
    await asyncio.to_thread(first.future.result, 60)  # answered while "Textual loads"
    app = FrameWatch(settings, first_scan=first)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.first_frame is not None, timeout=30)
        assert app.first_frame == (38, False)  # every row, and no backend yet
        await scan_audited(pilot, app)
        backend = app.backend
        assert backend.workspace.child is first.process  # the same child, asked once
        assert backend.inventory is first.read().derived[0]
        await wait_until(pilot, lambda: app._shown_early is None)
        assert app.updates_applied == 1  # the backend's publication is not shown twice
        assert isinstance(app.screen, DashboardScreen)


async def test_a_first_scan_still_running_is_read_by_the_backend(
    demo_workspace: Path, tmp_path: Path
) -> None:
    settings = settings_for(demo_workspace, tmp_path)
    pending: Future[bytes] = Future()
    app = FrameWatch(settings, first_scan=PendingScan(ScanProcess(), pending))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.first_frame is not None, timeout=30)
        assert app.first_frame == (0, True)  # nothing to show: the backend waits for it
        answer = await asyncio.to_thread(
            full_scan, [demo_workspace], settings.max_depth, None, settings.cache_dir,
            build_inventory,
        )  # fmt: skip
        pending.set_result(answer)
        await wait_until(pilot, lambda: app.updates_applied >= 1, timeout=30)
        assert app.screen.query_one(InventoryTable).row_count == 38
        await scan_audited(pilot, app)
        assert app.updates_applied == 1


async def test_a_first_scan_that_failed_is_reported_and_the_app_stays_up(
    demo_workspace: Path, tmp_path: Path
) -> None:
    failed: Future[bytes] = Future()
    failed.set_exception(OSError("the scan process could not start"))
    app = DevkitApp(
        settings_for(demo_workspace, tmp_path), first_scan=PendingScan(ScanProcess(), failed)
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(
            pilot,
            lambda: any("could not start" in str(n.message) for n in app._notifications),
            timeout=30,
        )
        assert app.updates_applied == 0
        await pilot.press("r")  # a rescan still works, in the same child
        await wait_until(pilot, lambda: app.updates_applied >= 1, timeout=60)
        assert app.screen.query_one(InventoryTable).row_count == 38
