"""A DataTable that also moves with the keys k9s and lazygit users reach for, and that
never shows lines drawn before it measured its rows."""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

CellType = TypeVar("CellType")


class NavigableTable(DataTable[CellType]):
    """`j`/`k` down and up, `g`/`G` top and bottom."""

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
        await super()._on_idle(event)
        if measuring:
            self._update_count += 1
            self.refresh()
