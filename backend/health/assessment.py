"""Every project's health and entropy from one inventory: lock drift from the parsed
locks, span health from the store, semantic drift from the last live check."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from backend.health.drift import lock_drift_all
from backend.health.entropy import (
    EntropyReport,
    SpanHealth,
    TraceRef,
    assess,
    usages_by_project,
)
from backend.health.history import TRACES_PER_INDICATOR, span_health
from backend.inventory.model import Inventory
from backend.store.database import Store
from backend.workspace.parse_cache import ParseCache
from backend.workspace.scanner import ProjectScan

if TYPE_CHECKING:
    from backend.weaver.report import CheckReport


async def assess_projects(
    inventory: Inventory,
    scans: dict[Path, ProjectScan],
    cache: ParseCache,
    store: Store | None,
    last_check: CheckReport | None,
    services: dict[str, str] | None = None,
) -> list[EntropyReport]:
    """One report per project of the inventory; without a store, no span evidence.
    `services` maps service names to projects, past those named after a project."""
    evidence = await asyncio.to_thread(lock_drift_all, scans, cache)
    names = [p.name for p in inventory.projects]
    spans = await span_health(store, names, services) if store is not None else {}
    if last_check is not None:
        spans = {name: with_semantic(name, health, last_check) for name, health in spans.items()}
    usages = usages_by_project(inventory)
    return [
        assess(
            info.name,
            inventory,
            evidence.get(info.path, []),
            spans.get(info.name, SpanHealth()),
            usages.get(info.name, []),
        )
        for info in inventory.projects
    ]


def with_semantic(project: str, health: SpanHealth, report: CheckReport) -> SpanHealth:
    """The live check's violations in the project's spans (by service name)."""
    count = report.service_violations.get(project, 0)
    if not count:
        return health
    registry = str(report.service_registry[project])
    violations = [f for f in report.live_findings
                  if f.level == "violation" and f.registry == registry]  # fmt: skip
    ids = Counter(f.id for f in violations)
    evidence = tuple(f"{n} x {finding_id}" for finding_id, n in ids.most_common())
    spans = [f for f in reversed(violations) if f.trace_id]  # the newest spans first
    traces = tuple(
        TraceRef("semantic-drift", f"{f.signal_name or f.id}: {f.message}", f.trace_id or "",
                 f.span_id or "")
        for f in spans[:TRACES_PER_INDICATOR]
    )  # fmt: skip
    return replace(
        health, semantic=evidence, semantic_violations=count, traces=health.traces + traces
    )
