"""Events that reach the app before its first frame (scan progress from a first scan
that started while the UI was loading) must not stop the app following the backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.tui import DevkitApp
from backend.events import BackendNotice, ScanProgress
from backend.service import Backend
from backend.settings import Settings
from tests.tui.conftest import wait_until
from widgets.inventory_table import InventoryTable


async def test_progress_before_the_first_frame(
    demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = Backend.start

    async def start_with_early_progress(self: Backend, scan: bool = True) -> None:
        await started(self, scan)
        self.events.publish(ScanProgress(1, 7, demo_workspace))  # before the dashboard mounts

    monkeypatch.setattr(Backend, "start", start_with_early_progress)
    settings = Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    app = DevkitApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.updates_applied >= 1, timeout=30)
        assert app.screen.query_one(InventoryTable).row_count == 38


async def test_notices_show_untrusted_text_as_text(demo_workspace: Path, tmp_path: Path) -> None:
    """A project or span name with Rich markup in a notice stays literal."""
    settings = Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    app = DevkitApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.updates_applied >= 1, timeout=30)
        app.backend.events.publish(BackendNotice("restored: [bold]evil[/bold] [/x]"))
        await wait_until(pilot, lambda: any("evil" in str(n.message) for n in app._notifications))
        notice = next(n for n in app._notifications if "evil" in str(n.message))
        assert notice.markup is False and notice.message == "restored: [bold]evil[/bold] [/x]"
