"""The remediation flow from a gauge: `4` the charts pane, `]` the gauge, `R` the
project's remediation screen (indicators, strategies, expected scores), `d` the plan
resolved by uv, `a` applied and scored again; `enter` on evidence opens its trace,
`u` undoes a remediation that made things worse."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from screens.remediation import RemediationScreen
from screens.trace_view import TraceScreen
from tests.cli.test_remediate_cli import stale
from tests.cli.test_remediate_strategies_cli import worse_workspace
from tests.cli.test_update_cli import locked, snapshot
from tests.helpers import span_records
from tests.support.local_index import LocalIndex
from tests.tui.conftest import make_app, wait_for_inventory, wait_until


async def test_from_the_gauge_to_a_repaired_project(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app_folder = stale(tmp_path / "ws" / "app", local_index)
    app = make_app(tmp_path / "ws", tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("4")
        pane = app.dashboard.charts_pane
        await wait_until(pilot, lambda: bool(pane.entropy_shown))
        await pilot.press("right_square_bracket")
        assert pane.project_shown == "app"
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RemediationScreen))
        screen = app.screen
        assert isinstance(screen, RemediationScreen)
        await wait_until(pilot, lambda: screen.state == "ready" and screen.run is not None)
        shown = str(screen.query_one("#remediation-summary").render())
        assert "lock-drift: gamma" in shown
        table = screen.query_one("#remediation-strategies", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][:4] == ["1", "✓", "0.00 LOW", "app:lock-drift:1"]  # smallest, chosen
        assert [r[1] for r in rows[1:]] == [" ", " "] and app.focused is table
        assert screen.units == []  # nothing resolved before `d`
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.state == "ready" and bool(screen.units), timeout=60)
        assert [u.result for u in screen.units] == ["planned"]
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.state == "done", timeout=120)
        assert screen.run is not None and screen.run.after is not None
        assert screen.run.after.score == screen.run.strategies[0].expected_score
        status = str(screen.query_one("#plan-status").render())
        assert "criteria met" in status and "→ 0.00" in status
        await pilot.press("escape")
    assert locked(app_folder, "gamma") == "1.0.5"


async def test_an_inspect_strategy_opens_the_trace_of_a_point_that_broke_the_rule(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """`app` got slower from its 100th request: performance drift, no automatic fix;
    its strategies name the slow spans, and `enter` on one opens that span's trace."""
    stale(tmp_path / "ws" / "app", local_index)
    steady = [20.0 + (i % 5) for i in range(100)]
    slower = steady + [60.0 + (i % 5) for i in range(50)]
    app = make_app(tmp_path / "ws", tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.ready()
        await app.backend.spans.add(span_records("handle request", slower, service="app"))
        app._open_remediation("app")
        await wait_until(pilot, lambda: isinstance(app.screen, RemediationScreen))
        screen = app.screen
        assert isinstance(screen, RemediationScreen)
        await wait_until(pilot, lambda: screen.state == "ready" and screen.run is not None)
        assert screen.run is not None
        inspect = [s for s in screen.run.strategies if s.indicator == "performance-drift"]
        assert inspect and all(s.action == "inspect" and s.trace for s in inspect)
        number = screen.run.strategies.index(inspect[0])
        for _ in range(number):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TraceScreen))
        trace = app.screen
        assert isinstance(trace, TraceScreen) and trace.selected == inspect[0].trace[1]
        (row,) = trace.rows
        assert row.span["span_id"] == inspect[0].trace[1] and row.span["duration_ms"] >= 60
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.chosen == ["app:lock-drift:1"]  # opening a trace chose nothing


async def test_a_worse_remediation_is_undone_with_u(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    db = tmp_path / "db.sqlite3"
    folders = worse_workspace(tmp_path / "ws", local_index, db)
    files = snapshot(folders["one"])
    app = make_app(tmp_path / "ws", db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        app._open_remediation("one")
        await wait_until(pilot, lambda: isinstance(app.screen, RemediationScreen))
        screen = app.screen
        assert isinstance(screen, RemediationScreen)
        await wait_until(pilot, lambda: screen.state == "ready" and screen.run is not None)
        assert screen.chosen == ["one:version-drift:1"]
        await pilot.press("space")  # drop the first (under the cursor)…
        await wait_until(pilot, lambda: screen.state == "ready")
        await pilot.press("down", "space")  # …and choose the newest release instead
        await wait_until(pilot, lambda: screen.state == "ready")
        assert screen.chosen == ["one:version-drift:2"]
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.state == "ready" and bool(screen.units), timeout=60)
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.state == "done", timeout=120)
        assert screen.run is not None and screen.run.worse
        status = str(screen.query_one("#plan-status").render())
        assert "worse: u undoes it" in status
        await pilot.press("u")
        await wait_until(pilot, lambda: screen.undone, timeout=120)
        assert "Undone: restored one, two" in str(screen.query_one("#plan-status").render())
        assert screen.run.after is not None
        assert screen.run.after.score == screen.run.before.score  # measured again
    assert snapshot(folders["one"]) == files
