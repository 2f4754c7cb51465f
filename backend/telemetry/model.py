"""Spans as the store keeps them, whatever they arrived as (OTLP protobuf, OTLP JSON,
our own SDK spans).

Attribute values are kept in their JSON types: strings, booleans, integers, floats,
lists and maps (OTLP's `kvlistValue`). OTLP's `bytesValue` has no JSON type; it is
kept as `{"$bytes": "<base64>"}`. Ids are raw bytes here and lowercase hex outside.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import orjson

# Status codes and span kinds, as OTLP numbers them.
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
STATUS_NAMES = {STATUS_UNSET: "unset", STATUS_OK: "ok", STATUS_ERROR: "error"}
KIND_NAMES = {
    0: "unspecified",
    1: "internal",
    2: "server",
    3: "client",
    4: "producer",
    5: "consumer",
}
BYTES_KEY = "$bytes"


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """The entity that produced spans (`service.name` and friends)."""

    attributes: dict[str, Any]
    schema_url: str = ""
    key: int = field(init=False, compare=False)
    """Computed once: every span of a request shares its resource object."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", content_key("resource", self.attributes, self.schema_url))

    @property
    def service_name(self) -> str | None:
        value = self.attributes.get("service.name")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class ScopeRecord:
    """The instrumentation scope (library) that made the spans."""

    name: str
    version: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    schema_url: str = ""
    key: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "key",
            content_key("scope", self.name, self.version, self.attributes, self.schema_url),
        )


@dataclass(slots=True)
class SpanRecord:
    """One finished span."""

    trace_id: bytes
    span_id: bytes
    parent_span_id: bytes | None
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status_code: int
    status_message: str
    attributes: dict[str, Any]
    events: list[dict[str, Any]]
    links: list[dict[str, Any]]
    resource: ResourceRecord
    scope: ScopeRecord
    trace_state: str = ""
    flags: int = 0
    dropped_attributes: int = 0
    dropped_events: int = 0
    dropped_links: int = 0

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


def content_key(*parts: Any) -> int:
    """A stable 63-bit key for a resource or scope, so rows need no id look-up."""
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.blake2b(payload, digest_size=8).digest(), "big") >> 1


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(value: Any) -> str:
    """Compact JSON for storage (attributes, events, links), written by orjson: a
    tenth of the receiver's time went to the standard encoder. orjson writes NaN and
    infinities as `null` and refuses integers past 64 bits; either sends the value
    through the standard encoder, which keeps them (a `null` of any other kind too,
    rare enough that telling them apart is not worth a walk of the value)."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    try:
        text = orjson.dumps(value)
    except orjson.JSONEncodeError:
        return _ENCODE(value)
    if b"null" in text:
        return _ENCODE(value)
    return text.decode()


@dataclass(frozen=True, slots=True)
class Sample:
    """One span: when it started, how long it took, whether it failed."""

    row: int
    start_ns: int
    duration_ms: float
    error: bool
