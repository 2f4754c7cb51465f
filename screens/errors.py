"""Files that could not be read, each with its line and the reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backend.inventory import Inventory
from widgets.safe_text import plain


class ErrorsScreen(ModalScreen[None]):
    """Opened with `e`: every error entry of the last scan, nothing hidden."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="errors.close")]
    DEFAULT_CSS = """
    ErrorsScreen { align: center middle; }
    ErrorsScreen > Vertical {
        width: 90%; height: 80%; border: thick $error; background: $surface; padding: 0 1;
    }
    ErrorsScreen DataTable { height: 1fr; }
    """

    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inventory = inventory

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"{self.inventory.error_count} file errors"
            box.border_subtitle = "esc to close"
            if not self.inventory.error_count:
                yield Static("Every file was read without error.")
            yield DataTable(id="errors-table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Project", "File", "Line", "Problem")
        for project in self.inventory.projects:
            for error in project.errors:
                table.add_row(
                    plain(project.name),
                    plain(error.file),
                    plain(str(error.line) if error.line else "-"),
                    plain(error.message),
                )
        table.focus()
