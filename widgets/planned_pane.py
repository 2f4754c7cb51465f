"""A pane whose feature is not built yet: it says what it will show, never fake data."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class PlannedPane(Static):
    """Describes a coming pane in plain words."""

    DEFAULT_CSS = """
    PlannedPane { height: 1fr; padding: 1 2; color: $text-muted; }
    """

    def __init__(self, title: str, description: str, **kwargs: object) -> None:
        text = Text()
        text.append(f"{title} — not built yet\n\n", style="bold")
        text.append(description)
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
        self.can_focus = True
