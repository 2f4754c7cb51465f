"""The strip of pane names with their digit keys; shows which pane is active."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from widgets.theme import theme_color


class PaneTabs(Widget):
    """`1 Inventory  2 Tree  …`, the active pane highlighted, those beside it in bold
    (lazygit's panel strip)."""

    DEFAULT_CSS = """
    PaneTabs { height: 1; padding: 0 1; background: $panel; }
    """

    active: reactive[str] = reactive("")
    """The id of the pane in front."""
    on_screen: reactive[frozenset[str]] = reactive(frozenset())
    """The panes shown beside it: named in bold, the others dim."""

    def __init__(self, panes: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.panes = panes

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        accent = theme_color(self, "accent")
        for number, (pane_id, title) in enumerate(self.panes, start=1):
            if pane_id == self.active:
                style = f"bold reverse {accent}"
            else:
                style = "bold" if pane_id in self.on_screen else "dim"
            text.append(f" {number} {title} ", style=style)
            text.append(" ")
        return text
