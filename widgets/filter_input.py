"""A pane's filter line: hidden until `/`, filters as you type, `esc` clears it."""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    """Shown by `open()`; the pane reads `value` on `Input.Changed` and redraws."""

    DEFAULT_CSS = """
    FilterInput { display: none; height: 1; border: none; padding: 0 1; }
    FilterInput.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "clear", "Clear filter", show=False)]

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def action_clear(self) -> None:
        """Empty, hidden, and focus back to the pane's table."""
        self.value = ""
        self.remove_class("-open")
        self.screen.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.remove_class("-open")


class FilterablePane:
    """For a pane with a `FilterInput` over its table: `/` opens the filter, typing
    sets `query_text` and redraws, `enter` or `esc` go back to the table."""

    table_type: type[Widget]
    query_text: str

    def _redraw(self) -> None:
        raise NotImplementedError

    def open_filter(self) -> None:
        self.query_one(FilterInput).open()  # type: ignore[attr-defined]

    def action_clear_filter(self) -> None:
        self.query_one(FilterInput).action_clear()  # type: ignore[attr-defined]
        self.query_one(self.table_type).focus()  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(self.table_type).focus()  # type: ignore[attr-defined]
