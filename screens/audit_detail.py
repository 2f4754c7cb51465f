"""One audit entry in full: who, where, what changed, its details and its hashes."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from backend.audit.entries import AuditEntry
from widgets.safe_text import plain


class AuditDetailScreen(ModalScreen[None]):
    """Opened with `enter` on an audit row; `t` opens the operation's trace."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="audit-detail.close"),
        Binding(
            "t",
            "open_trace",
            "Trace",
            id="audit-detail.trace",
            tooltip="Open the trace of the operation's span",
        ),
    ]
    DEFAULT_CSS = """
    AuditDetailScreen { align: center middle; }
    AuditDetailScreen > VerticalScroll {
        width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    """

    class TraceRequested(Message):
        """Open this trace (the app knows whether its spans are stored)."""

        def __init__(self, trace_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id

    def __init__(self, entry: AuditEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"Audit entry {self.entry.seq} · {self.entry.action}"
            box.border_subtitle = "t trace · esc to close" if self.entry.trace_id else "esc"
            yield Static(describe(self.entry), id="audit-detail")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_open_trace(self) -> None:
        if self.entry.trace_id:
            self.post_message(self.TraceRequested(self.entry.trace_id))
        else:
            self.notify("This entry has no trace id.", severity="warning")


def describe(entry: AuditEntry) -> Text:
    """Every field, values as plain text (details come from anywhere)."""
    text = Text()

    def line(label: str, value: str, style: str = "") -> None:
        text.append(f"{label:<10}", style="bold")
        text.append_text(plain(value, style=style))
        text.append("\n")

    line("When", entry.timestamp)
    line("Action", entry.action)
    line("Result", entry.result, style="bold" if entry.result != "success" else "")
    line("Project", entry.project or "-")
    line("Duration", f"{entry.duration_ms:.1f} ms" if entry.duration_ms is not None else "-")
    line("User", entry.user)
    line("Host", entry.host)
    line("OS", entry.os)
    line("Trace", entry.trace_id or "-")
    if entry.packages:
        text.append("\nPackages\n", style="bold")
        for package in entry.packages:
            change = (
                f"  {package.name}  {package.from_version or '-'} → {package.to_version or '-'}"
            )
            text.append_text(plain(change))
            text.append("\n")
    text.append("\nDetails\n", style="bold")
    text.append_text(plain(json.dumps(entry.details, indent=2, ensure_ascii=False)))
    text.append("\n\nHash chain\n", style="bold")
    line("Previous", entry.prev_hash)
    line("Hash", entry.hash)
    return text
