"""The span stream and the trace view, driven by keys; spans sent by the real exporter."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import StatusCode
from textual.widgets import DataTable, Static

from app.tui import DevkitApp
from backend.settings import Settings
from screens.trace_view import TraceScreen
from tests.helpers import span_records
from tests.tui.conftest import wait_for_inventory, wait_until
from widgets.span_stream import SpanTable


def send_checkout_trace(url: str) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=url)))
    tracer = provider.get_tracer("pilot")
    with tracer.start_as_current_span("GET /cart", attributes={"note": "[bold red]not markup[/]"}):
        with tracer.start_as_current_span("db.query") as query:
            query.add_event("rows", {"count": 7})
            time.sleep(0.002)
        with tracer.start_as_current_span("render") as render:
            render.set_status(StatusCode.ERROR, "template \x1b[2J missing")
    provider.shutdown()


async def test_spans_arrive_and_open_as_a_waterfall(tmp_path: Path) -> None:
    settings = Settings(
        roots=[tmp_path],
        db_path=tmp_path / "db.sqlite3",
        watch=False,
        receive_otlp=True,
        otlp_port=0,
        trace_self=False,
    )
    app = DevkitApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        await wait_until(pilot, lambda: app.backend.receiver_url is not None)
        url = f"{app.backend.receiver_url}/v1/traces"
        await asyncio.to_thread(send_checkout_trace, url)
        await pilot.press("3")
        table = app.screen.query_one(SpanTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        names = [cell.plain for cell in table.get_column("name")]
        assert sorted(names) == ["GET /cart", "db.query", "render"]
        header = str(app.screen.query_one("#span-header", Static).render())
        assert "3 stored" in header and "1 errors" in header and "OTLP http://127.0.0.1:" in header
        await pilot.press(*["j"] * names.index("db.query"), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TraceScreen))
        waterfall = app.screen.query_one(DataTable)
        assert [c.plain for c in waterfall.get_column("span")] == [
            "GET /cart",
            "  db.query",
            "  render",
        ]
        detail = app.screen.query_one("#span-detail", Static).render()
        assert "Event +" in detail.plain and "count = 7" in detail.plain  # db.query, as chosen
        await pilot.press("k")
        await pilot.pause()
        detail = app.screen.query_one("#span-detail", Static).render()
        assert "note = [bold red]not markup[/]" in detail.plain
        await pilot.press("j", "j")
        await pilot.pause()
        detail = app.screen.query_one("#span-detail", Static).render()
        assert "Status: error: template \\x1b[2J missing" in detail.plain
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TraceScreen)


async def test_slash_filters_the_span_stream(demo_workspace: Path, tmp_path: Path) -> None:
    """`/` in the span pane filters its spans by name or service, `esc` shows all."""
    settings = Settings(
        roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False, trace_self=False
    )
    app = DevkitApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.spans.add(
            span_records("GET /cart", [5.0, 6.0], service="checkout")
            + span_records("SELECT stock", [1.0], service="inventory-db")
        )
        await pilot.press("3")
        table = app.screen.query_one(SpanTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        await pilot.press("slash", *"inventory", "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert [c.plain for c in table.get_column("name")] == ["SELECT stock"]
        assert app.screen.query_one("#span-filter").has_focus is False  # back on the table
        await pilot.press("slash", "escape")
        await wait_until(pilot, lambda: table.row_count == 3)
