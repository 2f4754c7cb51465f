"""devkit's own tracer: every backend operation is an SDK span that lands in the store
beside received spans (and, on request, goes to a Collector too)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from functools import lru_cache

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Span, Tracer

from backend.telemetry import names
from backend.telemetry.model import ResourceRecord, ScopeRecord, SpanRecord
from backend.version import __version__

SERVICE_NAME = names.SERVICE
SCOPE_NAME = "devkit.backend"
EXPORT_DELAY_MS = 500
_log = logging.getLogger(__name__)


class StoreSpanExporter(SpanExporter):
    """Hands finished SDK spans to the store; runs in the batch processor's thread."""

    def __init__(self, deliver: Callable[[list[SpanRecord]], None]) -> None:
        self._deliver = deliver

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            self._deliver([record_from_sdk(span) for span in spans])
        except Exception:  # the store is gone (shutting down) or full: drop, never raise
            _log.warning("dropped %d devkit spans", len(spans), exc_info=True)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS


def deliver_to_loop(
    loop: asyncio.AbstractEventLoop, add: Callable[[list[SpanRecord]], object]
) -> Callable[[list[SpanRecord]], None]:
    """A thread-safe `deliver` that stores spans with the loop's coroutine `add`."""

    def deliver(records: list[SpanRecord]) -> None:
        future = asyncio.run_coroutine_threadsafe(add(records), loop)  # type: ignore[arg-type]
        future.result(timeout=30)  # back-pressure for the exporting thread, never the loop

    return deliver


def make_provider(exporter: SpanExporter, forward_endpoint: str | None = None) -> TracerProvider:
    """A private provider (never the global one): tests and two backends stay apart."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": SERVICE_NAME, "service.version": __version__})
    )
    provider.add_span_processor(
        BatchSpanProcessor(
            exporter, schedule_delay_millis=EXPORT_DELAY_MS, max_export_batch_size=512
        )
    )
    if forward_endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Endpoint from --otlp-export; headers, timeout, compression and certificates
        # from the usual OTEL_EXPORTER_OTLP_* variables, as the exporter reads them.
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=forward_endpoint)))
    return provider


def tracer_of(provider: TracerProvider) -> Tracer:
    return provider.get_tracer(SCOPE_NAME, __version__)


def record_from_sdk(span: ReadableSpan) -> SpanRecord:
    """An SDK span as a store record."""
    context = span.context
    assert context is not None
    parent = span.parent
    scope = span.instrumentation_scope
    return SpanRecord(
        trace_id=context.trace_id.to_bytes(16, "big"),
        span_id=context.span_id.to_bytes(8, "big"),
        parent_span_id=parent.span_id.to_bytes(8, "big") if parent else None,
        name=span.name,
        kind=span.kind.value + 1,  # the SDK counts from INTERNAL = 0; OTLP from UNSPECIFIED
        start_ns=span.start_time or 0,
        end_ns=span.end_time or 0,
        status_code=span.status.status_code.value,
        status_message=span.status.description or "",
        attributes=_plain(span.attributes),
        events=[
            {
                "name": event.name,
                "time_unix_nano": event.timestamp,
                "attributes": _plain(event.attributes),
                "dropped_attributes_count": 0,
            }
            for event in span.events
        ],
        links=[
            {
                "trace_id": link.context.trace_id.to_bytes(16, "big").hex(),
                "span_id": link.context.span_id.to_bytes(8, "big").hex(),
                "trace_state": link.context.trace_state.to_header(),
                "attributes": _plain(link.attributes),
                "dropped_attributes_count": 0,
                "flags": int(link.context.trace_flags),
            }
            for link in span.links
        ],
        resource=_resource(span.resource),
        scope=_scope(scope.name, scope.version or "") if scope else _scope("", ""),
        trace_state=context.trace_state.to_header(),
        flags=int(context.trace_flags),
        dropped_attributes=span.dropped_attributes,
        dropped_events=span.dropped_events,
        dropped_links=span.dropped_links,
    )


@lru_cache(maxsize=32)
def _resource(resource: Resource) -> ResourceRecord:
    """One record per SDK resource: all our spans share it, and its key costs a hash."""
    return ResourceRecord(dict(resource.attributes), resource.schema_url or "")


@lru_cache(maxsize=64)
def _scope(name: str, version: str) -> ScopeRecord:
    return ScopeRecord(name, version)


def _plain(attributes: object) -> dict[str, object]:
    if not attributes:
        return {}
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in attributes.items()  # type: ignore[attr-defined]
    }


def trace_id_of(span: Span) -> str | None:
    """The 32-hex trace id of an OpenTelemetry span, or None for a no-op span."""
    context = span.get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None
