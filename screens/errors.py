"""Files that could not be read, each with its line and the reason."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from backend.inventory.model import Inventory
from widgets.safe_text import plain


class ErrorsScreen(ModalScreen[None]):
    """Opened with `e`: every error entry of the last scan, messages wrapped in full."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="errors.close")]
    DEFAULT_CSS = """
    ErrorsScreen { align: center middle; }
    ErrorsScreen > VerticalScroll {
        width: 90%; height: 80%; border: thick $error; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inventory = inventory

    def compose(self) -> ComposeResult:
        count = self.inventory.error_count
        with VerticalScroll() as box:
            box.border_title = f"{count} file error{'' if count == 1 else 's'}"
            box.border_subtitle = "esc to close"
            yield Static(self._listing(), id="errors-list")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def _listing(self) -> Text:
        if not self.inventory.error_count:
            return Text("Every file was read without error.")
        text = Text()
        for project in self.inventory.projects:
            for error in project.errors:
                text.append_text(plain(project.name, style="bold"))
                text.append("  ")
                where = _relative(Path(error.file), project.path)
                text.append_text(
                    plain(f"{where}:{error.line}" if error.line else where, style="underline")
                )
                text.append("\n  ")
                text.append_text(plain(error.message))
                text.append("\n\n")
        text.rstrip()
        return text


def _relative(file: Path, project: Path) -> str:
    try:
        return file.relative_to(project).as_posix()
    except ValueError:
        return str(file)
