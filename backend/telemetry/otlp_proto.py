"""Decode an OTLP `ExportTraceServiceRequest` (protobuf) into span records."""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from backend.telemetry.decoded import Decoded, DecodeProblem, check_ids
from backend.telemetry.model import BYTES_KEY, ResourceRecord, ScopeRecord, SpanRecord


def decode_protobuf(body: bytes) -> Decoded:
    """Parse a protobuf body; raises `DecodeProblem` when it is not a valid request."""
    try:
        request = ExportTraceServiceRequest.FromString(body)
    except (DecodeError, ValueError, RecursionError) as exc:
        raise DecodeProblem(f"not an OTLP protobuf ExportTraceServiceRequest: {exc}") from None
    decoded = Decoded()
    for resource_spans in request.resource_spans:
        resource = ResourceRecord(
            attributes=attributes(resource_spans.resource.attributes),
            schema_url=resource_spans.schema_url,
        )
        for scope_spans in resource_spans.scope_spans:
            scope_message = scope_spans.scope
            scope = ScopeRecord(
                name=scope_message.name,
                version=scope_message.version,
                attributes=attributes(scope_message.attributes),
                schema_url=scope_spans.schema_url,
            )
            for span in scope_spans.spans:
                problem = check_ids(span.trace_id, span.span_id, span.parent_span_id)
                if problem:
                    decoded.reject(problem)
                    continue
                decoded.spans.append(
                    SpanRecord(
                        trace_id=span.trace_id,
                        span_id=span.span_id,
                        parent_span_id=span.parent_span_id or None,
                        name=span.name,
                        kind=span.kind,
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        status_code=span.status.code,
                        status_message=span.status.message,
                        attributes=attributes(span.attributes),
                        events=[
                            {
                                "name": event.name,
                                "time_unix_nano": event.time_unix_nano,
                                "attributes": attributes(event.attributes),
                                "dropped_attributes_count": event.dropped_attributes_count,
                            }
                            for event in span.events
                        ],
                        links=[
                            {
                                "trace_id": link.trace_id.hex(),
                                "span_id": link.span_id.hex(),
                                "trace_state": link.trace_state,
                                "attributes": attributes(link.attributes),
                                "dropped_attributes_count": link.dropped_attributes_count,
                                "flags": link.flags,
                            }
                            for link in span.links
                        ],
                        resource=resource,
                        scope=scope,
                        trace_state=span.trace_state,
                        flags=span.flags,
                        dropped_attributes=span.dropped_attributes_count,
                        dropped_events=span.dropped_events_count,
                        dropped_links=span.dropped_links_count,
                    )
                )
    return decoded


def attributes(pairs: Any) -> dict[str, Any]:
    """Repeated `KeyValue` to a dict of plain JSON values."""
    return {pair.key: value_of(pair.value) for pair in pairs}


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return value.int_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "double_value":
        return value.double_value
    if kind == "array_value":
        return [value_of(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return {BYTES_KEY: base64.b64encode(value.bytes_value).decode()}
    return None


__all__ = ["KeyValue", "decode_protobuf"]
