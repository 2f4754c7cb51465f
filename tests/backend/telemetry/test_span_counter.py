"""What the span counter says can change a check: every stored span but devkit's own
check spans (the Weaver pane checks again only when it moves)."""

from __future__ import annotations

from pathlib import Path

from backend.store.database import Store
from backend.telemetry import names
from backend.telemetry.span_store import SpanStore
from tests.helpers import span_records


async def test_own_check_spans_are_stored_but_never_ask_for_a_check(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        spans = SpanStore(store)
        await spans.add(span_records(names.CHECK, [5.0, 6.0], service=names.SERVICE))
        assert spans.counter.stored == 2 and spans.counter.checkable == 0
        await spans.add(span_records(names.CHECK, [5.0], service="shop", first=10))
        await spans.add(span_records("GET /cart", [9.0, 8.0, 7.0], service="shop"))
        assert spans.counter.stored == 6 and spans.counter.checkable == 4
    finally:
        await store.close()
