"""Spans and error spans as they arrived, in buckets of a few seconds: the monitor's
sparklines of span rate and error rate over the last minutes.

Rows are stored in arrival order, so each refresh reads only rows past the last id it
saw; when nothing arrived, time moving on just slides the window over the counts it
holds, without a query.
"""

from __future__ import annotations

import time

from backend.telemetry.model import STATUS_ERROR
from backend.telemetry.span_store import SpanStore

BUCKET_S = 10.0
BUCKETS = 60
"""Ten minutes of ten-second buckets."""


class ArrivalHistory:
    """Span and error counts per arrival bucket, for the last `buckets` buckets."""

    def __init__(self, spans: SpanStore, bucket_s: float = BUCKET_S, buckets: int = BUCKETS):
        self.spans = spans
        self.bucket_ns = int(bucket_s * 1e9)
        self.buckets = buckets
        self._counts: dict[int, tuple[int, int]] = {}
        self._last_id: int | None = None

    async def refresh(self, now_ns: int | None = None) -> None:
        """Count what arrived since the last refresh (the whole window, the first time)."""
        now = now_ns or time.time_ns()
        if self._last_id is None:
            first = await self.spans.first_id_received_since(now - self.bucket_ns * self.buckets)
            self._last_id = first - 1
        rows = await self.spans.store.query(
            "SELECT received_ns / ?, COUNT(*), SUM(status_code = ?), MAX(id) FROM spans"
            " WHERE id > ? GROUP BY 1",
            (self.bucket_ns, STATUS_ERROR, self._last_id),
        )
        for bucket, count, errors, last in rows:
            spans, failed = self._counts.get(bucket, (0, 0))
            self._counts[bucket] = (spans + count, failed + (errors or 0))
            self._last_id = max(self._last_id, last)
        oldest = now // self.bucket_ns - self.buckets
        for bucket in [b for b in self._counts if b <= oldest]:
            del self._counts[bucket]

    def window(self, now_ns: int | None = None) -> tuple[list[int], list[int]]:
        """Spans and error spans per bucket, oldest first, ending with the current one."""
        newest = (now_ns or time.time_ns()) // self.bucket_ns
        span = range(newest - self.buckets + 1, newest + 1)
        counts = [self._counts.get(b, (0, 0)) for b in span]
        return [c[0] for c in counts], [c[1] for c in counts]

    def bucket_index(self, now_ns: int | None = None) -> int:
        """Which bucket `now` falls in: the window moves when this does."""
        return (now_ns or time.time_ns()) // self.bucket_ns
