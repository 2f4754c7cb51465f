"""Panes are composed the first time they are on screen: a dashboard started in a small
terminal builds the inventory only, and a pane brought up later still gets its data,
the focus and its keys."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from app.tui import DevkitApp
from backend.settings import Settings
from tests.helpers import span_records
from tests.tui.conftest import wait_for_inventory, wait_until
from widgets.audit_log import AuditLogPane
from widgets.charts_pane import ChartsPane
from widgets.dependency_tree import DependencyTree
from widgets.inventory_pane import InventoryPane
from widgets.span_stream import SpanStream, SpanTable
from widgets.weaver_pane import WeaverPane

PANE_WIDGETS = {
    "inventory": InventoryPane,
    "tree": DependencyTree,
    "spans": SpanStream,
    "charts": ChartsPane,
    "audit": AuditLogPane,
    "weaver": WeaverPane,
}


def composed(app: DevkitApp) -> set[str]:
    return {pane for pane, kind in PANE_WIDGETS.items() if app.dashboard.query(kind)}


@contextlib.asynccontextmanager
async def dashboard(
    tmp_path: Path, size: tuple[int, int] = (80, 24)
) -> AsyncIterator[tuple[DevkitApp, Pilot[None]]]:
    """A dashboard over an empty folder at `size`, its first inventory shown."""
    settings = Settings(
        roots=[tmp_path],
        db_path=tmp_path / "db.sqlite3",
        watch=False,
        trace_self=False,
        refresh_s=0.2,
    )
    app = DevkitApp(settings)
    async with app.run_test(size=size) as pilot:
        await wait_for_inventory(pilot)
        yield app, pilot


async def test_a_small_terminal_builds_the_inventory_alone_and_the_rest_when_shown(
    tmp_path: Path,
) -> None:
    async with dashboard(tmp_path) as (app, pilot):
        assert composed(app) == {"inventory"}
        await app.backend.ready()
        await app.backend.spans.add(span_records("GET /cart", [10.0, 12.0, 11.0, 13.0]))
        await pilot.press("3")
        table = app.screen.query_one(SpanTable)
        assert app.screen.focused is table  # the focus waited for the pane to mount
        await wait_until(pilot, lambda: table.row_count == 4)  # and so did its data
        await pilot.press("1")
        assert composed(app) == {"inventory", "spans"}  # hidden again, but kept


async def test_the_monitor_is_made_when_first_opened(tmp_path: Path) -> None:
    from screens.monitor import MonitorScreen

    async with dashboard(tmp_path) as (app, pilot):
        ticks = app.live.ticks
        await wait_until(pilot, lambda: app.live.ticks >= ticks + 3)
        assert not app.is_screen_installed("monitor")  # no refresh tick made it
        await pilot.press("m")
        assert isinstance(app.screen, MonitorScreen)
        await wait_until(pilot, lambda: app.feed.title.startswith("devkit-tui"))
        await pilot.press("m")
        assert app.screen is app.dashboard and app.is_screen_installed("monitor")


async def test_a_pane_composed_late_opens_its_own_filter(
    tmp_path: Path,
) -> None:
    async with dashboard(tmp_path) as (app, pilot):
        await pilot.press("5", "slash", "x")  # a pane composed just now
        focused = app.screen.focused
        assert isinstance(focused, Input) and focused.value == "x"
        assert app.screen.query_one(AuditLogPane) in focused.ancestors


async def test_a_wide_terminal_builds_the_panes_it_shows(tmp_path: Path) -> None:
    async with dashboard(tmp_path, (160, 48)) as (app, pilot):  # two columns, two rows
        assert composed(app) == {"inventory", "tree", "spans", "charts"}
        await pilot.press("6")
        await wait_until(pilot, lambda: "weaver" in composed(app))
        assert "audit" not in composed(app)  # pushed off by the Weaver pane, never shown


async def test_a_terminal_grown_wide_builds_and_fills_the_panes_it_now_shows(
    tmp_path: Path,
) -> None:
    async with dashboard(tmp_path) as (app, pilot):
        assert composed(app) == {"inventory"}
        await pilot.resize_terminal(200, 50)  # three columns, two rows: every pane
        await wait_until(pilot, lambda: composed(app) == set(PANE_WIDGETS))
        audit = app.dashboard.audit_pane
        await wait_until(pilot, lambda: bool(audit.entries))  # handed its data once mounted
