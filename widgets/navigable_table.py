"""A DataTable that also moves with the keys k9s and lazygit users reach for."""

from __future__ import annotations

from typing import TypeVar

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
