"""The pane follows the files: edit a lock or install a package, the table changes."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import add_dist, site_packages
from tests.tui.conftest import make_app, wait_for_inventory, wait_for_watcher, wait_until
from widgets.inventory_table import InventoryTable


def cell(table: InventoryTable, row: str, column: str) -> str:
    return table.get_cell(row, column).plain


async def test_editing_a_lock_updates_the_row(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        assert cell(table, "numpy", "flags") == "conflict"
        await wait_for_watcher(pilot, demo_workspace / "api-service" / "pyproject.toml")
        lock = demo_workspace / "data-pipeline" / "uv.lock"
        lock.write_text(lock.read_text().replace('version = "2.2.1"', 'version = "2.3.1"'))
        await wait_until(pilot, lambda: cell(table, "numpy", "versions") == "2.3.1")
        assert cell(table, "numpy", "flags") == "-"
        assert app.last_latency_ms is not None


async def test_installing_into_the_environment_updates_flags(
    demo_workspace: Path, tmp_path: Path
) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        assert cell(table, "httpx", "flags") == "env-drift"
        await wait_for_watcher(pilot, demo_workspace / "api-service" / "pyproject.toml")
        site = site_packages(demo_workspace / "api-service" / ".venv")
        for path in sorted(site.glob("httpx-0.27.2.dist-info/*")):
            path.unlink()
        (site / "httpx-0.27.2.dist-info").rmdir()
        add_dist(site, "httpx", "0.28.1")
        await wait_until(pilot, lambda: cell(table, "httpx", "flags") == "-")
        assert cell(table, "httpx", "installed") == "0.28.1"


async def test_a_new_project_appears(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await wait_for_watcher(pilot, demo_workspace / "api-service" / "pyproject.toml")
        new = demo_workspace / "newcomer"
        new.mkdir()
        (new / "requirements.txt").write_text("tomli==2.2.1\n")
        await wait_until(pilot, lambda: "tomli" in [c.plain for c in table.get_column("name")])
        # the new folder is watched from now on: a later edit in it is seen too
        (new / "requirements.txt").write_text("tomli==2.2.1\nsix==1.16.0\n")
        await wait_until(pilot, lambda: "six" in [c.plain for c in table.get_column("name")])
