"""The findings of one (level, id) group; a registry finding shows the YAML around
its line, a live-check finding opens its span's trace with `t`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backend.weaver.findings import Finding
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain


class WeaverDetailScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="weaver-detail.close"),
        Binding(
            "t", "open_trace", "Trace", id="weaver-detail.trace", tooltip="Open the span's trace"
        ),
    ]
    DEFAULT_CSS = """
    WeaverDetailScreen { align: center middle; }
    WeaverDetailScreen > Vertical {
        width: 95%; height: 95%; border: thick $accent; background: $surface; padding: 0 1;
    }
    WeaverDetailScreen DataTable { height: 1fr; }
    WeaverDetailScreen VerticalScroll { height: 1fr; border-top: solid $panel-lighten-2; }
    """

    class ExcerptRequested(Message):
        """Read the lines around `line` of `file` (the app reads files, not screens)."""

        def __init__(self, screen: WeaverDetailScreen, file: str, line: int) -> None:
            super().__init__()
            self.screen = screen
            self.file = file
            self.line = line

    class TraceRequested(Message):
        def __init__(self, trace_id: str, span_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id
            self.span_id = span_id

    def __init__(self, title: str, findings: list[Finding]) -> None:
        super().__init__()
        self.title_text = title
        self.findings = findings

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"{self.title_text} · {len(self.findings)}"
            box.border_subtitle = "t trace · esc to close"
            yield NavigableTable(id="weaver-findings", cursor_type="row")
            with VerticalScroll():
                yield Static(id="weaver-excerpt")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Where", key="where")
        table.add_column("Message", key="message")
        for index, finding in enumerate(self.findings[:2000]):
            table.add_row(plain(_where(finding)), plain(finding.message), key=str(index))
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        finding = self.findings[int(str(event.row_key.value))]
        excerpt = self.query_one("#weaver-excerpt", Static)
        if finding.file and finding.line:
            excerpt.update(Text("Reading…", style="dim"))
            self.post_message(self.ExcerptRequested(self, finding.file, finding.line))
        else:
            excerpt.update(_describe(finding))

    def show_excerpt(self, text: Text) -> None:
        self.query_one("#weaver-excerpt", Static).update(text)

    def action_open_trace(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        finding = self.findings[table.cursor_row]
        if finding.trace_id and finding.span_id:
            self.post_message(self.TraceRequested(finding.trace_id, finding.span_id))
        else:
            self.notify("Registry findings have no trace; live-check findings do.")


def _where(finding: Finding) -> str:
    if finding.file:
        return f"{finding.file}:{finding.line}" if finding.line else finding.file
    return f"{finding.signal_type or ''} {finding.signal_name or ''}".strip()


def _describe(finding: Finding) -> Text:
    text = Text()
    for label, value in (
        ("Finding", finding.id),
        ("Level", finding.level),
        ("Attribute", finding.attribute),
        ("Signal", f"{finding.signal_type} {finding.signal_name}"),
        ("Span", finding.span_id),
        ("Trace", finding.trace_id),
        ("Registry", finding.registry),
    ):
        if value:
            text.append(f"{label:<10}", style="bold")
            text.append_text(plain(str(value)))
            text.append("\n")
    return text
