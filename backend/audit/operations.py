"""The operation log: every operation devkit performs is one span of its own tracer and
one audit entry that carries the span's trace id, the operation's duration and outcome.

Scan, check, export, verify and update all go through it, so an entry and its span can
never disagree on what happened. Storage trouble while auditing is reported as a
problem, never raised: the operation itself already happened.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import Span, StatusCode, Tracer

from backend.audit.chain import Verification
from backend.audit.entries import AuditEntry, AuditFilter, PackageChange
from backend.audit.log import AuditLog
from backend.store.database import Store, StoreError
from backend.telemetry import names
from backend.telemetry.tracing import trace_id_of


@dataclass(slots=True)
class Operation:
    """What a running operation will say in its audit entry; the body fills it in."""

    span: Span
    project: str | None = None
    packages: Sequence[PackageChange] = ()
    details: dict[str, Any] = field(default_factory=dict)
    result: str = "success"
    audited: bool = True
    """False when there is nothing to audit it in (no store: said once, where it failed),
    or nothing new to say (an automatic re-check that found what the last one found)."""


class OperationLog:
    """Wraps operations in their span and their audit entry; keeps ingest sessions."""

    def __init__(
        self,
        store: Store,
        tracer: Callable[[], Tracer],
        ready: Callable[[], Awaitable[None]],
        report: Callable[[str], None],
    ) -> None:
        self.clock: Callable[[], int] = time.time_ns
        """Stamps entries and times durations (fixed in snapshot tests)."""
        self.audit = AuditLog(store, clock=lambda: self.clock())
        self._tracer = tracer
        self._ready = ready
        self._report = report
        self._sessions: dict[str, tuple[int, int, dict[str, object]]] = {}

    @contextlib.asynccontextmanager
    async def operation(
        self,
        action: str,
        span_name: str,
        *,
        attributes: dict[str, Any] | None = None,
        start_time: int | None = None,
        started_ns: int | None = None,
    ) -> AsyncIterator[Operation]:
        """Run the body inside the span `span_name`, then audit it as `action`.

        `started_ns` (on this log's clock) is when the operation began, if that was
        before the call (a scan waiting for its lock). An operation that raises is not
        audited here: the caller reports the error.
        """
        begun = self.clock() if started_ns is None else started_ns
        with self._tracer().start_as_current_span(
            span_name, start_time=start_time, attributes=attributes
        ) as span:
            operation = Operation(span)
            yield operation
        if not operation.audited:
            return
        await self.record(
            action,
            project=operation.project,
            packages=operation.packages,
            details=operation.details,
            result=operation.result,
            duration_ms=(self.clock() - begun) / 1e6,
            trace_id=trace_id_of(span),
        )

    async def record(self, action: str, **fields: Any) -> None:
        """Append an audit entry; storage trouble is reported, never raised."""
        try:
            await self._ready()
            await self.audit.record(action, **fields)
        except StoreError as exc:
            self._report(f"could not write the audit log: {exc}")

    async def entries(self, wanted: AuditFilter | None = None) -> list[AuditEntry]:
        """Audit entries as the filter says (raises `StoreError` without a store)."""
        await self._ready()
        return await self.audit.entries(wanted)

    async def export(self, wanted: AuditFilter, export: str) -> list[AuditEntry]:
        """The entries for an export (`json`, `csv`); the export itself is audited,
        after it was read, with its size."""
        await self._ready()
        async with self.operation("export", names.AUDIT_EXPORT) as operation:
            entries = await self.audit.entries(wanted)
            operation.span.set_attributes(
                {names.AUDIT_ENTRY_COUNT: len(entries), names.AUDIT_FORMAT: export}
            )
            operation.project = wanted.project
            operation.details = {
                "format": export,
                "entries": len(entries),
                "filters": wanted.as_json(),
                "last_seq": entries[-1].seq if entries else None,
            }
        return entries

    async def verify(self) -> Verification:
        """Walk the hash chain; the verification is audited with its outcome."""
        await self._ready()
        async with self.operation("verify", names.AUDIT_VERIFY) as operation:
            result = await self.audit.verify()
            operation.span.set_attribute(names.AUDIT_ENTRY_COUNT, result.entries)
            if not result.ok:
                operation.span.set_status(StatusCode.ERROR, result.problem)
                operation.span.set_attribute(names.ERROR_TYPE, "broken_chain")
            operation.details = result.as_json()
            operation.result = "success" if result.ok else "failure"
        return result

    async def session_started(
        self, source: str, details: dict[str, object], spans_stored: int
    ) -> None:
        """An ingest session (receiver, watcher) begins: `ingest-start`."""
        self._sessions[source] = (self.clock(), spans_stored, details)
        await self.record("ingest-start", details={"source": source, **details})

    async def session_stopped(self, source: str, spans_stored: int) -> None:
        started_ns, stored_before, details = self._sessions.pop(source)
        await self.record(
            "ingest-stop",
            details={"source": source, **details, "spans_stored": spans_stored - stored_before},
            duration_ms=(self.clock() - started_ns) / 1e6,
        )

    def open_sessions(self) -> list[str]:
        return list(self._sessions)

    async def audit_config(self, current: dict[str, object]) -> None:
        """`config-change` when the lasting settings differ from the last ones audited."""
        last = await self.audit.entries(
            AuditFilter(action="config-change", limit=1, newest_first=True)
        )
        before = last[0].details.get("config", {}) if last else {}
        changed = {
            key: {"from": before.get(key), "to": value}
            for key, value in current.items()
            if key not in before or before[key] != value
        }
        if changed:
            await self.audit.record(
                "config-change", details={"config": current, "changed": changed}
            )
