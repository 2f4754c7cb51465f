"""A DataTable that also moves with the keys k9s and lazygit users reach for, and that
never shows lines drawn before it measured its rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

CellType = TypeVar("CellType")


class NavigableTable(DataTable[CellType]):
    """`j`/`k` down and up, `g`/`G` top and bottom; columns that give way, with `…`,
    when the table is narrower than its content."""

    SHRINKS: ClassVar[dict[str, int]] = {}
    """Columns (by key) that give way when the table is narrower than its cells, in the
    order they give, and the width each keeps at least. A cut cell ends in `…`; the
    key columns, left out of this, keep their width, so they stay readable in a narrow
    pane (the detail view shows every cell whole)."""
    IN_VIEW: ClassVar[str | None] = None
    """The last column that must fit (None: all); columns right of it may run off the
    edge, to be scrolled to, rather than cut the key columns further."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    async def _on_idle(self, event: events.Idle) -> None:
        """DataTable sizes its columns for new rows and cells when idle, but keeps the
        lines it drew before that under the same cache key (Textual issue #4470), so a
        table that does not also change size shows columns as wide as their labels until
        the cursor moves. Measuring here moves the key, so the next draw is measured."""
        measuring = bool(self._updated_cells) or self._require_update_dimensions
        before = self._widths() if measuring else ()
        await super()._on_idle(event)
        if measuring:
            self.fit_columns()
            # Lines drawn with the widths they have are right: redrawing them all after
            # a filter keystroke that hid rows would draw the table twice per key.
            if self._widths() != before:
                self._update_count += 1
                self.refresh()

    def _widths(self) -> tuple[tuple[int, int, bool], ...]:
        """What the drawn lines depend on of the columns' measures."""
        columns = [self._label_column, *self.columns.values()]
        return tuple((c.content_width, c.width, c.auto_width) for c in columns)

    def on_resize(self) -> None:
        if self.fit_columns():
            self._update_count += 1
            self.refresh()

    def fit_columns(self) -> bool:
        """Narrow the `SHRINKS` columns, in order, until the table fits its width: to
        their least widths first, then, if that is not enough, down to a `…` each;
        True when a width changed."""
        available = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:  # room for it: rows may yet bring it
            available -= self.styles.scrollbar_size_vertical
        if available <= 0 or not self.SHRINKS:
            return False
        pad = 2 * self.cell_padding
        widths: dict[ColumnKey, int] = {}
        for key, column in self.columns.items():
            fixed = column.get_render_width(self) - pad
            widths[key] = column.content_width if key.value in self.SHRINKS else fixed
        keys = list(widths)
        if self.IN_VIEW is not None and ColumnKey(self.IN_VIEW) in widths:
            keys = keys[: keys.index(ColumnKey(self.IN_VIEW)) + 1]
        excess = sum(widths[k] + pad for k in keys) - available
        for floor in (self.SHRINKS, dict.fromkeys(self.SHRINKS, 1)):  # then down to `…`
            for name, least in floor.items():
                key = ColumnKey(name)
                if excess <= 0:
                    break
                if key in keys:
                    give = min(excess, max(0, widths[key] - least))
                    widths[key] -= give
                    excess -= give
        changed = False
        for key, column in self.columns.items():
            if key.value not in self.SHRINKS:
                continue
            cut = widths[key] < column.content_width
            wanted = (False, widths[key]) if cut else (True, column.width)
            if (column.auto_width, column.width) != wanted:
                column.auto_width, column.width = wanted
                changed = True
        if changed:
            self._require_update_dimensions = True
        return changed

    def remove_rows(self, keys: Iterable[RowKey | str]) -> None:
        """Remove many rows in one pass. DataTable's `remove_row` renumbers every row
        left, so a filter that hides 5,000 of 10,000 rows one by one does 50 million
        steps; this renumbers once. The rows kept keep their measured widths."""
        doomed = [RowKey(k) if isinstance(k, str) else k for k in keys]
        doomed = [k for k in doomed if k in self._row_locations]
        if not doomed:
            return
        gone = {k.value for k in doomed}  # str hashes in C; a RowKey's hash is Python's
        by_index = self._row_locations.get_key
        ordered = (by_index(i) for i in range(len(self.rows)))
        kept = [key for key in ordered if key is not None and key.value not in gone]
        if self._updated_cells:
            columns = list(self.columns)
            self._updated_cells -= {CellKey(k, c) for k in doomed for c in columns}
        for key in doomed:
            del self.rows[key]
            del self._data[key]
        self._row_locations = TwoWayDict({key: i for i, key in enumerate(kept)})
        self._require_update_dimensions = True
        self.check_idle()
        self.cursor_coordinate = self.cursor_coordinate  # kept inside the rows left
        self.hover_coordinate = self.hover_coordinate
        self._update_count += 1
        self.refresh(layout=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Widths of new one-line rows of plain Text cells from their cell lengths, the
        rest as DataTable measures them. Measuring through Rich asks the console for its
        options, and with them the terminal's size, for every cell: 9,000 rows added
        back by clearing a filter took ~1 s of it."""
        columns = self.columns
        measured: list[RowKey] = []
        for row_key in new_rows:
            row = self.rows.get(row_key)
            cells = self._data.get(row_key)
            if row is None or cells is None:
                continue  # removed before the table was idle
            if (
                row.height != 1
                or row.label is not None
                or not all(type(cell) is Text and "\n" not in cell.plain for cell in cells.values())
            ):
                measured.append(row_key)
                continue
            for column_key, cell in cells.items():
                column = columns.get(column_key)
                if column is not None and cell.cell_len > column.content_width:
                    column.content_width = cell.cell_len
        super()._update_dimensions(measured)

    def add_row(self, *cells: CellType, **options: Any) -> RowKey:
        return super().add_row(*(_ellipsised(c) for c in cells), **options)

    def update_cell(
        self, row_key: RowKey | str, column_key: ColumnKey | str, value: CellType, **options: Any
    ) -> None:
        super().update_cell(row_key, column_key, _ellipsised(value), **options)


def _ellipsised(cell: CellType) -> CellType:
    """A text cell that ends in `…` where its column is too narrow for it."""
    if isinstance(cell, Text) and cell.overflow is None:
        cell.overflow = "ellipsis"
    return cell
