"""A pane's filter line: hidden until `/`, filters as you type, `esc` clears it."""

from __future__ import annotations

from textual.binding import Binding
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
