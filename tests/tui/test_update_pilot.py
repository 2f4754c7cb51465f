"""The whole keyboard flow of a bulk update: filter outdated, mark, plan, apply, and
the audit entries; and the plan's look at 80x24 and 160x48."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backend.index.outdated import look_up
from backend.store.database import Store
from screens.update_plan import UpdatePlanScreen
from tests.cli.test_update_cli import snapshot
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project
from tests.tui.conftest import wait_for_inventory, wait_until
from tests.tui.test_snapshots import make_app, wait_for_audit, wait_for_weaver
from widgets.audit_log import AuditTable
from widgets.inventory_table import InventoryTable

FAILING_CHECK = f"{sys.executable} -c 'raise SystemExit(4)'"


async def workspace(root: Path, index: LocalIndex, db: Path) -> Path:
    """app-one updates cleanly; app-two's check command fails; the index cache is warm."""
    shutil.rmtree(root, ignore_errors=True)
    uv_project(root / "app-one", index, ["alpha==1.0.0", "beta==1.0.0", "gamma==1.0.0"],
               ["alpha>=1,<2", "gamma>=1"])  # fmt: skip
    uv_project(root / "app-two", index, ["alpha==1.0.0", "beta==1.0.0"], ["alpha>=1,<2"],
               check=FAILING_CHECK)  # fmt: skip
    store = Store(db)
    await store.open()
    try:
        found = await look_up(store, index.simple, ["alpha", "beta", "gamma"])
    finally:
        await store.close()
    assert not found.errors
    return root


def cell(table: InventoryTable, row: int, key: str) -> str:
    return table.get_row_at(row)[table.get_column_index(key)].plain.strip()


async def mark_and_plan(pilot: Pilot[None], names: tuple[str, ...]) -> UpdatePlanScreen:
    app = pilot.app
    await wait_for_inventory(pilot)
    inventory = app.backend.inventory  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: "outdated" in inventory.packages["alpha"].flags)
    await pilot.press("o")
    await pilot.pause()
    table = app.screen.query_one(InventoryTable)
    for name in names:
        row = next(i for i in range(table.row_count) if cell(table, i, "name") == name)
        table.move_cursor(row=row)
        await pilot.press("space")
    await pilot.press("u")
    await wait_until(pilot, lambda: isinstance(app.screen, UpdatePlanScreen))
    plan = app.screen
    assert isinstance(plan, UpdatePlanScreen)
    await wait_until(pilot, lambda: plan.state == "ready", timeout=60)
    await pilot.pause()
    return plan


async def test_mark_plan_apply_and_audit(tmp_path: Path, local_index: LocalIndex) -> None:
    db = tmp_path / "db.sqlite3"
    root = await workspace(tmp_path / "ws", local_index, db)
    app_two_files = snapshot(root / "app-two")
    app = make_app(root, db)
    async with app.run_test(size=(120, 36)) as pilot:
        plan = await mark_and_plan(pilot, ("alpha", "gamma"))
        rows = {(u.project, c.name, c.target, c.method) for u in plan.units for c in u.changes}
        assert rows == {
            ("app-one", "alpha", "1.1.0", "upgrade-package"),
            ("app-one", "gamma", "1.0.5", "upgrade-package"),
            ("app-two", "alpha", "1.1.0", "upgrade-package"),
        }
        one = next(u for u in plan.units if u.project == "app-one")
        assert one.lock_diff.lines() == ["~ alpha 1.0.0 -> 1.1.0", "~ gamma 1.0.0 -> 1.0.5"]

        await pilot.press("t")  # the newest release: alpha 2 brings beta 2 along
        await wait_until(pilot, lambda: plan.state == "ready" and plan.latest, timeout=60)
        one = next(u for u in plan.units if u.project == "app-one")
        assert "~ beta 1.0.0 -> 2.0.0" in one.lock_diff.lines()
        await pilot.press("t")
        await wait_until(pilot, lambda: plan.state == "ready" and not plan.latest, timeout=60)

        await pilot.press("a")
        await wait_until(pilot, lambda: plan.state == "done", timeout=120)
        results = {u.project: u.result for u in plan.units}
        assert results == {"app-one": "success", "app-two": "rolled-back"}
        status = str(plan.query_one("#plan-status").render())
        assert "1 rolled-back" in status and "1 success" in status
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, UpdatePlanScreen))
        entries = await app.backend.audit_entries()
        actions = {(e.action, e.project, e.result) for e in entries}
        assert ("update", "app-one", "success") in actions
        assert ("rollback", "app-two", "success") in actions
        assert not app.screen.query_one(InventoryTable).marked  # marks cleared
        await pilot.press("5")  # the audit pane shows both, as a person would read them
        audit = app.screen.query_one(AuditTable)

        def shown() -> set[tuple[str, str, str]]:
            return {
                tuple(audit.get_cell(row, key).plain for key in ("action", "project", "what"))
                for row in audit.rows
            }  # type: ignore[misc]

        def has(action: str, project: str, what: str) -> bool:
            return any(a == action and p == project and w.startswith(what) for a, p, w in shown())

        await wait_until(
            pilot, lambda: has("rollback", "app-two", "alpha 1.0.0→1.1.0 · rolled-back: `")
        )
        assert has("update", "app-one", "alpha 1.0.0→1.1.0, gamma 1.0.0→1.0.5")
    assert snapshot(root / "app-two") == app_two_files


async def test_dropping_a_change_replans_without_it(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    db = tmp_path / "db.sqlite3"
    root = await workspace(tmp_path / "ws", local_index, db)
    app = make_app(root, db)
    async with app.run_test(size=(120, 36)) as pilot:
        plan = await mark_and_plan(pilot, ("alpha",))
        assert {u.project for u in plan.units} == {"app-one", "app-two"}
        await pilot.press("space")  # the first row: app-one's alpha
        await wait_until(pilot, lambda: plan.state == "ready" and bool(plan.dropped), timeout=60)
        assert {u.project for u in plan.units} == {"app-two"}
        assert plan.dropped == {("alpha", "app-one")}
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, UpdatePlanScreen))
    assert (root / "app-one" / "uv.lock").read_text().count('version = "1.0.0"') >= 2


FIXED = Path("/tmp/devkit-tui-snapshot-update")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_plan_snapshot(snap_compare, tmp_path: Path, local_index: LocalIndex, size) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "db.sqlite3"
    root = asyncio.run(workspace(FIXED / "ws", local_index, db))

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_inventory(pilot)
        await wait_for_weaver(pilot, registries=1)
        await wait_for_audit(pilot)
        await mark_and_plan(pilot, ("alpha", "gamma"))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(root, db), terminal_size=size, run_before=run_before)


async def test_fifty_marks_in_a_few_keys(tmp_path: Path) -> None:
    """By project, `A` marks every shown usage; `space` marks one and moves on."""
    from tests.helpers import make_venv

    make_venv(tmp_path / "ws" / "big" / ".venv", {f"pkg{n:02d}": "1.0" for n in range(60)})
    (tmp_path / "ws" / "big" / "requirements.txt").write_text(
        "".join(f"pkg{n:02d}==1.0\n" for n in range(60))
    )
    app = make_app(tmp_path / "ws", tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await pilot.press("v", "slash", *"pkg0", "enter")  # ten usages match
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert len(table.marked_pairs()) == 10
        await pilot.press("slash", "escape")
        await pilot.pause()
        table.focus()
        table.move_cursor(row=10)
        await pilot.press(*["space"] * 40)
        await pilot.pause()
        pairs = table.marked_pairs()
        assert len(pairs) == 50 and len(set(pairs)) == 50
        assert all(project == "big" for _, project in pairs)


async def test_a_vulnerable_package_is_planned_to_its_fix(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """alpha>=1 allows 2.0.0, but the advisory's fix is 1.1.0: marking the vulnerable
    row and `u` plans 1.1.0, the smallest release that clears it."""
    import json

    from backend.security.advisories import import_export

    db = tmp_path / "db.sqlite3"
    root = tmp_path / "ws"
    uv_project(root / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"], ["alpha>=1"])
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    events = [{"introduced": "0"}, {"fixed": "1.1.0"}]
    affected = {"package": {"ecosystem": "PyPI", "name": "alpha"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}]}  # fmt: skip
    record = {"id": "TEST-1", "modified": "2024-01-01T00:00:00Z", "affected": [affected]}
    (advisories / "TEST-1.json").write_text(json.dumps(record))
    store = Store(db)
    await store.open()
    try:
        await import_export(store, advisories)
        await look_up(store, local_index.simple, ["alpha", "beta"])
    finally:
        await store.close()
    app = make_app(root, db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_inventory(pilot)
        inventory = app.backend.inventory
        await wait_until(pilot, lambda: "vulnerable" in inventory.packages["alpha"].flags)
        await pilot.press("slash", *"flag:vulnerable", "enter")
        table = app.screen.query_one(InventoryTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("space", "u")
        await wait_until(pilot, lambda: isinstance(app.screen, UpdatePlanScreen))
        plan = app.screen
        await wait_until(pilot, lambda: plan.state == "ready", timeout=60)  # type: ignore[attr-defined]
        changes = [(c.name, c.current, c.target) for u in plan.units for c in u.changes]  # type: ignore[attr-defined]
        assert changes == [("alpha", "1.0.0", "1.1.0")]
