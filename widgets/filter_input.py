"""A pane's filter line: hidden until `/`, filters as you type, `esc` clears it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    """Every pane's filter line. Shown by `open()` (or `show_text()`); the pane reads
    `value` on `Input.Changed`; `esc` empties and hides it and posts `Dismissed`, so
    the pane can give the focus back to its table."""

    DEFAULT_CSS = """
    FilterInput, FilterInput:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FilterInput.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "clear", "Clear filter", id="filter.clear")]

    class Dismissed(Message):
        """The user emptied the filter and left it."""

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def show_text(self, text: str) -> None:
        """Set the filter from outside (a key that filters for the user), shown while
        it holds anything."""
        self.value = text
        self.set_class(bool(text), "-open")

    def action_clear(self) -> None:
        self.value = ""
        self.remove_class("-open")
        self.post_message(self.Dismissed())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
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

    def on_filter_input_dismissed(self, event: FilterInput.Dismissed) -> None:
        event.stop()
        self.query_one(self.table_type).focus()  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(self.table_type).focus()  # type: ignore[attr-defined]
