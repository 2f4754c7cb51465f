"""The Weaver pane driven by keys: grouped findings, filter, a registry finding's
YAML, a live-check finding's trace."""

from __future__ import annotations

from pathlib import Path

from app.tui import DevkitApp
from backend.audit.entries import AuditFilter
from backend.settings import Settings
from screens.trace_view import TraceScreen
from screens.weaver_detail import WeaverDetailScreen
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.weaver_pane import FindingGroups, WeaverPane


def column(table: FindingGroups, key: str) -> list[str]:
    return [table.get_cell(row, key).plain for row in table.rows]


async def test_weaver_pane(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")  # devkit traces itself here
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.flush_spans()
        await wait_until(pilot, lambda: app.backend.spans.counter.stored > 0)  # our first spans
        await pilot.press("6")
        pane = app.screen.query_one(WeaverPane)
        table = app.screen.query_one(FindingGroups)
        await wait_until(pilot, lambda: bool(pane.summary) and table.row_count > 0)
        assert pane.summary["registries"] == 2  # devkit's own and api-service's
        assert pane.summary["samples"] > 0  # our own spans, live-checked
        levels = column(table, "level")
        assert levels[0] == "violation" and column(table, "id")[0] == "UnresolvedAttributeRef"
        assert levels == sorted(levels, key=["violation", "improvement", "information"].index)

        await pilot.press("enter")  # the registry finding: the YAML around its line
        await wait_until(pilot, lambda: isinstance(app.screen, WeaverDetailScreen))
        excerpt = app.screen.query_one("#weaver-excerpt")
        await wait_until(pilot, lambda: "api.tenant" in str(excerpt.render()))
        assert "27" in str(excerpt.render())
        await pilot.press("escape")

        await pilot.press("slash", *"not_stable", "enter")
        await pilot.pause()
        assert column(table, "id") == ["not_stable"]
        await pilot.press("enter", "t")  # a live-check finding opens its span's trace
        await wait_until(pilot, lambda: isinstance(app.screen, TraceScreen))


async def test_a_check_never_asks_for_another(demo_workspace: Path, tmp_path: Path) -> None:
    """The audit entry and the findings a check stores move the store, but not the
    next look: with nothing new to check, the pane does not check again."""
    app = DevkitApp(
        Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False,
                 trace_self=False)
    )  # fmt: skip
    async with app.run_test(size=(200, 50)) as pilot:  # every pane on screen
        await wait_for_inventory(pilot)
        pane = app.screen.query_one(WeaverPane)
        await wait_until(pilot, lambda: bool(pane.summary))
        await app.refresh_weaver().wait()  # one more look: the check settles
        checks = await app.backend.audit_entries(AuditFilter(action="check"))
        for _ in range(3):
            await app.refresh_weaver().wait()
        assert await app.backend.audit_entries(AuditFilter(action="check")) == checks
