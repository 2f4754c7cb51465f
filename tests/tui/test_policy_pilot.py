"""The bundle at a root, checked after the scan: packages that break a rule carry the
`policy` flag (`/flag:policy` finds them), their detail lists each violation, and a bad
bundle is said in a notice, naming file and line, while the dashboard stays up."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from screens.update_plan import PolicyPlanScreen
from tests.cli.test_update_cli import locked, snapshot
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project
from tests.tui.conftest import make_app, wait_for_inventory, wait_for_watcher, wait_until
from tests.tui.test_outdated_pilot import cell
from widgets.inventory_table import InventoryTable


async def test_policy_flag_filter_and_detail(demo_workspace: Path, tmp_path: Path) -> None:
    (demo_workspace / "devkit-bundle.toml").write_text(
        '[[deny]]\nname = "requests"\nversions = "<2.32"\nreason = "CVE-2024-35195"\n'
    )
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await wait_until(
            pilot, lambda: "policy" in app.backend.inventory.packages["requests"].flags
        )
        assert "policy" not in app.backend.inventory.packages["idna"].flags
        await wait_until(pilot, lambda: "2 policy violations" in app.dashboard.sub_title)
        await pilot.press("slash", *"flag:policy", "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert cell(table, 0, "name") == "requests" and "policy" in cell(table, 0, "flags")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.query("#detail-meta"))
        detail = str(app.screen.query_one("#detail-meta").render())
        assert "Policy error deny:requests in legacy-scripts: requests 2.31.0" in detail
        assert "CVE-2024-35195" in detail


async def test_a_bad_bundle_is_a_notice(demo_workspace: Path, tmp_path: Path) -> None:
    bundle = demo_workspace / "devkit-bundle.toml"
    bundle.write_text('[[deny]]\nname = "requests"\nversions = "2.x"\n')
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await wait_until(
            pilot, lambda: any("Policy bundle" in (n.title or "") for n in app._notifications)
        )
        (notice,) = [n for n in app._notifications if "Policy bundle" in (n.title or "")]
        assert f"{bundle}:3: deny.0.versions" in notice.message
        assert app.backend.inventory is not None and app.is_running


async def test_p_plans_the_bundle_drops_a_project_and_applies(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """Two locks break `beta>=2`: `P` shows one row per lock with its constraints and
    lock diff; `space` leaves `keep` out, `a` brings `move` in line; `keep` untouched."""
    root = tmp_path / "ws"
    move = uv_project(root / "move", local_index, ["beta==1.0.0"], ["beta>=1"])
    keep = uv_project(root / "keep", local_index, ["beta==1.0.0"], ["beta>=1"])
    (root / "devkit-bundle.toml").write_text('[[deny]]\nname = "beta"\nversions = "<2"\n')
    kept = snapshot(keep)
    app = make_app(root, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyPlanScreen))
        plan = app.screen
        assert isinstance(plan, PolicyPlanScreen)
        await wait_until(pilot, lambda: plan.state == "ready", timeout=60)
        table = plan.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i))[1:3] for i in range(table.row_count)]
        assert rows == [("keep", "beta>=2"), ("move", "beta>=2")]
        diff = str(plan.query_one("#plan-diff", Static).render())
        assert "~ beta 1.0.0 -> 2.0.0" in diff and '+    "beta>=2",' in diff
        await pilot.press("space")  # the cursor is on `keep`
        await wait_until(pilot, lambda: plan.state == "ready" and len(plan.units) == 1)
        await pilot.press("a")
        await wait_until(pilot, lambda: plan.state == "done", timeout=120)
        assert [(u.project, u.result) for u in plan.units] == [("move", "success")]
        await pilot.press("escape")
    assert locked(move, "beta") == "2.0.0"
    assert snapshot(keep) == kept


async def test_an_edited_bundle_is_checked_again_live(demo_workspace: Path, tmp_path: Path) -> None:
    """Only the bundle changes (no project does): the marks follow it."""
    bundle = demo_workspace / "devkit-bundle.toml"
    bundle.write_text('[[deny]]\nname = "requests"\nversions = "<2.32"\n')
    app = make_app(demo_workspace, tmp_path / "db.sqlite3", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await wait_until(
            pilot, lambda: "policy" in app.backend.inventory.packages["requests"].flags
        )
        await wait_for_watcher(pilot, demo_workspace / "api-service" / "pyproject.toml")
        read = app.backend.inventory
        bundle.write_text('[[deny]]\nname = "idna"\n')
        await wait_until(pilot, lambda: "policy" in read.packages["idna"].flags)
        assert "policy" not in read.packages["requests"].flags
        assert app.backend.inventory is read  # no project was read again
