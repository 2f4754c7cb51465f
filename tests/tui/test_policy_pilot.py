"""The bundle at a root, checked after the scan: packages that break a rule carry the
`policy` flag (`/flag:policy` finds them), their detail lists each violation, and a bad
bundle is said in a notice, naming file and line, while the dashboard stays up."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import make_app, wait_for_inventory, wait_until
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
