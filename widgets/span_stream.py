"""The live span stream: newest spans first, with spans per second and recent errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from backend.telemetry.span_rates import SpanRates
from widgets.filter_input import FilterablePane, FilterInput
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain
from widgets.theme import theme_color

MAX_ROWS = 200


class SpanTable(NavigableTable[Text]):
    """Keyed by stored row id; rebuilt newest first when new spans arrive."""

    SHRINKS = {"service": 8, "name": 16}


class SpanStream(FilterablePane, Vertical):
    """Shows what the app hands it; `/` filters by name or service, `enter` asks for
    the span's trace."""

    table_type = SpanTable

    DEFAULT_CSS = """
    SpanStream { height: 1fr; }
    SpanStream #span-header { height: 1; padding: 0 1; color: $text-muted; }
    SpanStream SpanTable { height: 1fr; }
    """

    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", show=False)]

    class TraceRequested(Message):
        """Open the trace of this span."""

        def __init__(self, trace_id: str, span_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id
            self.span_id = span_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: dict[str, dict[str, Any]] = {}
        self._spans: list[dict[str, Any]] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static("No spans stored yet.", id="span-header")
        yield FilterInput(placeholder="span name or service", id="span-filter")
        yield SpanTable(id="span-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(SpanTable)
        for label, key in (
            ("Time", "time"),
            ("St", "status"),
            ("ms", "ms"),
            ("Name", "name"),
            ("Service", "service"),
        ):
            table.add_column(label, key=key)

    def show(self, spans: list[dict[str, Any]], rates: SpanRates, receiver: str | None) -> None:
        """Newest spans (newest first) and the counters (data down)."""
        header = Text(f"{rates.stored:,} stored · {rates.per_second:,.1f}/s · ")
        header.append(
            f"{rates.errors} errors (5 min)", style=self._error_style if rates.errors else ""
        )
        header.append(f" · OTLP {receiver}" if receiver else " · not receiving")
        self.query_one("#span-header", Static).update(header)
        self._spans = spans
        self._fill()

    def _redraw(self) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(SpanTable)
        words = self.query_text.lower().split()
        wanted = {
            str(span["row"]): span
            for span in self._spans
            if all(word in _searchable(span) for word in words)
        }
        wanted = dict(list(wanted.items())[:MAX_ROWS])
        if list(wanted) == list(self._shown):
            return
        # New spans go on top: rebuilding 200 short rows is cheaper than keeping a
        # sorted insert order, and it happens only when something new arrived.
        selected = None
        if table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        with self.app.batch_update():
            table.clear()
            for key, span in wanted.items():
                table.add_row(*_cells(span, self._error_style), key=key)
            self._shown = wanted
            if selected in wanted:
                table.move_cursor(row=list(wanted).index(selected), animate=False)

    @property
    def _error_style(self) -> str:
        return f"bold {theme_color(self, 'error', 'red')}"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        span = self._shown.get(str(event.row_key.value))
        if span is not None:
            self.post_message(self.TraceRequested(span["trace_id"], span["span_id"]))


def _searchable(span: dict[str, Any]) -> str:
    return f"{span['name']} {span['resource'].get('service.name', '')}".lower()


def _cells(span: dict[str, Any], error_style: str) -> tuple[Text, ...]:
    start = datetime.fromtimestamp(span["start_time_unix_nano"] / 1e9)
    status = span["status"]["name"]
    return (
        Text(f"{start:%H:%M:%S}"),
        Text(
            {"error": "ERR", "ok": "ok"}.get(status, "·"),
            style=error_style if status == "error" else "",
        ),
        Text(f"{span['duration_ms']:.1f}", justify="right"),
        plain(span["name"]),
        plain(str(span["resource"].get("service.name", "-"))),
    )
