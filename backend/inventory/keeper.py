"""Keeps the current inventory: full scans and refreshes through the workspace reader,
each one an operation (its span, the parsers' timings beneath it, its `scan` audit
entry), published as an event and stored as a snapshot once the store is open."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from opentelemetry.trace import StatusCode, Tracer

from backend.audit.operations import OperationLog
from backend.collector import collector_paused
from backend.events import BackendProblem, EventBus, InventoryUpdated, ScanProgress
from backend.inventory.build import build_inventory
from backend.inventory.model import Inventory
from backend.inventory.snapshots import SnapshotRecorder
from backend.store.database import Store
from backend.telemetry import names
from backend.workspace.reader import WorkspaceReader, record_project, record_timings
from backend.workspace.scanner import ProjectScan


class InventoryKeeper:
    """The inventory as last read; `scan` and `refresh_paths` replace it."""

    def __init__(
        self,
        roots: list[Path],
        workspace: WorkspaceReader,
        operations: OperationLog,
        tracer: Callable[[], Tracer],
        store: Callable[[], Awaitable[Store | None]],
        events: EventBus,
        snapshots: SnapshotRecorder,
    ) -> None:
        self.inventory: Inventory | None = None
        self._roots = roots
        self._workspace = workspace
        self._operations = operations
        self._tracer = tracer
        self._store = store
        self._events = events
        self._snapshots = snapshots

    def progress(self, done: int, total: int, path: Path) -> None:
        self._events.publish(ScanProgress(done, total, path))

    async def scan(self, reason: str = "scan") -> Inventory:
        """Discover and read every project under the roots; store changed snapshots."""
        requested = time.time_ns()
        started = self._operations.clock()
        async with self._workspace.lock:
            scans, layout = await self._workspace.read_all(self.progress)
            # The span starts where the work did: a first scan in the child process
            # may have begun before this call, while the UI was still loading.
            begun = min([requested, *(t.start_ns for t in layout.timings)])
            attributes = {names.SCAN_REASON: reason, names.ROOT_COUNT: len(self._roots)}
            async with self._operations.operation(
                "scan", names.SCAN, attributes=attributes, start_time=begun, started_ns=started
            ) as operation:
                tracer = self._tracer()
                record_timings(tracer, operation.span, layout.timings)
                for project in scans:
                    record_project(tracer, operation.span, project)
                inventory = await self._build(scans, self._workspace.derived)
                operation.span.set_attributes(
                    {
                        names.PROJECT_COUNT: len(inventory.projects),
                        names.PACKAGE_COUNT: len(inventory.packages),
                        names.ERROR_COUNT: inventory.error_count,
                    }
                )
                changed = tuple(p.name for p in inventory.projects)
                await self._publish(inventory, changed, reason, None, operation)
            return inventory

    async def refresh_paths(
        self, paths: set[Path], trigger_ns: int | None = None
    ) -> Inventory | None:
        """Re-read only the projects the changed paths belong to (all, if the layout moved)."""
        started = self._operations.clock()
        async with self._workspace.lock:
            folders = self._workspace.affected(paths)
        if folders is None:
            return await self.scan(reason="watch")
        if not folders:
            return None
        attributes = {names.WATCH_PATH_COUNT: len(paths), names.PROJECT_COUNT: len(folders)}
        watch = self._operations.operation(
            "scan", names.WATCH_CHANGE, attributes=attributes, start_time=trigger_ns,
            started_ns=started,
        )  # fmt: skip
        async with watch as operation, self._workspace.lock:
            for scan in await self._workspace.reread(folders, paths):
                record_project(self._tracer(), operation.span, scan)
            inventory = await self._build(list(self._workspace.scans.values()))
            changed = tuple(p.name for p in inventory.projects if p.path in folders)
            await self._publish(inventory, changed, "watch", trigger_ns, operation)
        return inventory

    async def _build(
        self, scans: list[ProjectScan], built: tuple[Any, int, int] | None = None
    ) -> Inventory:
        """The inventory of these scans: `built` when the scan process made it from
        them (span times from there), else built in a thread now."""
        tracer = self._tracer()
        if built is not None:
            inventory, start_ns, end_ns = built
            span = tracer.start_span(names.INVENTORY_BUILD, start_time=start_ns)
            span.set_attributes(_counts(inventory))
            span.end(end_time=end_ns)
            return inventory
        with tracer.start_as_current_span(names.INVENTORY_BUILD) as span:
            inventory = await asyncio.to_thread(_build_paused, self._roots, scans)
            span.set_attributes(_counts(inventory))
            return inventory

    async def _publish(
        self,
        inventory: Inventory,
        changed: tuple[str, ...],
        reason: str,
        trigger_ns: int | None,
        operation: Any,
    ) -> None:
        """Show the inventory, store its snapshot, say what the scan's entry records."""
        self.inventory = inventory
        self._events.publish(InventoryUpdated(inventory, changed, reason, trigger_ns))
        operation.project = changed[0] if len(changed) == 1 else None
        operation.details = {
            "reason": reason,
            "roots": [str(r) for r in self._roots],
            "projects": len(inventory.projects),
            "packages": len(inventory.packages),
            "errors": inventory.error_count,
            "changed_projects": list(changed),
        }
        operation.result = "partial" if inventory.error_count else "success"
        if await self._store() is None:
            operation.audited = False  # reported once, where the store failed to open
            return
        await self._store_snapshot(inventory, reason)

    async def _store_snapshot(self, inventory: Inventory, reason: str) -> None:
        with self._tracer().start_as_current_span(names.SNAPSHOT_STORE) as span:
            try:
                written = await self._snapshots.record(inventory, reason)
                span.set_attribute(names.SNAPSHOT_COUNT, written)
            except Exception as exc:  # storage trouble must not stop the inventory
                span.set_status(StatusCode.ERROR, str(exc))
                self._events.publish(BackendProblem(f"could not store snapshot: {exc}"))


def _counts(inventory: Inventory) -> dict[str, int]:
    return {
        names.PROJECT_COUNT: len(inventory.projects),
        names.PACKAGE_COUNT: len(inventory.packages),
    }


def _build_paused(roots: list[Path], scans: list[ProjectScan]) -> Inventory:
    with collector_paused():
        return build_inventory(roots, scans)
