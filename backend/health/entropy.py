"""A project's health and entropy: one number with the reasons behind it.

    health  = (success rate + clean share + lock in sync) / 3
      success rate  the share of the project's operation spans without error status
                    (1 when it has none yet)
      clean share   the share of its packages flagged neither conflict, drift nor missing
                    (1 when it has none)
      lock in sync  1 when its uv.lock agrees with pyproject.toml (or there is no
                    uv.lock to disagree), else 0
    entropy = 0.4 * (1 - health) + 0.3 * min(1, drift indicators / 5)
              + 0.3 * min(1, validation errors / 10)

A drift indicator counts once when it fires, whatever its evidence holds. Validation
errors are the project's unreadable files plus semantic-convention violations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from backend.inventory.model import Inventory, Usage

INDICATORS = {
    "lock-drift": "uv.lock is out of date with pyproject.toml",
    "environment-drift": "what is installed differs from what is locked",
    "version-drift": "other projects lock or install other versions",
    "dependency-conflict": "a locked or installed version breaks a declared specifier",
    "vulnerable-dependency": "a locked or installed version has a known vulnerability",
    "policy-violation": "a package breaks a rule of the team's policy bundle",
    "performance-drift": "a Nelson rule tripped on one of the project's operations",
    "error-rate-drift": "the project's error rate left its p-chart limits",
    "semantic-drift": "spans break the semantic-convention registry",
}
LEVELS = ((0.8, "CRITICAL"), (0.6, "HIGH"), (0.3, "MEDIUM"), (0.0, "LOW"))


class TraceRef(NamedTuple):
    """A span that shows an indicator's evidence: a point that broke a rule, a span
    that breaks the registry (ids in hex, as the trace view takes them)."""

    indicator: str
    label: str
    trace_id: str
    span_id: str

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "trace_id": self.trace_id, "span_id": self.span_id}


@dataclass(frozen=True, slots=True)
class Indicator:
    kind: str
    evidence: tuple[str, ...]
    traces: tuple[TraceRef, ...] = ()

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "kind": self.kind,
            "meaning": INDICATORS[self.kind],
            "evidence": list(self.evidence),
        }
        if self.traces:
            document["traces"] = [t.as_json() for t in self.traces]
        return document


@dataclass(frozen=True, slots=True)
class SpanHealth:
    """What the span store says about one project's operations."""

    operations: int = 0
    errors: int = 0
    performance: tuple[str, ...] = ()
    """Evidence of Nelson rules tripped, one line per operation."""
    error_rate: tuple[str, ...] = ()
    """Evidence of p-chart signals."""
    semantic: tuple[str, ...] = ()
    """Evidence of semantic-convention violations in the project's spans."""
    semantic_violations: int = 0
    traces: tuple[TraceRef, ...] = ()
    """Spans to open for the performance, error-rate and semantic evidence."""


@dataclass(frozen=True, slots=True)
class EntropyReport:
    project: str
    health: float
    success_rate: float
    clean_share: float
    lock_in_sync: bool
    indicators: tuple[Indicator, ...]
    validation_errors: int
    score: float
    level: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "health": round(self.health, 4),
            "components": {
                "success_rate": round(self.success_rate, 4),
                "clean_share": round(self.clean_share, 4),
                "lock_in_sync": self.lock_in_sync,
            },
            "drift_indicators": len(self.indicators),
            "indicators": [i.as_json() for i in self.indicators],
            "validation_errors": self.validation_errors,
            "score": round(self.score, 4),
            "level": self.level,
            **self.details,
        }


def entropy_score(health: float, drift_indicators: int, validation_errors: int) -> float:
    return (
        0.4 * (1 - health)
        + 0.3 * min(1.0, drift_indicators / 5)
        + 0.3 * min(1.0, validation_errors / 10)
    )


def level_of(score: float) -> str:
    return next(name for floor, name in LEVELS if score >= floor)


def usages_by_project(inventory: Inventory) -> dict[str, list[tuple[str, Usage]]]:
    """(package name, usage) pairs of each project, in one pass over the inventory."""
    out: dict[str, list[tuple[str, Usage]]] = {}
    for row in inventory.packages.values():
        for usage in row.usages:
            out.setdefault(usage.project, []).append((row.name, usage))
    return out


def assess(
    project: str,
    inventory: Inventory,
    lock_evidence: Sequence[str],
    spans: SpanHealth,
    usages: list[tuple[str, Usage]] | None = None,
) -> EntropyReport:
    """The report for one project of the inventory (`usages` from `usages_by_project`,
    when many projects are assessed at once)."""
    info = next(p for p in inventory.projects if p.name == project)
    if usages is None:
        usages = usages_by_project(inventory).get(project, [])
    flagged = {"conflict", "drift", "missing"}
    clean = sum(1 for _, u in usages if not (u.flags | _row_flags(inventory, _)) & flagged)
    clean_share = clean / len(usages) if usages else 1.0
    success = 1 - spans.errors / spans.operations if spans.operations else 1.0
    health = (success + clean_share + (0.0 if lock_evidence else 1.0)) / 3

    def names_with(flag: str, per_usage: bool = True) -> tuple[str, ...]:
        return tuple(
            sorted(
                name
                for name, usage in usages
                if flag in (usage.flags if per_usage else _row_flags(inventory, name))
            )
        )

    environment = [
        f"{name} installed {u.installed}, locked {', '.join(u.locked)}"
        for name, u in sorted(usages, key=lambda x: x[0])
        if "env-drift" in u.flags
    ] + [f"{name} is locked but not installed" for name in names_with("missing")]
    versions = [
        f"{name}: {', '.join(sorted(_versions(inventory, name)))} across projects"
        for name in names_with("drift", per_usage=False)
    ]
    conflicts = [f"{name} breaks its declared specifier" for name in names_with("conflict")]
    vulnerable = [f"{name} has a known vulnerability" for name in names_with("vulnerable")]
    policy = [f"{name} breaks a rule of the policy bundle" for name in names_with("policy")]
    candidates = [
        ("lock-drift", tuple(lock_evidence)),
        ("environment-drift", tuple(environment)),
        ("version-drift", tuple(versions)),
        ("dependency-conflict", tuple(conflicts)),
        ("vulnerable-dependency", tuple(vulnerable)),
        ("policy-violation", tuple(policy)),
        ("performance-drift", spans.performance),
        ("error-rate-drift", spans.error_rate),
        ("semantic-drift", spans.semantic),
    ]
    indicators = tuple(
        Indicator(kind, evidence, tuple(t for t in spans.traces if t.indicator == kind))
        for kind, evidence in candidates
        if evidence
    )
    validation = len(info.errors) + spans.semantic_violations
    score = entropy_score(health, len(indicators), validation)
    return EntropyReport(
        project=project,
        health=health,
        success_rate=success,
        clean_share=clean_share,
        lock_in_sync=not lock_evidence,
        indicators=indicators,
        validation_errors=validation,
        score=score,
        level=level_of(score),
        details={"operations": spans.operations, "operation_errors": spans.errors},
    )


def _row_flags(inventory: Inventory, name: str) -> set[str]:
    row = inventory.packages.get(name)
    return row.flags if row is not None else set()


def _versions(inventory: Inventory, name: str) -> set[str]:
    row = inventory.packages[name]
    out: set[str] = set()
    for usage in row.usages:
        out.update(usage.locked)
        if usage.installed:
            out.add(usage.installed)
    return out
