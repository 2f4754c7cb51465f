"""The inventory as a keyed DataTable: live cell-level updates, sorting, marks.

Rows are keyed (package name, or project and package), so a live update touches
only the cells that changed instead of clearing and re-adding every row.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from backend.collector import collector_paused
from backend.inventory.model import Inventory
from widgets.inventory_rows import COLUMNS, TableRow, View, cell_sort_value, row_filter, rows_for
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain
from widgets.theme import theme_color

MARK = "●"
FLAG_STYLES = {  # the most severe flag present colours the cell: (theme colour, emphasis)
    "conflict": ("error", "bold"),
    "missing": ("warning", ""),
    "env-drift": ("warning", ""),
    "drift": ("accent", ""),
    "extraneous": ("foreground", "italic"),
}


@dataclass(frozen=True, slots=True)
class SortOrder:
    column: str
    reverse: bool = False


class InventoryTable(NavigableTable[Text]):
    """Packages across all projects; `space` marks rows for bulk actions."""

    SHRINKS = {"name": 14, "project": 12, "versions": 11, "flags": 10}
    IN_VIEW = "flags"

    BINDINGS = [
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            id="inventory.mark",
            tooltip="Mark or unmark the row for a bulk action",
        ),
        Binding(
            "A",
            "mark_all",
            "Mark all",
            id="inventory.mark_all",
            show=False,
            tooltip="Mark every row shown (the filter decides which); again: unmark them",
        ),
        Binding("s", "cycle_sort", "Sort", id="inventory.sort", tooltip="Sort by the next column"),
        Binding(
            "S",
            "reverse_sort",
            "Reverse",
            id="inventory.reverse",
            show=False,
            tooltip="Reverse the sort order",
        ),
        Binding(
            "v",
            "toggle_view",
            "View",
            id="inventory.view",
            tooltip="Switch between one row per package and one per project usage",
        ),
        Binding(
            "y",
            "copy",
            "Copy",
            id="inventory.copy",
            show=False,
            tooltip="Copy the package name (OSC 52; in tmux: set -g set-clipboard on)",
        ),
    ]

    view: reactive[View] = reactive(View.PACKAGES, init=False)
    """One row per package, or one per (project, package) usage."""
    query: reactive[str] = reactive("", init=False)
    """The active filter; empty shows every row."""
    order: reactive[SortOrder] = reactive(SortOrder("name"), init=False)
    """The column rows are sorted by."""

    class Changed(Message):
        """What is shown changed: counts for the status line."""

        def __init__(self, table: InventoryTable) -> None:
            super().__init__()
            self.table = table

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.inventory: Inventory | None = None
        self.marked: set[str] = set()
        self._shown: dict[str, TableRow] = {}
        self.total_rows = 0
        self._rows: list[TableRow] = []
        self._colors: dict[str, str] = {}
        self._rows_of: View | None = None
        """The view `_rows` were worked out for (None: not since the last `show`)."""
        self._built: dict[str, tuple[TableRow, str, tuple[Text, ...]]] = {}
        """Each row's cells as last built, with the row and theme they were built for: a
        backspace that brings 5,000 rows back reuses them rather than escaping and
        styling 40,000 strings again."""

    def on_mount(self) -> None:
        self._rebuild()

    # -- data in -------------------------------------------------------------------------

    def show(self, inventory: Inventory) -> None:
        """Display a new inventory, touching only rows and cells that changed."""
        self.inventory = inventory
        self._rows_of = None  # flags are marked on the inventory in place: work them out again
        self._sync(full=False)

    def watch_view(self) -> None:
        self.set_reactive(InventoryTable.order, SortOrder(COLUMNS[self.view][0].key))
        self._rebuild()

    def watch_query(self) -> None:
        self._sync(full=False)

    def watch_order(self) -> None:
        self._apply_sort()
        self._relabel()
        self.post_message(self.Changed(self))

    # -- actions -------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark the row: a package across all its projects (by package), or one
        project's usage (by project). Unmarking a usage of a package marked whole
        leaves the package's other usages marked."""
        key = self.cursor_key
        if key is None:
            return
        row = self._shown[key]
        if self.is_marked(row):
            self.marked.discard(row.key)
            if row.package in self.marked and self.inventory is not None:
                self.marked.discard(row.package)
                others = self.inventory.packages.get(row.package)
                for project in others.projects if others else ():
                    if f"{project}\x00{row.package}" != row.key:
                        self.marked.add(f"{project}\x00{row.package}")
            if self.view is View.PACKAGES:  # unmark the usages marked one by one too
                self.marked = {m for m in self.marked if m.split("\x00")[-1] != row.package}
        else:
            self.marked.add(row.key)
        for row_key, shown in self._shown.items():
            if shown.package == row.package:
                self.update_cell(row_key, "mark", self._mark_cell(shown))
        self.action_cursor_down()  # marking a run of rows is one key per row
        self.post_message(self.Changed(self))

    def action_mark_all(self) -> None:
        """Mark every shown row, or unmark them all when they all are marked."""
        rows = list(self._shown.values())
        if rows and all(self.is_marked(r) for r in rows):
            shown_packages = {r.package for r in rows}
            self.marked = {
                m for m in self.marked
                if m not in self._shown and m.split("\x00")[-1] not in shown_packages
            }  # fmt: skip
        else:
            self.marked |= {r.key for r in rows}
        for row_key, shown in self._shown.items():
            self.update_cell(row_key, "mark", self._mark_cell(shown))
        self.post_message(self.Changed(self))

    def is_marked(self, row: TableRow) -> bool:
        return (
            row.key in self.marked
            or row.package in self.marked
            or (
                self.view is View.PACKAGES
                and any(m.endswith(f"\x00{row.package}") for m in self.marked)
            )
        )

    def marked_pairs(self) -> list[tuple[str, str]]:
        """(package, project) of every marked usage; the cursor's row when none is."""
        if self.inventory is None:
            return []
        keys = set(self.marked)
        if not keys and self.cursor_key is not None:
            keys = {self.cursor_key}
        pairs = []
        for key in sorted(keys):
            project, sep, package = key.rpartition("\x00")
            row = self.inventory.packages.get(package)
            if row is None:
                continue
            pairs += [(package, project)] if sep else [(package, p) for p in row.projects]
        return pairs

    def clear_marks(self) -> None:
        self.marked.clear()
        for row_key, shown in self._shown.items():
            self.update_cell(row_key, "mark", self._mark_cell(shown))
        self.post_message(self.Changed(self))

    def action_copy(self) -> None:
        picked = self.package_at_cursor()
        if picked is not None:
            self.app.copy_to_clipboard(picked[0])
            self.notify(f"Copied {picked[0]}", timeout=2, markup=False)

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in COLUMNS[self.view]]
        current = keys.index(self.order.column) if self.order.column in keys else -1
        self.order = SortOrder(keys[(current + 1) % len(keys)])

    def action_reverse_sort(self) -> None:
        self.order = SortOrder(self.order.column, not self.order.reverse)

    def action_toggle_view(self) -> None:
        self.view = View.PROJECTS if self.view is View.PACKAGES else View.PACKAGES

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Click a header to sort by it; click again to reverse."""
        event.stop()
        column = str(event.column_key.value)
        if column == "mark":
            return
        if self.order.column == column:
            self.order = SortOrder(column, not self.order.reverse)
        else:
            self.order = SortOrder(column)

    # -- what the pane reads -------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor."""
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return str(row_key.value)

    def package_at_cursor(self) -> tuple[str, str | None] | None:
        """(package, project or None) of the highlighted row."""
        key = self.cursor_key
        if key is None:
            return None
        row = self._shown[key]
        project = row.projects[0] if self.view is View.PROJECTS else None
        return row.package, project

    def move_to_package(self, package: str) -> bool:
        """Move the cursor to the package's (first) row; False when it is not shown."""
        for key, row in self._shown.items():
            if row.package == package:
                self.move_cursor(row=self.get_row_index(key), animate=False)
                return True
        return False

    @property
    def shown_rows(self) -> int:
        return len(self._shown)

    # -- internals -----------------------------------------------------------------------

    def _rebuild(self) -> None:
        with self.app.batch_update():
            self.clear(columns=True)
            self._shown.clear()
            self.add_column(" ", key="mark", width=1)
            for column in COLUMNS[self.view]:
                self.add_column(column.label, key=column.key)
            self._relabel()
            self._sync(full=True)

    def _sync(self, full: bool) -> None:
        if not self.is_mounted or self.inventory is None:
            return
        with collector_paused():  # 10,000 rows are 100,000 containers: no garbage
            self._sync_rows(full)

    def _sync_rows(self, full: bool) -> None:
        self._colors = {}  # the theme may have changed since the last sync
        rows = self._all_rows()
        self.total_rows = len(rows)
        query = self.query
        test = row_filter(query) if query.strip() else None
        wanted = {r.key: r for r in rows if test is None or test(r)}
        gone = [key for key in self._shown if key not in wanted]
        self._update(wanted, gone, full)
        self.post_message(self.Changed(self))

    def _all_rows(self) -> list[TableRow]:
        """Every row of the inventory in this view, worked out once per `show` (a filter
        keystroke only chooses among them)."""
        inventory, view = self.inventory, self.view
        assert inventory is not None
        if self._rows_of != view:
            rows = rows_for(inventory, view)
            keys = {row.key for row in rows}
            # cells of rows that are gone are dropped; the rest are checked against
            # their row when next asked for (`_cells`), so a new scan reuses them
            self._built = {k: v for k, v in self._built.items() if k in keys}
            self._rows, self._rows_of = rows, view
        return self._rows

    def _update(self, wanted: dict[str, TableRow], gone: list[str], full: bool) -> None:
        """Remove, add and change only what differs from what is shown."""
        columns = [c.key for c in COLUMNS[self.view]]
        with self.app.batch_update():
            self.remove_rows(gone)  # at once: a filter keystroke can hide thousands
            for key in gone:
                del self._shown[key]
            added = False
            for key, row in wanted.items():
                old = self._shown.get(key)
                if old is None:
                    self.add_row(self._mark_cell(row), *self._cells(row, columns), key=key)
                    added = True
                elif old != row:
                    for column in columns:
                        if old.cells.get(column) != row.cells.get(column) or column == "flags":
                            self.update_cell(key, column, self._cell(row, column))
                self._shown[key] = row
            if added or full or self.order != SortOrder(columns[0]):
                self._apply_sort()

    def _apply_sort(self) -> None:
        if not self.row_count:
            return
        column = next((c for c in COLUMNS[self.view] if c.key == self.order.column), None)
        if column is None:
            return
        self.sort(
            column.key,
            key=lambda cell: cell_sort_value(cell.plain, column),
            reverse=self.order.reverse,
        )

    def _relabel(self) -> None:
        arrow = " ▼" if self.order.reverse else " ▲"
        for column in COLUMNS[self.view]:
            label = column.label + (arrow if column.key == self.order.column else "")
            table_column = self.columns.get(column.key)  # type: ignore[call-overload]
            if table_column is not None:
                table_column.label = Text(label)
        self.refresh()

    def _cells(self, row: TableRow, columns: list[str]) -> tuple[Text, ...]:
        theme = self.app.theme
        built = self._built.get(row.key)
        if built is not None and built[1] == theme and (built[0] is row or built[0] == row):
            # the same values: after each scan's marks a row is a new object, and a
            # filter widened back shows thousands of them again (10,000 cells: ~0.5 s)
            self._built[row.key] = (row, theme, built[2])
            return built[2]
        cells = tuple(self._cell(row, column) for column in columns)
        self._built[row.key] = (row, theme, cells)
        return cells

    def _cell(self, row: TableRow, column: str) -> Text:
        value = row.cells.get(column, "")
        if column == "flags" and row.flags:
            return Text(value, style=self._flag_style(row.flags))
        return plain(value)

    def _mark_cell(self, row: TableRow) -> Text:
        return Text(MARK if self.is_marked(row) else " ", style=self._theme_color("accent"))

    def _flag_style(self, flags: frozenset[str]) -> str:
        for flag, (color, emphasis) in FLAG_STYLES.items():
            if flag in flags:
                return f"{emphasis} {self._theme_color(color)}".strip()
        return ""

    def _theme_color(self, name: str) -> str:
        """The theme's colour, looked up once per sync: `App.current_theme` is a lookup
        of its own, and a sync can colour 10,000 cells."""
        color = self._colors.get(name)
        if color is None:
            color = self._colors[name] = theme_color(self, name)
        return color


__all__ = ["InventoryTable", "RowKey", "SortOrder"]
