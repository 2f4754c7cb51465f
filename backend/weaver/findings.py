"""A finding, as Weaver reports one: an id, a level, a message, and where."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

LEVELS = ("violation", "improvement", "information")


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    group: str | None = None
    attribute: str | None = None
    signal_type: str | None = None
    signal_name: str | None = None
    span_id: str | None = None
    trace_id: str | None = None
    registry: str | None = None
    """Which registry the finding is about (a report can hold several)."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def statistics(findings: list[Finding], samples: int = 0, coverage: Any = None) -> dict[str, Any]:
    """The summary Weaver's report ends with: totals by level and by id."""
    return {
        "total": len(findings),
        "by_level": {level: sum(1 for f in findings if f.level == level) for level in LEVELS},
        "by_id": dict(sorted(Counter(f.id for f in findings).items())),
        "samples": samples,
        "coverage": coverage,
    }
