"""The audit pane driven by keys: entries arrive live, `/` filters, `enter` opens the
detail, `t` opens the operation's trace."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.audit.entries import PackageChange
from screens.audit_detail import AuditDetailScreen
from screens.trace_view import TraceScreen
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.audit_log import AuditLogPane, AuditTable


def column(table: AuditTable, key: str) -> list[str]:
    return [table.get_cell(row, key).plain for row in table.rows]


async def test_audit_pane_live_filter_detail_and_trace(
    demo_workspace: Path, tmp_path: Path
) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(110, 30)) as pilot:  # one pane at a time: no Weaver check
        await wait_for_inventory(pilot)
        await pilot.press("5")
        pane = app.screen.query_one(AuditLogPane)
        table = app.screen.query_one(AuditTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        assert column(table, "action") == ["scan", "config-change"]  # newest first

        # An entry written by another part of the program shows up without a keypress.
        await app.backend.operations.audit.record(
            "update",
            project="api-service",
            packages=[PackageChange("httpx", "0.27.2", "0.28.1")],
            details={"command": "uv lock --upgrade-package httpx", "note": "[red]x[/red]"},
            result="failure",
            duration_ms=1234.5,
        )
        await wait_until(pilot, lambda: table.row_count == 3)
        assert column(table, "action")[0] == "update"
        assert table.cursor_row == 0  # on the top row, the cursor follows the newest entry
        assert column(table, "what")[0] == "httpx 0.27.2→0.28.1"
        assert "1 failed" in str(app.screen.query_one("#audit-header").render())

        await pilot.press("slash", *"result:failure", "enter")
        await pilot.pause()
        assert column(table, "action") == ["update"]
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert table.row_count == 3 and pane.query_text == ""

        await pilot.press("slash", *"package:httpx", "enter")
        await pilot.pause()
        assert column(table, "seq") == ["3"]

        await pilot.press("enter")  # the detail of that entry
        await pilot.pause()
        assert isinstance(app.screen, AuditDetailScreen)
        detail = str(app.screen.query_one("#audit-detail").render())
        assert "httpx  0.27.2 → 0.28.1" in detail
        assert "[red]x[/red]" in detail  # details are text, not markup
        await pilot.press("t")  # no trace id on this entry: a notice, no crash
        await pilot.pause()
        assert isinstance(app.screen, AuditDetailScreen)
        await pilot.press("escape")

        # The scan's entry carries the trace id of the scan span: `t` opens it.
        await pilot.press("escape", "slash", *"action:scan", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditDetailScreen)
        assert app.screen.entry.trace_id
        trace_id = bytes.fromhex(app.screen.entry.trace_id)
        await app.backend.flush_spans()
        async with asyncio.timeout(60):  # our spans reach the store in batches
            while not await app.backend.spans.trace(trace_id):
                await pilot.pause()
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TraceScreen))
        assert app.screen.rows[0].span["name"] == "devkit.scan"


async def test_a_moved_cursor_stays_on_its_entry(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("5")
        table = app.screen.query_one(AuditTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        await pilot.press("j")  # onto the older entry
        chosen = column(table, "seq")[table.cursor_row]
        await app.backend.operations.audit.record("verify")
        await wait_until(pilot, lambda: table.row_count == 3)
        assert column(table, "seq")[table.cursor_row] == chosen and table.cursor_row == 2
