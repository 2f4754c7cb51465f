"""The inventory pane: filter bar, table, and a status line with counts and progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, ProgressBar, Static

from backend.inventory.model import Inventory
from widgets.filter_input import FilterInput
from widgets.inventory_rows import View
from widgets.inventory_table import InventoryTable


class InventoryPane(Vertical):
    """Everything the inventory shows, fed by `show()`."""

    DEFAULT_CSS = """
    InventoryPane { height: 1fr; }
    InventoryPane InventoryTable { height: 1fr; }
    InventoryPane #inventory-status { height: 1; padding: 0 1; color: $text-muted; }
    InventoryPane ProgressBar { display: none; height: 1; padding: 0 1; }
    InventoryPane ProgressBar.-scanning { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder="filter: name, project, or flag:conflict …", id="inventory-filter"
        )
        yield InventoryTable(id="inventory-table")
        yield ProgressBar(id="inventory-progress", show_eta=False)
        yield Static("Scanning…", id="inventory-status")

    @property
    def table(self) -> InventoryTable:
        return self.query_one(InventoryTable)

    def show(self, inventory: Inventory) -> None:
        """Display a new inventory (data down)."""
        bar = self.query_one(ProgressBar)
        bar.remove_class("-scanning")
        if bar.total is None:  # an indeterminate bar animates 15 times a second, hidden too
            bar.update(total=1, progress=1)
        self.table.show(inventory)

    def show_progress(self, done: int, total: int) -> None:
        """A full scan is reading project `done` of `total`."""
        bar = self.query_one(ProgressBar)
        # Progress from the scan process may arrive after the inventory it led to;
        # the last report of a scan (done == total) always hides the bar.
        bar.set_class(done < total, "-scanning")
        bar.update(total=total, progress=done)

    def reveal(self, package: str) -> None:
        """Put the cursor on the package's row, clearing a filter that hides it."""
        table = self.table
        if not table.move_to_package(package) and table.query:
            self.query_one(FilterInput).show_text("")
            table.query = ""
            table.move_to_package(package)

    def filter_to(self, text: str) -> None:
        """Show exactly the rows `text` selects (`o`: `flag:outdated`), or all again."""
        bar = self.query_one(FilterInput)
        bar.show_text("" if bar.value.strip() == text else text)
        self.table.query = bar.value
        self.table.focus()

    def open_filter(self) -> None:
        """Show the filter bar and move the cursor into it."""
        self.query_one(FilterInput).open()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.table.query = event.value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """`enter` in the filter keeps it and returns to the table."""
        self.table.focus()

    def on_filter_input_dismissed(self) -> None:
        self.table.query = ""
        self.table.focus()

    def on_inventory_table_changed(self, event: InventoryTable.Changed) -> None:
        self._update_status()

    def _update_status(self) -> None:
        table = self.table
        inventory = table.inventory
        if inventory is None:
            return
        errors = inventory.error_count
        noun = "packages" if table.view is View.PACKAGES else "usages"
        parts = [
            f"{table.shown_rows:,}/{table.total_rows:,} {noun}",
            f"{len(inventory.projects)} projects",
            table.view.value,
            f"{table.order.column}{' ▼' if table.order.reverse else ' ▲'}",
        ]
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if table.query:
            parts.append(f"/{table.query}")
        status = Text(" · ".join(parts))
        if errors:
            status.append(f" · {errors} error{'' if errors == 1 else 's'} (e)", style="bold")
        self.query_one("#inventory-status", Static).update(status)
