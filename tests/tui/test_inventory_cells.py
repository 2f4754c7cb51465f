"""Cells built for a row are reused when a filter brings the row back, and only
then: a row of a newer inventory, or a theme changed meanwhile, is drawn anew."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from backend.inventory.model import Inventory, PackageRow, Usage
from widgets.inventory_table import InventoryTable


def inventory(httpx_version: str, flagged: bool = False) -> Inventory:
    def row(name: str, version: str, flags: set[str]) -> PackageRow:
        usage = Usage("api", [], [version], None, True, flags=set(flags))
        return PackageRow(name, [usage], set(flags))

    flags = {"drift"} if flagged else set()
    packages = {"httpx": row("httpx", httpx_version, flags), "rich": row("rich", "13.7.1", set())}
    return Inventory([Path("/w")], [], packages)


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield InventoryTable()


def cell(table: InventoryTable, row: str, column: str) -> str:
    return table.get_cell(row, column).plain


async def test_a_row_brought_back_by_the_filter_shows_the_newest_inventory() -> None:
    """Cells stand while the row's values do, even across a new scan (the marks after
    every scan show the inventory again, each row a new object); new values are drawn."""
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(InventoryTable)
        table.show(inventory("0.27.0"))
        await pilot.pause()
        built = table.get_cell("httpx", "versions")
        table.query = "rich"  # httpx hidden
        table.query = ""
        assert table.get_cell("httpx", "versions") is built  # the same cells, reused
        table.query = "rich"
        table.show(inventory("0.27.0"))  # a new scan, the same values, new objects
        table.query = ""
        assert table.get_cell("httpx", "versions") is built
        table.query = "rich"
        table.show(inventory("0.28.1"))  # a new inventory while httpx is hidden
        table.query = ""
        await pilot.pause()
        assert cell(table, "httpx", "versions") == "0.28.1"


async def test_a_theme_changed_while_a_row_was_hidden_colours_it_anew() -> None:
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(InventoryTable)
        table.show(inventory("0.27.0", flagged=True))
        await pilot.pause()
        before = str(table.get_cell("httpx", "flags").style)
        table.query = "rich"
        app.theme = "dracula" if app.theme != "dracula" else "nord"
        await pilot.pause()
        table.query = ""
        await pilot.pause()
        after = str(table.get_cell("httpx", "flags").style)
        assert after and after != before, (before, after, app.theme)
