"""The audit log pane: newest entries first, filtered as you type, live as they land."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from backend.audit.entries import AuditEntry
from widgets.audit_rows import duration, matches, what, when
from widgets.filter_input import FilterablePane, FilterInput
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain
from widgets.theme import theme_color

MAX_KEPT = 5000
"""Entries kept in the pane; older ones are a `devkit-tui audit` away."""


class AuditTable(NavigableTable[Text]):
    """Keyed by sequence number."""

    SHRINKS = {"what": 12, "project": 10}
    IN_VIEW = "what"


class AuditLogPane(FilterablePane, Vertical):
    """Shows the entries the app hands it; `enter` asks for an entry's detail."""

    table_type = AuditTable

    DEFAULT_CSS = """
    AuditLogPane { height: 1fr; }
    AuditLogPane #audit-header { height: 1; padding: 0 1; color: $text-muted; }
    AuditLogPane AuditTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    class EntryChosen(Message):
        """Show this entry in detail."""

        def __init__(self, entry: AuditEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[AuditEntry] = []
        """Newest first."""
        self.query_text = ""
        self._shown: list[int] = []
        self._reveal: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("No audit entries yet.", id="audit-header")
        yield FilterInput(
            placeholder="action: project: package: user: result: or any words",
            id="audit-filter",
        )
        yield AuditTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(AuditTable)
        # Most telling first: in a narrow grid cell the right-hand columns are cut.
        for label, key in (
            ("Time", "time"),
            ("Action", "action"),
            ("Result", "result"),
            ("Project", "project"),
            ("What", "what"),
            ("ms", "ms"),
            ("User", "user"),
            ("Seq", "seq"),
        ):
            table.add_column(label, key=key)

    # -- data down ------------------------------------------------------------------------

    def add_entries(self, newer: list[AuditEntry]) -> None:
        """Entries that landed since the last call (any order); newest go on top."""
        if not newer:
            return
        known = {e.seq for e in self.entries}
        fresh = sorted((e for e in newer if e.seq not in known), key=lambda e: -e.seq)
        self.entries = (fresh + self.entries)[:MAX_KEPT]
        self._redraw()

    def reveal(self, seq: int) -> None:
        """The cursor on one entry: now, or once the entries that hold it arrive."""
        self._reveal = seq
        if seq in self._shown:
            self.query_one(AuditTable).move_cursor(row=self._shown.index(seq), animate=False)
            self._reveal = None

    @property
    def last_seq(self) -> int:
        return self.entries[0].seq if self.entries else 0

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        seq = int(str(event.row_key.value))
        entry = next((e for e in self.entries if e.seq == seq), None)
        if entry is not None:
            self.post_message(self.EntryChosen(entry))

    # -- drawing ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        shown = [e for e in self.entries if matches(e, self.query_text)]
        seqs = [e.seq for e in shown]
        self._update_header(len(shown))
        if seqs == self._shown:
            return
        table = self.query_one(AuditTable)
        selected = None
        if table.row_count and table.cursor_row > 0:  # on the top row it follows the newest
            selected = int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        with self.app.batch_update():
            table.clear()
            for entry in shown:
                table.add_row(*self._cells(entry), key=str(entry.seq))
            self._shown = seqs
            if self._reveal in seqs:
                selected, self._reveal = self._reveal, None
            if selected in seqs:
                table.move_cursor(row=seqs.index(selected), animate=False)

    def _update_header(self, shown: int) -> None:
        header = Text(f"{len(self.entries):,} entries")
        if self.query_text.strip():
            header.append(f" · {shown:,} match ")
            header.append_text(plain(self.query_text.strip(), style="bold"))
        failures = sum(e.result == "failure" for e in self.entries)
        if failures:
            header.append(f" · {failures} failed", style=self._style("error"))
        header.append(" · / filter · enter detail")
        self.query_one("#audit-header", Static).update(header)

    def _cells(self, entry: AuditEntry) -> tuple[Text, ...]:
        result_style = {"failure": self._style("error"), "partial": self._style("warning")}
        return (
            Text(when(entry)),
            Text(entry.action),
            Text(entry.result, style=result_style.get(entry.result, "")),
            plain(entry.project or ""),
            plain(what(entry)),
            Text(duration(entry), justify="right"),
            plain(entry.user),
            Text(str(entry.seq), justify="right"),
        )

    def _style(self, name: str) -> str:
        return f"bold {theme_color(self, name, 'red')}"
