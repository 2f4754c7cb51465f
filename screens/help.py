"""Keys, read from the active bindings, so help never drifts from what the keys do."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA_KEYS = [
    ("ctrl+p", "Command palette", ""),
    ("enter", "Open the highlighted row", ""),
    ("click a header", "Sort by that column; again to reverse", ""),
]


class HelpScreen(ModalScreen[None]):
    """`?` shows every key that works on the screen underneath, with its binding id
    (dim), the name `[keymap]` in the configuration file gives it another key by."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; max-width: 95%; height: 80%; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        """`keys`: (key as shown, what it does, binding id for `[keymap]`, or "")."""
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        text = Text()
        for key, description, binding_id in [*self.keys, *EXTRA_KEYS]:
            text.append(f"{key:>14}  ", style="bold")
            text.append(description)
            if binding_id:
                text.append(f"  {binding_id}", style="dim")
            text.append("\n")
        with VerticalScroll() as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc to close"
            yield Static(text)
