"""Decode an OTLP/JSON `ExportTraceServiceRequest` into span records.

The OTLP JSON mapping differs from protobuf's canonical JSON: ids are hex strings,
enums are numbers, 64-bit integers may be strings. Keys are lowerCamelCase; the
snake_case spelling is accepted too, as protobuf's own JSON parser does.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from backend.telemetry.decoded import Decoded, DecodeProblem, check_ids
from backend.telemetry.model import BYTES_KEY, ResourceRecord, ScopeRecord, SpanRecord

_KINDS = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_STATUS = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}


def decode_json(body: bytes | str) -> Decoded:
    """Parse a JSON body; raises `DecodeProblem` when it is not an OTLP request."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DecodeProblem(f"not JSON: {str(exc)[:200]}") from None
    return decode_request(document)


def decode_request(document: Any) -> Decoded:
    """An already parsed JSON value, checked to be an `ExportTraceServiceRequest`."""
    if not isinstance(document, dict):
        raise DecodeProblem("not an OTLP ExportTraceServiceRequest: the body is not an object")
    unknown = set(document) - {"resourceSpans", "resource_spans"}
    if unknown:
        raise DecodeProblem(
            "not an OTLP ExportTraceServiceRequest: unexpected field "
            + ", ".join(repr(k) for k in sorted(unknown)[:3])
        )
    decoded = Decoded()
    try:
        for resource_spans in _list(_get(document, "resourceSpans")):
            resource_message = _object(_get(resource_spans, "resource"))
            resource = ResourceRecord(
                attributes=_attributes(_get(resource_message, "attributes")),
                schema_url=_string(_get(resource_spans, "schemaUrl")),
            )
            for scope_spans in _list(_get(resource_spans, "scopeSpans")):
                scope_message = _object(_get(scope_spans, "scope"))
                scope = ScopeRecord(
                    name=_string(_get(scope_message, "name")),
                    version=_string(_get(scope_message, "version")),
                    attributes=_attributes(_get(scope_message, "attributes")),
                    schema_url=_string(_get(scope_spans, "schemaUrl")),
                )
                for span in _list(_get(scope_spans, "spans")):
                    _span(_object(span), resource, scope, decoded)
    except (TypeError, ValueError, binascii.Error, RecursionError) as exc:
        raise DecodeProblem(f"not an OTLP ExportTraceServiceRequest: {exc}") from None
    return decoded


def _span(
    span: dict[str, Any], resource: ResourceRecord, scope: ScopeRecord, decoded: Decoded
) -> None:
    trace_id = _hex(_get(span, "traceId"))
    span_id = _hex(_get(span, "spanId"))
    parent = _hex(_get(span, "parentSpanId"))
    problem = check_ids(trace_id, span_id, parent)
    if problem:
        decoded.reject(problem)
        return
    status = _object(_get(span, "status"))
    decoded.spans.append(
        SpanRecord(
            trace_id=trace_id,
            span_id=span_id,
            parent_span_id=parent or None,
            name=_string(_get(span, "name")),
            kind=_enum(_get(span, "kind"), _KINDS),
            start_ns=_int(_get(span, "startTimeUnixNano")),
            end_ns=_int(_get(span, "endTimeUnixNano")),
            status_code=_enum(_get(status, "code"), _STATUS),
            status_message=_string(_get(status, "message")),
            attributes=_attributes(_get(span, "attributes")),
            events=[
                {
                    "name": _string(_get(event, "name")),
                    "time_unix_nano": _int(_get(event, "timeUnixNano")),
                    "attributes": _attributes(_get(event, "attributes")),
                    "dropped_attributes_count": _int(_get(event, "droppedAttributesCount")),
                }
                for event in map(_object, _list(_get(span, "events")))
            ],
            links=[
                {
                    "trace_id": _hex(_get(link, "traceId")).hex(),
                    "span_id": _hex(_get(link, "spanId")).hex(),
                    "trace_state": _string(_get(link, "traceState")),
                    "attributes": _attributes(_get(link, "attributes")),
                    "dropped_attributes_count": _int(_get(link, "droppedAttributesCount")),
                    "flags": _int(_get(link, "flags")),
                }
                for link in map(_object, _list(_get(span, "links")))
            ],
            resource=resource,
            scope=scope,
            trace_state=_string(_get(span, "traceState")),
            flags=_int(_get(span, "flags")),
            dropped_attributes=_int(_get(span, "droppedAttributesCount")),
            dropped_events=_int(_get(span, "droppedEventsCount")),
            dropped_links=_int(_get(span, "droppedLinksCount")),
        )
    )


def _get(message: dict[str, Any], camel: str) -> Any:
    if camel in message:
        return message[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return message.get(snake)


def _attributes(pairs: Any) -> dict[str, Any]:
    out = {}
    for pair in _list(pairs):
        pair = _object(pair)
        out[_string(_get(pair, "key"))] = _value(_get(pair, "value"))
    return out


def _value(value: Any) -> Any:
    if value is None:
        return None
    value = _object(value)
    if "stringValue" in value or "string_value" in value:
        return _string(_get(value, "stringValue"))
    if "boolValue" in value or "bool_value" in value:
        flag = _get(value, "boolValue")
        if not isinstance(flag, bool):
            raise TypeError(f"boolValue must be true or false, not {flag!r}")
        return flag
    if "intValue" in value or "int_value" in value:
        return _int(_get(value, "intValue"))
    if "doubleValue" in value or "double_value" in value:
        return _double(_get(value, "doubleValue"))
    if "arrayValue" in value or "array_value" in value:
        return [_value(v) for v in _list(_get(_object(_get(value, "arrayValue")), "values"))]
    if "kvlistValue" in value or "kvlist_value" in value:
        return _attributes(_get(_object(_get(value, "kvlistValue")), "values"))
    if "bytesValue" in value or "bytes_value" in value:
        raw = base64.b64decode(_string(_get(value, "bytesValue")), validate=True)
        return {BYTES_KEY: base64.b64encode(raw).decode()}
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _object(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def _string(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected an integer, found {value!r}"[:120])
    return int(value)


def _double(value: Any) -> float:
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, found {value!r}"[:120])
    result = float(value)
    if math.isnan(result) and not isinstance(value, float):
        raise ValueError("invalid double")
    return result


def _enum(value: Any, names: dict[str, int]) -> int:
    if isinstance(value, str) and value in names:
        return names[value]
    return _int(value)


def _hex(value: Any) -> bytes:
    text = _string(value)
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"id {text[:40]!r} is not hexadecimal") from None
