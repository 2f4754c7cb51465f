"""Outdated packages in the inventory: marked from the index cache after the scan,
`o` shows only them, with the latest and allowed versions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

from backend.index.simple_api import DEFAULT_INDEX
from backend.store.database import Store
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.inventory_table import InventoryTable


async def fill_cache(db: Path) -> None:
    store = Store(db)
    await store.open()
    try:
        await store.write(
            [
                (
                    "INSERT INTO index_cache (index_url, name, releases, fetched_ns)"
                    " VALUES (?, ?, ?, ?)",
                    [
                        (
                            DEFAULT_INDEX,
                            "httpx",
                            json.dumps([["0.28.1", False], ["0.28.2", False], ["0.29.0", True]]),
                            time.time_ns(),
                        ),
                        (
                            DEFAULT_INDEX,
                            "fastapi",
                            json.dumps([["0.115.6", False], ["1.0.0", False]]),
                            time.time_ns(),
                        ),
                    ],
                )
            ]
        )
    finally:
        await store.close()


def cell(table: InventoryTable, row: int, key: str) -> str:
    return table.get_row_at(row)[table.get_column_index(key)].plain.strip()


async def test_o_shows_outdated_packages(demo_workspace: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("UV_INDEX_URL", raising=False)
    db = tmp_path / "db.sqlite3"
    await fill_cache(db)
    app = make_app(demo_workspace, db)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        inventory = app.backend.inventory
        await wait_until(pilot, lambda: "outdated" in inventory.packages["httpx"].flags)
        await pilot.press("o")
        await pilot.pause()
        assert table.query == "flag:outdated"
        names = {cell(table, i, "name") for i in range(table.row_count)}
        assert names == {"httpx", "fastapi"}
        await pilot.press("v")  # by project: latest and allowed per usage
        await pilot.pause()
        row = next(i for i in range(table.row_count) if cell(table, i, "name") == "httpx")
        assert cell(table, row, "project") == "api-service"
        assert cell(table, row, "latest") == "0.28.2"  # 0.29.0 is yanked
        assert cell(table, row, "allowed") == "0.28.2"
        await pilot.press("o")  # again: everything
        await pilot.pause()
        assert table.query == "" and table.row_count > 2


async def test_pause_and_resume_keep_the_outdated_marks(
    demo_workspace: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`o`, `p`, a project file edited meanwhile, `p`: the outdated rows are back."""
    monkeypatch.delenv("UV_INDEX_URL", raising=False)
    db = tmp_path / "db.sqlite3"
    await fill_cache(db)
    app = make_app(demo_workspace, db, watch=True)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        first = app.backend.inventory
        await wait_until(pilot, lambda: "outdated" in first.packages["httpx"].flags)
        await pilot.press("o", "p")
        await wait_until(pilot, lambda: table.row_count == 2)
        pyproject = demo_workspace / "api-service" / "pyproject.toml"
        async with asyncio.timeout(60):  # the watcher may start after the first scan
            while app.backend.inventory is first:
                pyproject.write_text(pyproject.read_text() + "\n")
                with contextlib.suppress(AssertionError):  # not yet: edit once more
                    await wait_until(pilot, lambda: app.backend.inventory is not first, timeout=2)
        # the new inventory is held, not shown (its event may still be on its way)
        await wait_until(pilot, lambda: app._held is not None)  # type: ignore[attr-defined]
        assert table.inventory is first
        await pilot.press("p")
        await wait_until(pilot, lambda: table.inventory is app.backend.inventory)
        await wait_until(pilot, lambda: table.row_count == 2)
        assert {cell(table, i, "name") for i in range(table.row_count)} == {"httpx", "fastapi"}


async def test_o_without_release_data_says_how_to_get_it(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """With an empty index cache `o` names the key that asks the index; `O` asks it
    (here an index on a closed local port: the check ends saying what it could not do)."""
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    app.settings.index_url = "http://127.0.0.1:9/simple"  # nothing listens on port 9
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)

        def said(text: str) -> bool:
            return any(text in str(n.message) for n in app._notifications)

        await pilot.press("o")
        await wait_until(pilot, lambda: said("No release data yet: press O"))
        await pilot.press("O")
        await wait_until(pilot, lambda: said("Asking the package index"))
        await wait_until(pilot, lambda: said("could not be checked"))  # no rescan cancels it


async def test_vulnerable_packages_are_flagged_after_the_scan(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """With advisories imported, the dashboard flags the demo's old idna `vulnerable`
    (`/flag:vulnerable` finds it) without an audit entry of its own."""
    from backend.audit.entries import AuditFilter
    from backend.security.advisories import import_export
    from tests.backend.security.test_matching import SHARED

    db = tmp_path / "db.sqlite3"
    store = Store(db)
    await store.open()
    await import_export(store, SHARED / "vulns")
    await store.close()
    app = make_app(demo_workspace, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await wait_until(
            pilot, lambda: "vulnerable" in app.backend.inventory.packages["idna"].flags
        )
        await pilot.press("slash", *"flag:vulnerable", "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert cell(table, 0, "name") == "idna"
        assert cell(table, 0, "flags").startswith("vulnerable(high)")  # the worst severity
        assert await app.backend.audit_entries(AuditFilter(action="vulns")) == []
        await pilot.press("slash", "escape", "slash", *"severity:critical", "enter")
        await wait_until(pilot, lambda: table.row_count == 0)  # high is not critical
        await pilot.press("slash", "escape", "slash", *"severity:medium", "enter")
        await wait_until(pilot, lambda: table.row_count == 1)  # high is medium or worse
        assert cell(table, 0, "name") == "idna"
        await pilot.press("enter")  # the detail lists the finding with its fix
        await wait_until(pilot, lambda: app.screen.query("#detail-meta"))
        detail = str(app.screen.query_one("#detail-meta").render())
        assert "Vulnerable in legacy-scripts (3.4): fix 3.7" in detail
        assert "PYSEC-2024-60 7.5" in detail and "high" in detail


async def test_a_yanked_release_shows_its_reason_and_the_licence_its_source(
    demo_workspace: Path,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """The index cache says the locked httpx was yanked, and why: the row is flagged
    `yanked` and the detail gives the index's reason."""
    monkeypatch.delenv("UV_INDEX_URL", raising=False)
    db = tmp_path / "db.sqlite3"
    store = Store(db)
    await store.open()
    releases = [["0.28.1", True, "leaks the proxy password"], ["0.28.2", False]]
    await store.write(
        [
            (
                "INSERT INTO index_cache (index_url, name, releases, fetched_ns)"
                " VALUES (?, ?, ?, ?)",
                [(DEFAULT_INDEX, "httpx", json.dumps(releases), time.time_ns())],
            )
        ]
    )
    await store.close()
    app = make_app(demo_workspace, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await wait_until(pilot, lambda: "yanked" in app.backend.inventory.packages["httpx"].flags)
        await pilot.press("slash", *"flag:yanked", "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert cell(table, 0, "name") == "httpx" and "yanked" in cell(table, 0, "flags")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.query("#detail-meta"))
        detail = str(app.screen.query_one("#detail-meta").render())
        assert "0.28.1 yanked: leaks the proxy password" in detail
