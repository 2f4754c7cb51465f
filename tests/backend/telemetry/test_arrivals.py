"""Span arrivals in buckets, for the monitor's sparklines: counted from a real store,
read once, slid along in memory."""

from __future__ import annotations

import time
from pathlib import Path

from backend.service import Backend
from backend.settings import Settings
from backend.telemetry.arrivals import ArrivalHistory
from tests.helpers import span_records


async def test_arrivals_count_spans_and_errors_per_bucket(tmp_path: Path) -> None:
    settings = Settings(roots=[tmp_path], db_path=tmp_path / "db.sqlite3", watch=False,
                        trace_self=False)  # fmt: skip
    async with Backend(settings) as backend:
        await backend.start(scan=False)
        history = ArrivalHistory(backend.spans, bucket_s=10, buckets=6)
        await backend.spans.add(span_records("a", [1.0] * 5, errors={0, 3}))
        now = time.time_ns()
        await history.refresh(now)
        spans, errors = history.window(now)
        assert (spans[-1], errors[-1]) == (5, 2) and sum(spans) == 5 and len(spans) == 6

        calls: list[str] = []
        backend_query = backend.spans.store.query

        async def counting(sql: str, *args):  # type: ignore[no-untyped-def]
            if " spans" in sql:  # the journal check at start-up may query meanwhile
                calls.append(sql)
            return await backend_query(sql, *args)

        backend.spans.store.query = counting  # type: ignore[method-assign]
        await backend.spans.add(span_records("b", [1.0] * 3, first=10))
        await history.refresh(now)
        assert "WHERE id > ?" in calls[-1] and len(calls) == 1  # only the new rows
        assert history.window(now)[0][-1] == 8

        later = now + 70 * 10**9  # a minute on: the counts slid out of the window
        await history.refresh(later)
        assert history.window(later) == ([0] * 6, [0] * 6)
