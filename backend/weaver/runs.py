"""Check runs as operations: the workspace check (devkit's registry and every project's,
with the newest spans live-checked) and one named registry's check, each stored row by
row and audited as `check` through the operation log.

The workspace check runs by itself (the dashboard, `entropy`), so a re-check that found
what the previous one found is stored as a run sharing that run's findings and is not
audited; a registry check (`devkit-tui check`) is always audited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.audit.operations import OperationLog
from backend.store.database import Store, StoreError
from backend.telemetry import names
from backend.telemetry.span_store import SpanStore
from backend.weaver.findings import Finding
from backend.weaver.report import CheckReport, build_report, registries_under
from backend.weaver.stored import save_findings

if TYPE_CHECKING:
    from backend.weaver.check import CheckResult
    from backend.weaver.live_check import LiveCheck

WORKSPACE_SCOPE = "workspace"
"""The scope of the workspace check's runs: one re-check compares with the one before."""

LIVE_LIMIT = 100_000
"""The most spans one `devkit-tui check --live` reads."""


class CheckRuns:
    """Runs checks, stores their findings and audits them."""

    def __init__(
        self,
        operations: OperationLog,
        spans: SpanStore,
        store: Store,
        ready: Callable[[], Awaitable[None]],
        report: Callable[[str], None],
    ) -> None:
        self._operations = operations
        self._spans = spans
        self._store = store
        self._ready = ready
        self._report = report

    async def workspace(
        self, roots: list[Path], projects: dict[str, Path], span_limit: int = 10_000
    ) -> CheckReport:
        """Every registry under the roots checked, and the newest spans live-checked."""
        registries = await asyncio.to_thread(registries_under, roots, projects)  # a walk
        started = self._operations.clock()
        async with self._operations.operation("check", names.CHECK) as operation:
            try:
                await self._ready()
                spans = await self._spans.for_live_check(limit=span_limit)
            except StoreError:
                spans = []
            report = await asyncio.to_thread(build_report, registries, spans)
            stats = report.statistics()
            operation.span.set_attribute(names.ERROR_COUNT, stats["by_level"]["violation"])
            repeated = await self._save(started, report.findings, report.samples)
            operation.audited = not repeated  # an unchanged automatic re-check says nothing new
            operation.details = {
                "registries": sorted(report.registries),
                "statistics": _summary(stats),
                "unchecked_spans": report.unchecked_samples,
            }
            operation.result = "failure" if stats["by_level"]["violation"] else "success"
        return report

    async def registry(
        self,
        registry_path: Path,
        result: CheckResult,
        live: LiveCheck | None,
        since_ns: int | None,
        engine: str = "devkit",
    ) -> None:
        """One registry's check (already made), with the stored spans live-checked
        when `live` is given; its findings are added to `result`."""
        await self._ready()
        started = self._operations.clock()
        async with self._operations.operation("check", names.CHECK) as operation:
            if live is not None:
                live.check(await self._spans.for_live_check(since_ns, LIVE_LIMIT))
                result.findings.extend(live.findings)
            samples = live.samples if live else 0
            stats = result.statistics(samples)
            operation.span.set_attribute(names.ERROR_COUNT, stats["by_level"]["violation"])
            await save_findings(
                self._store, started, result.findings, samples, engine,
                scope=f"registry:{registry_path}:{'live' if live else 'static'}",
            )  # fmt: skip
            operation.details = {
                "registries": [str(registry_path)],
                "live": live is not None,
                "statistics": _summary(stats),
            }
            operation.result = "failure" if stats["by_level"]["violation"] else "success"

    async def _save(self, check_ns: int, findings: list[Finding], samples: int) -> bool:
        """Store the workspace check's run; True when its findings equal the last one's."""
        try:
            await self._ready()
            return await save_findings(
                self._store, check_ns, findings, samples, scope=WORKSPACE_SCOPE
            )
        except StoreError as exc:
            self._report(f"could not store the check's findings: {exc}")
            return False


def _summary(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: stats[k] for k in ("total", "by_level", "by_id", "samples")}
