"""The real OTLP exporters send to the receiver; every field reads back exactly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry.exporter.otlp.json.http.trace_exporter import (
    OTLPSpanExporter as JsonSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, StatusCode

from tests.backend.telemetry.conftest import Receiving

ATTRIBUTES: dict[str, Any] = {
    "s": "text with ünïcode and [markup]",
    "b": True,
    "i": -(2**62),
    "f": 3.25,
    "empty": "",
    "strings": ["a", "b"],
    "bools": [True, False],
    "ints": [1, 2, 3],
    "floats": [0.5, 1.5],
}


def make_spans(service: str) -> list[ReadableSpan]:
    """Real SDK spans covering kinds, statuses, events, links and every attribute type."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service, "n": 7}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("roundtrip.test", "1.2.3")
    with tracer.start_as_current_span("root", kind=SpanKind.SERVER, attributes=ATTRIBUTES) as root:
        root.add_event("cache miss", {"key": "k1", "size": 10, "ratio": 0.25, "hit": False})
        with tracer.start_as_current_span("child", kind=SpanKind.CLIENT) as child:
            child.set_status(StatusCode.ERROR, "connection refused")
        other = root.get_span_context()
    with tracer.start_as_current_span(
        "linked", kind=SpanKind.CONSUMER, links=[Link(other, {"link.kind": "follows", "n": 2})]
    ) as linked:
        linked.set_status(StatusCode.OK)
    for kind in (SpanKind.INTERNAL, SpanKind.PRODUCER):
        with tracer.start_as_current_span(f"kind {kind.name}", kind=kind):
            pass
    provider.shutdown()
    return list(memory.get_finished_spans())


def expected(span: ReadableSpan) -> dict[str, Any]:
    def plain(attributes: Any) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in (attributes or {}).items()}

    context = span.context
    return {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "name": span.name,
        "kind": span.kind.value + 1,
        "start_time_unix_nano": span.start_time,
        "end_time_unix_nano": span.end_time,
        "status": (span.status.status_code.value, span.status.description or ""),
        "attributes": plain(span.attributes),
        "events": [(e.name, e.timestamp, plain(e.attributes)) for e in span.events],
        "links": [
            (
                f"{link.context.trace_id:032x}",
                f"{link.context.span_id:016x}",
                plain(link.attributes),
            )
            for link in span.links
        ],
        "resource": plain(span.resource.attributes),
        "scope": {"name": "roundtrip.test", "version": "1.2.3"},
    }


def stored(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "trace_id": row["trace_id"],
        "span_id": row["span_id"],
        "parent_span_id": row["parent_span_id"],
        "name": row["name"],
        "kind": row["kind"],
        "start_time_unix_nano": row["start_time_unix_nano"],
        "end_time_unix_nano": row["end_time_unix_nano"],
        "status": (row["status"]["code"], row["status"]["message"]),
        "attributes": row["attributes"],
        "events": [(e["name"], e["time_unix_nano"], e["attributes"]) for e in row["events"]],
        "links": [(lk["trace_id"], lk["span_id"], lk["attributes"]) for lk in row["links"]],
        "resource": row["resource"],
        "scope": row["scope"],
    }


async def send_and_read_back(receiving: Receiving, exporter: Any, service: str) -> None:
    spans = make_spans(service)
    result = await asyncio.to_thread(exporter.export, spans)
    assert result is SpanExportResult.SUCCESS
    rows = await receiving.backend.spans.query(service=service, limit=1000)
    by_id = {row["span_id"]: stored(row) for row in rows}
    assert len(by_id) == len(spans) == 5
    for span in spans:
        want = expected(span)
        got = by_id[want["span_id"]]
        assert got == want
        assert type(got["attributes"].get("f", 0.0)) is float
    exporter.shutdown()


async def test_protobuf_exporter_round_trip(receiving: Receiving) -> None:
    exporter = OTLPSpanExporter(endpoint=receiving.traces_url)
    await send_and_read_back(receiving, exporter, "proto-service")


async def test_protobuf_gzip_round_trip(receiving: Receiving) -> None:
    exporter = OTLPSpanExporter(endpoint=receiving.traces_url, compression=Compression.Gzip)
    await send_and_read_back(receiving, exporter, "gzip-service")


async def test_json_exporter_round_trip(receiving: Receiving) -> None:
    exporter = JsonSpanExporter(endpoint=receiving.traces_url)
    await send_and_read_back(receiving, exporter, "json-service")


async def test_trace_query_returns_the_whole_trace_in_order(receiving: Receiving) -> None:
    exporter = OTLPSpanExporter(endpoint=receiving.traces_url)
    spans = make_spans("trace-service")
    await asyncio.to_thread(exporter.export, spans)
    root = next(s for s in spans if s.name == "root")
    trace = await receiving.backend.spans.trace(root.context.trace_id.to_bytes(16, "big"))
    assert [row["name"] for row in trace] == ["root", "child"]
    exporter.shutdown()


@pytest.mark.parametrize("chunk", [10_000, 4])
async def test_retention_by_age_and_by_count(
    receiving: Receiving, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same spans kept whether the old ones go in one write or in chunks of 4."""
    from backend.telemetry import span_store
    from backend.telemetry.model import ResourceRecord, ScopeRecord, SpanRecord

    monkeypatch.setattr(span_store, "PRUNE_CHUNK", chunk)
    from backend.telemetry.span_store import Retention, SpanStore, span_statements

    store = receiving.backend.store
    resource, scope = ResourceRecord({"service.name": "old"}), ScopeRecord("t")

    def record(number: int) -> SpanRecord:
        return SpanRecord(
            bytes.fromhex("ab" * 16),
            number.to_bytes(8, "big"),
            None,
            f"s{number}",
            1,
            number,
            number + 1,
            0,
            "",
            {},
            [],
            [],
            resource,
            scope,
        )

    # 30 spans received at 100, 110, ... 390 ns: the first 10 are older than 200 ns.
    for number in range(1, 31):
        await store.write(span_statements([record(number)], received_ns=90 + 10 * number))
    spans = SpanStore(store, Retention(max_spans=15, max_age_ns=200))
    await spans.prune(now_ns=400)
    kept = [r["name"] for r in await spans.query(service="old", limit=100, newest_first=False)]
    assert kept == [f"s{n}" for n in range(16, 31)]  # age drops 1-10, count keeps the newest 15
    await SpanStore(store, Retention(max_spans=100, max_age_ns=50)).prune(now_ns=400)
    kept = [r["name"] for r in await spans.query(service="old", limit=100, newest_first=False)]
    assert kept == [f"s{n}" for n in range(26, 31)]  # received at 350 and later
    version = store.version
    assert not await SpanStore(store, Retention(max_spans=100, max_age_ns=50)).prune(now_ns=400)
    assert store.version == version  # nothing due: nothing written, the version stays
