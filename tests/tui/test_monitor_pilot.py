"""`devkit-tui monitor` driven by keys: an alarm appears when a series breaks a rule
(and rings the bell when asked to), blocks drop out as the pane shrinks, `enter`
opens the dashboard at the item, `m` goes back and forth."""

from __future__ import annotations

import time
from pathlib import Path

from app.tui import DevkitApp
from backend.settings import Settings
from screens.dashboard import DashboardScreen
from screens.monitor import MonitorList, MonitorScreen
from tests.helpers import span_records
from tests.tui.conftest import wait_for_inventory, wait_until

STEADY = [100.0 + (i * 7) % 11 for i in range(90)]
SHIFTED = [*STEADY, 400.0, 420.0, 410.0]


def checkout(durations: list[float]):  # type: ignore[no-untyped-def]
    """Spans of the shop's checkout, one every 6 s, the newest a few seconds ago."""
    base = time.time_ns() - len(durations) * 6 * 10**9
    return span_records("checkout", durations, service="shop", base_ns=base, kind=2)


def monitor_app(root: Path, db: Path, bell: bool = False) -> DevkitApp:
    settings = Settings(roots=[root], db_path=db, watch=False, trace_self=False, bell=bell)
    return DevkitApp(settings, start="monitor")


def option_ids(app: DevkitApp) -> list[str]:
    chooser = app.monitor.query_one(MonitorList)
    return [str(chooser.get_option_at_index(i).id) for i in range(chooser.option_count)]


async def test_an_alarm_appears_rings_and_opens_its_chart(
    demo_workspace: Path, tmp_path: Path
) -> None:
    app = monitor_app(demo_workspace, tmp_path / "db.sqlite3", bell=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        assert isinstance(app.screen, MonitorScreen)
        await wait_until(pilot, lambda: app.feed.title.startswith("devkit-tui: "))
        assert "alarm:checkout" not in option_ids(app) and app.feed.bells_rung == 0
        await app.backend.ready()
        await app.backend.spans.add(checkout(STEADY))
        await wait_until(pilot, lambda: "checkout" in app.live_charts.tracked)
        assert app.monitor.data.pulse.alarms == [] and app.feed.bells_rung == 0

        await app.backend.spans.add(checkout(SHIFTED)[len(STEADY) :])
        await wait_until(pilot, lambda: "alarm:checkout" in option_ids(app))
        assert app.monitor.status_text.startswith(" ALARM · 1 control-chart alarm")
        assert app.monitor.has_class("-alarm") or app.monitor.query_one(
            "#monitor-status"
        ).has_class("-alarm")
        assert "ALARM" in app.feed.title
        assert app.feed.bells_rung == 1  # once for the new alarm, not on every redraw
        app.feed.redraw()
        assert app.feed.bells_rung == 1

        await pilot.press("enter")  # the alarm is the first item
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.dashboard.active_pane == "charts"
        pane = app.dashboard.charts_pane
        await wait_until(pilot, lambda: pane.series is not None)
        assert pane.chosen == "checkout" and pane.series.span == "checkout"  # type: ignore[union-attr]


async def test_blocks_drop_out_as_the_pane_shrinks(demo_workspace: Path, tmp_path: Path) -> None:
    app = monitor_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        monitor = app.monitor
        await wait_until(pilot, lambda: "entropy" in monitor.shown_blocks)
        await wait_until(pilot, lambda: "audit" in monitor.shown_blocks)
        assert list(monitor.shown_blocks) == ["alarms", "rates", "entropy", "audit", "keys"]
        assert monitor.shown_blocks["entropy"] == 1 + len(app.reports)  # room for every gauge
        for width, height, kept in [
            (60, 15, ["alarms", "rates", "entropy", "audit", "keys"]),
            (60, 7, ["alarms", "rates", "entropy"]),
            (60, 4, ["alarms", "keys"]),
            (60, 1, []),
            (39, 30, []),  # too narrow for anything but the status line
        ]:
            await pilot.resize_terminal(width, height)
            await wait_until(pilot, lambda w=width: monitor.size.width == w)
            await pilot.pause()
            assert list(monitor.shown_blocks) == kept, (width, height)
            status = monitor.status_text
            assert 0 < len(status) <= width and status.startswith(" ")
            assert monitor.query_one(MonitorList).display == bool(set(kept) - {"rates", "keys"})

        await pilot.resize_terminal(100, 30)
        await pilot.press("m")  # to the dashboard and back
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MonitorScreen))


async def test_enter_on_a_gauge_or_an_entry_opens_the_dashboard_there(
    demo_workspace: Path, tmp_path: Path
) -> None:
    from screens.audit_detail import AuditDetailScreen
    from screens.remediation import RemediationScreen

    app = monitor_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        await wait_until(pilot, lambda: any(i.startswith("project:") for i in option_ids(app)))
        await wait_until(pilot, lambda: any(i.startswith("audit:") for i in option_ids(app)))
        worst = max(app.reports, key=lambda r: r.score).project
        chooser = app.monitor.query_one(MonitorList)
        while str(chooser.highlighted_option.id) != f"project:{worst}":  # type: ignore[union-attr]
            await pilot.press("down")
        await pilot.press("enter")  # the project's remediation, over the dashboard at its gauge
        await wait_until(pilot, lambda: isinstance(app.screen, RemediationScreen))
        assert app.screen.project == worst  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: app.screen.state == "ready", timeout=60)  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.dashboard.active_pane == "charts"
        assert app.dashboard.charts_pane.project_shown == worst

        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MonitorScreen))
        first_entry = next(i for i in option_ids(app) if i.startswith("audit:"))
        while str(chooser.highlighted_option.id) != first_entry:  # type: ignore[union-attr]
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AuditDetailScreen))
        assert str(app.screen.entry.seq) == first_entry.removeprefix("audit:")  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert app.dashboard.active_pane == "audit"
