"""What a decoder hands back: the spans it accepted and why it rejected the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.telemetry.model import SpanRecord


class DecodeProblem(ValueError):
    """The whole body is unusable (the receiver answers 400)."""


@dataclass(slots=True)
class Decoded:
    spans: list[SpanRecord] = field(default_factory=list)
    rejected: int = 0
    reason: str = ""

    def reject(self, reason: str) -> None:
        """Count one rejected span; the first reason is the one reported."""
        self.rejected += 1
        if not self.reason:
            self.reason = reason


def check_ids(trace_id: bytes, span_id: bytes, parent_span_id: bytes) -> str | None:
    """OTLP ids: 16-byte trace id and 8-byte span id, neither all zeros."""
    if len(trace_id) != 16 or not any(trace_id):
        return f"invalid trace id {trace_id.hex()!r}: must be 16 bytes, not all zero"
    if len(span_id) != 8 or not any(span_id):
        return f"invalid span id {span_id.hex()!r}: must be 8 bytes, not all zero"
    if parent_span_id and len(parent_span_id) != 8:
        return f"invalid parent span id {parent_span_id.hex()!r}: must be 8 bytes"
    return None
