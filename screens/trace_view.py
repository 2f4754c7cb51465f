"""One trace as a waterfall, with the highlighted span's details as plain text."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain
from widgets.theme import theme_color
from widgets.waterfall_rows import bar, waterfall

BAR_COLUMNS = 40


class TraceScreen(ModalScreen[None]):
    """Opened with `enter` on a span; `esc` closes."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="trace.close")]
    DEFAULT_CSS = """
    TraceScreen { align: center middle; }
    TraceScreen > Vertical {
        width: 95%; height: 95%; border: thick $accent; background: $surface; padding: 0 1;
    }
    TraceScreen DataTable { height: 2fr; }
    TraceScreen VerticalScroll { height: 1fr; border-top: solid $panel-lighten-2; }
    """

    def __init__(self, spans: list[dict[str, Any]], selected: str | None = None) -> None:
        super().__init__()
        self.rows = waterfall(spans)
        self.selected = selected

    def compose(self) -> ComposeResult:
        trace_id = self.rows[0].span["trace_id"] if self.rows else "?"
        with Vertical() as box:
            box.border_title = f"Trace {trace_id} · {len(self.rows)} spans"
            box.border_subtitle = "esc to close"
            yield NavigableTable(id="waterfall", cursor_type="row")
            with VerticalScroll():
                yield Static(id="span-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Span", key="span")
        table.add_column("Service", key="service")
        table.add_column("ms", key="ms")
        columns = max(BAR_COLUMNS, min(120, self.app.size.width - 80))
        table.add_column("Timeline", key="timeline", width=columns)
        error_color = theme_color(self, "error", "red")
        ok_color = theme_color(self, "success", "green")
        for row in self.rows:
            span = row.span
            error = span["status"]["name"] == "error"
            name = plain(
                "  " * row.depth + span["name"], style=f"bold {error_color}" if error else ""
            )
            table.add_row(
                name,
                plain(str(span["resource"].get("service.name", "-"))),
                Text(f"{span['duration_ms']:.2f}", justify="right"),
                Text(
                    bar(row.offset, row.width, columns),
                    style=error_color if error else ok_color,
                ),
                key=span["span_id"],
            )
        index = next((i for i, r in enumerate(self.rows) if r.span["span_id"] == self.selected), 0)
        if self.rows:
            table.move_cursor(row=index, animate=False)
            self._show_detail(index)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.rows):
            return
        self.query_one("#span-detail", Static).update(span_detail(self.rows[index].span))


def span_detail(span: dict[str, Any]) -> Text:
    """Everything about one span; every value from the sender shown as plain text."""
    text = Text()
    text.append_text(plain(span["name"], style="bold"))
    text.append(f"  {span['kind_name']}  {span['duration_ms']:.3f} ms  span {span['span_id']}")
    status = span["status"]
    text.append(f"\nStatus: {status['name']}")
    if status["message"]:
        text.append(": ")
        text.append_text(plain(status["message"]))
    _section(text, "Attributes", span["attributes"])
    start = span["start_time_unix_nano"]
    for event in span["events"]:
        text.append(f"\nEvent +{(event['time_unix_nano'] - start) / 1e6:.3f} ms ", style="bold")
        text.append_text(plain(event["name"]))
        _pairs(text, event["attributes"], indent="    ")
    for link in span["links"]:
        text.append(f"\nLink to {link['trace_id']}/{link['span_id']}", style="bold")
        _pairs(text, link["attributes"], indent="    ")
    _section(text, "Resource", span["resource"])
    text.append(f"\nScope: {span['scope']['name']} {span['scope']['version']}".rstrip())
    return text


def _section(text: Text, title: str, values: dict[str, Any]) -> None:
    text.append(f"\n{title}:", style="bold")
    if not values:
        text.append(" none")
    _pairs(text, values, indent="  ")


def _pairs(text: Text, values: dict[str, Any], indent: str) -> None:
    for key, value in values.items():
        text.append(f"\n{indent}")
        text.append_text(plain(key))
        text.append(" = ")
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        text.append_text(plain(shown))
