"""Spans in SQLite: batched inserts through the single writer, queries, retention."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backend.store.database import Store
from backend.telemetry import names
from backend.telemetry.model import (
    KIND_NAMES,
    STATUS_ERROR,
    STATUS_NAMES,
    Sample,
    SpanRecord,
    dumps,
)
from backend.telemetry.span_rates import SpanCounter

INSERT_RESOURCE = "INSERT OR IGNORE INTO resources (id, attributes, schema_url) VALUES (?, ?, ?)"
INSERT_SCOPE = (
    "INSERT OR IGNORE INTO scopes (id, name, version, attributes, schema_url)"
    " VALUES (?, ?, ?, ?, ?)"
)
INSERT_SPAN = (
    "INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,"
    " status_code, status_message, attributes, events, links, trace_state, flags, dropped,"
    " resource_id, scope_id, service_name, received_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns,"
    " s.status_code, s.status_message, s.attributes, s.events, s.links, s.trace_state, s.flags,"
    " r.attributes, c.name, c.version, s.id FROM spans s"
    " JOIN resources r ON r.id = s.resource_id JOIN scopes c ON c.id = s.scope_id"
)


PRUNE_CHUNK = 10_000
"""Spans deleted per write when pruning: a delete of 100,000 rows in one write would
hold the store's writer, and with it every batch arriving, for as long as it takes."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How many spans, and how old, the store keeps; pruned in the background."""

    max_spans: int = 1_000_000
    max_age_ns: int = 14 * 24 * 3600 * 1_000_000_000


def span_statements(
    spans: Sequence[SpanRecord], received_ns: int | None = None
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The statements that store `spans`: resources and scopes once each, then the spans."""
    received = received_ns or time.time_ns()
    resources: dict[int, tuple[Any, ...]] = {}
    scopes: dict[int, tuple[Any, ...]] = {}
    rows = []
    for span in spans:
        resource, scope = span.resource, span.scope
        resource_key = resource.key
        scope_key = scope.key
        if resource_key not in resources:
            resources[resource_key] = (
                resource_key,
                dumps(resource.attributes),
                resource.schema_url,
            )
        if scope_key not in scopes:
            scopes[scope_key] = (
                scope_key,
                scope.name,
                scope.version,
                dumps(scope.attributes),
                scope.schema_url,
            )
        rows.append(
            (
                span.trace_id,
                span.span_id,
                span.parent_span_id,
                span.name,
                span.kind,
                span.start_ns,
                span.end_ns,
                span.status_code,
                span.status_message,
                dumps(span.attributes),
                dumps(span.events),
                dumps(span.links),
                span.trace_state,
                span.flags,
                _dropped(span),
                resource_key,
                scope_key,
                resource.service_name,
                received,
            )
        )
    return [
        (INSERT_RESOURCE, list(resources.values())),
        (INSERT_SCOPE, list(scopes.values())),
        (INSERT_SPAN, rows),
    ]


def _dropped(span: SpanRecord) -> str:
    if not (span.dropped_attributes or span.dropped_events or span.dropped_links):
        return "{}"
    return dumps(
        {
            "attributes": span.dropped_attributes,
            "events": span.dropped_events,
            "links": span.dropped_links,
        }
    )


class SpanStore:
    """Adds spans through the store's writer and reads them back as JSON-ready dicts."""

    def __init__(self, store: Store, retention: Retention | None = None) -> None:
        self.store = store
        self.retention = retention or Retention()
        self.counter = SpanCounter()

    async def add(self, spans: Sequence[SpanRecord], wait_for_room: bool = True) -> None:
        """Store spans; returns once they are committed. `wait_for_room=False` raises
        `StoreBusy` at once when the writer's queue is full (the receiver's 503)."""
        if spans:
            await self.store.write(span_statements(spans), wait_for_room=wait_for_room)
            self.counted(spans)

    def counted(self, spans: Sequence[SpanRecord]) -> None:
        """Count committed spans for the stream's rates."""
        errors = sum(1 for s in spans if s.status_code == STATUS_ERROR)
        own_checks = sum(
            1 for s in spans if s.name == names.CHECK and s.resource.service_name == names.SERVICE
        )
        self.counter.record(len(spans), errors, own_checks=own_checks)

    async def recent(self, limit: int = 200) -> list[dict[str, Any]]:
        """The spans stored last, newest first (the live stream)."""
        rows = await self.store.query(
            _SELECT + " ORDER BY s.id DESC LIMIT ?", (limit,), interactive=True
        )
        return [span_document(row) for row in rows]

    async def query(
        self,
        trace_id: bytes | None = None,
        name: str | None = None,
        service: str | None = None,
        since_ns: int | None = None,
        limit: int = 100,
        newest_first: bool = True,
        interactive: bool = False,
    ) -> list[dict[str, Any]]:
        """Spans matching every given filter.

        Filtered by name or trace, they come in start order (both are indexed); else in
        the order they were stored, which a live store keeps close to start order
        without the cost of another index on every insert.
        """
        filters = [
            (condition, value)
            for condition, value in (
                ("s.trace_id = ?", trace_id),
                ("s.name = ?", name),
                ("s.service_name = ?", service),
                ("s.start_ns >= ?", since_ns),
            )
            if value is not None
        ]
        where = [condition for condition, _ in filters]
        params: list[Any] = [value for _, value in filters]
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        order = "DESC" if newest_first else "ASC"
        key = "s.start_ns" if (name is not None or trace_id is not None) else "s.id"
        sql += f" ORDER BY {key} {order}, s.id {order} LIMIT ?"
        params.append(limit)
        rows = await self.store.query(sql, params, interactive=interactive)
        if len(rows) < 1_000:
            return [span_document(row) for row in rows]
        return await asyncio.to_thread(lambda: [span_document(row) for row in rows])

    async def samples(
        self, name: str, limit: int = 10_000, after_start_ns: int | None = None
    ) -> list[Sample]:
        """The newest `limit` spans of one name, oldest first, for a control chart;
        `after_start_ns` fetches only what started since (a live chart's update).
        Both use the (name, start) index."""
        sql = "SELECT id, start_ns, end_ns - start_ns, status_code FROM spans WHERE name = ?"
        params: list[Any] = [name]
        if after_start_ns is not None:
            sql += " AND start_ns > ?"
            params.append(after_start_ns)
        sql += " ORDER BY start_ns DESC LIMIT ?"
        params.append(limit)
        rows = await self.store.query(sql, params)

        def samples() -> list[Sample]:
            return [
                Sample(row[0], row[1], max(0, row[2]) / 1e6, row[3] == STATUS_ERROR)
                for row in reversed(rows)
            ]

        return samples() if len(rows) < 1_000 else await asyncio.to_thread(samples)

    async def for_live_check(
        self, since_ns: int | None = None, limit: int = 100_000
    ) -> list[dict[str, Any]]:
        """The newest spans, as much as a live check reads: name, span id, attributes
        and resource attributes (each resource decoded once)."""
        sql = "SELECT name, span_id, attributes, resource_id, trace_id, service_name FROM spans"
        params: list[Any] = []
        if since_ns is not None:
            sql += " WHERE start_ns >= ?"
            params.append(since_ns)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        rows = await self.store.query(sql, params)
        resources = {
            row[0]: json.loads(row[1])
            for row in await self.store.query("SELECT id, attributes FROM resources")
        }
        loads = json.loads

        def decoded() -> list[dict[str, Any]]:
            return [
                {
                    "name": row[0],
                    "span_id": row[1].hex(),
                    "attributes": loads(row[2]),
                    "resource": resources.get(row[3], {}),
                    "trace_id": row[4].hex(),
                    "service": row[5],
                }
                for row in rows
            ]

        return await asyncio.to_thread(decoded)  # 100,000 JSON documents: off the loop

    async def names(self) -> list[tuple[str, int]]:
        """Every span name with how many spans of it are stored."""
        rows = await self.store.query("SELECT name, COUNT(*) FROM spans GROUP BY name")
        return [(row[0], row[1]) for row in rows]

    async def own_names(self) -> set[str]:
        """The span names only devkit itself records (its operations, not the user's)."""
        rows = await self.store.query(
            "SELECT name FROM spans GROUP BY name HAVING MIN(service_name IS ?)",
            (names.SERVICE,),
        )
        return {row[0] for row in rows}

    async def trace(self, trace_id: bytes) -> list[dict[str, Any]]:
        """Every stored span of one trace, in start order."""
        return await self.query(
            trace_id=trace_id, limit=100_000, newest_first=False, interactive=True
        )

    async def prune(self, now_ns: int | None = None) -> bool:
        """Drop spans received before the retention age, then all but the newest N;
        True when something was dropped. Nothing is written when nothing is due, so a
        store at rest keeps its version.

        Rows are stored in arrival order and only the oldest are ever removed, so ids
        run without gaps: the age cut is a binary search over the primary key, the
        count cut is `max(id) - N`, and the rows go in chunks of `PRUNE_CHUNK`, each its
        own write, so spans arriving meanwhile are stored between them.
        """
        cutoff_ns = (now_ns or time.time_ns()) - self.retention.max_age_ns
        first_kept = await self.first_id_received_since(cutoff_ns)
        bounds = await self.store.query("SELECT min(id), max(id) FROM spans")
        low, high = bounds[0]
        if low is None:
            return False
        cut = max(first_kept - 1, high - self.retention.max_spans)
        if cut < low:
            return False
        while low <= cut:
            upto = min(cut, low + PRUNE_CHUNK - 1)
            await self.store.write([("DELETE FROM spans WHERE id BETWEEN ? AND ?", [(low, upto)])])
            low = upto + 1
        return True

    async def first_id_received_since(self, cutoff_ns: int) -> int:
        """The smallest id received at or after the cutoff (ids grow with arrival)."""
        bounds = await self.store.query("SELECT min(id), max(id) FROM spans")
        low, high = bounds[0]
        if low is None:
            return 0
        high += 1  # one past the end: "nothing is recent enough"
        while low < high:
            middle = (low + high) // 2
            found = await self._first_row_from(middle)
            if found is None or found[1] >= cutoff_ns:
                high = middle
            else:
                low = found[0] + 1
        return low

    async def _first_row_from(self, row_id: int) -> tuple[int, int] | None:
        rows = await self.store.query(
            "SELECT id, received_ns FROM spans WHERE id >= ? ORDER BY id LIMIT 1", (row_id,)
        )
        return (rows[0][0], rows[0][1]) if rows else None


def span_document(row: Iterable[Any]) -> dict[str, Any]:
    """One stored span in the `devkit.spans/1` shape."""
    (
        trace_id,
        span_id,
        parent,
        name,
        kind,
        start,
        end,
        code,
        message,
        attributes,
        events,
        links,
        trace_state,
        flags,
        resource,
        scope_name,
        scope_version,
        row_id,
    ) = tuple(row)
    return {
        "trace_id": trace_id.hex(),
        "span_id": span_id.hex(),
        "parent_span_id": parent.hex() if parent else None,
        "name": name,
        "kind": kind,
        "kind_name": KIND_NAMES.get(kind, str(kind)),
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "duration_ms": (end - start) / 1e6,
        "status": {"code": code, "name": STATUS_NAMES.get(code, str(code)), "message": message},
        "attributes": json.loads(attributes),
        "events": json.loads(events),
        "links": json.loads(links),
        "trace_state": trace_state,
        "flags": flags,
        "resource": json.loads(resource),
        "scope": {"name": scope_name, "version": scope_version},
        "row": row_id,
    }
