"""Spans per second and recent errors, counted as spans are stored (no table scan)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

WINDOW_S = 300.0


@dataclass(frozen=True, slots=True)
class SpanRates:
    """What the span stream's header shows."""

    stored: int
    per_second: float
    errors: int
    """Error spans stored in the last five minutes."""


class SpanCounter:
    """A sliding log of (time, spans, errors) per stored batch, five minutes long."""

    def __init__(self) -> None:
        self.stored = 0
        self.checkable = 0
        """Spans stored but devkit's own checks: what can change the next check's findings
        (a check's own span must not ask for another check)."""
        self._log: deque[tuple[float, int, int]] = deque()

    def record(
        self, spans: int, errors: int, now: float | None = None, own_checks: int = 0
    ) -> None:
        moment = time.monotonic() if now is None else now
        self.stored += spans
        self.checkable += spans - own_checks
        self._log.append((moment, spans, errors))
        while self._log and self._log[0][0] < moment - WINDOW_S:
            self._log.popleft()

    def rates(self, rate_window_s: float = 10.0, now: float | None = None) -> SpanRates:
        moment = time.monotonic() if now is None else now
        recent = sum(n for t, n, _ in self._log if t >= moment - rate_window_s)
        errors = sum(e for t, _, e in self._log if t >= moment - WINDOW_S)
        return SpanRates(self.stored, recent / rate_window_s, errors)
