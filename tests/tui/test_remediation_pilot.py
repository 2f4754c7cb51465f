"""The remediation flow from a gauge: `4` the charts pane, `]` the gauge, `R` the
project's remediation screen (indicators, strategies, expected scores), `d` the plan
resolved by uv, `a` applied and scored again."""

from __future__ import annotations

from pathlib import Path

from screens.remediation import RemediationScreen
from tests.cli.test_remediate_cli import stale
from tests.cli.test_update_cli import locked
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
        shown = str(screen.query_one("#remediation-strategies").render())
        assert "lock-drift: gamma" in shown and "1 ✓ app:lock-drift:1" in shown
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
