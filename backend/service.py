"""The Backend: one object that the CLI, the TUI and the tests drive alike.

It composes parts that each own one concern and adds only their wiring and the
lifecycle: the workspace reader (scans, in a child process or a thread), the graph
cache, the operation log (spans and audit entries), the telemetry (own tracer, span
store, receiver, span files), the check runs, and the update machinery. It keeps the
current inventory and publishes events. Use it as `async with Backend(settings) as
backend:` or call `start()` and `stop()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Span, StatusCode
from packaging.utils import canonicalize_name

from backend.audit.entries import AuditEntry, AuditFilter
from backend.audit.operations import OperationLog
from backend.events import (
    BackendNotice,
    BackendProblem,
    Event,
    EventBus,
    InventoryUpdated,
    ScanProgress,
)
from backend.graph.cache import GraphCache
from backend.graph.dependency_graph import DependencyGraph
from backend.inventory.build import build_inventory
from backend.inventory.model import Inventory
from backend.inventory.snapshots import SnapshotRecorder
from backend.settings import Settings
from backend.store.database import Store, StoreError
from backend.telemetry import names
from backend.telemetry.hub import Telemetry
from backend.telemetry.span_store import SpanStore
from backend.workspace.reader import WorkspaceReader, record_project, record_timings
from backend.workspace.scanner import ProjectScan
from backend.workspace.watcher import watch_roots

if TYPE_CHECKING:  # the analyses load on first use: `list` and first paint skip them
    from backend.audit.chain import Verification
    from backend.health.entropy import EntropyReport
    from backend.index.outdated import Lookup, Outdated
    from backend.update.batch import Updater
    from backend.update.plan import Selection, Skipped, UnitPlan
    from backend.weaver.report import CheckReport
    from backend.weaver.runs import CheckRuns


class Backend:
    """Scans the roots, keeps the inventory current, stores snapshots and spans."""

    def __init__(self, settings: Settings, scan_in_child: bool = False) -> None:
        """`scan_in_child` runs full scans in a child process (the TUI wants this; a
        one-shot `list` does not, as spawning costs more than it saves there)."""
        self.settings = settings
        self.events = EventBus()
        self.inventory: Inventory | None = None
        self.last_check: CheckReport | None = None
        """The last workspace check (the Weaver pane shows it, entropy reads it)."""
        self._store = Store(settings.db_path)
        self._telemetry = Telemetry(settings, self._store, self.ready)
        self.operations = OperationLog(
            self._store, lambda: self._telemetry.tracer, self.ready, self._problem
        )
        """Every operation's span and audit entry (its `clock` is fixed in snapshots)."""
        self.workspace = WorkspaceReader(
            settings.roots, settings.max_depth, settings.environment, scan_in_child, self._problem
        )
        self.graphs = GraphCache(lambda: self.workspace.scans, self.workspace.cache)
        self._snapshots = SnapshotRecorder(self._store)
        self._checks: CheckRuns | None = None
        self._update_lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._store_opening: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Backend:
        """Started without a scan, the store open (a `StoreError` says why not)."""
        await self.start(scan=False)
        try:
            await self.ready()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def begin_scan(self) -> None:
        """Start the first full scan now, before there is an event loop (the CLI calls
        this before importing the UI, so parsing and importing overlap)."""
        self.workspace.begin()

    async def start(self, scan: bool = True) -> None:
        """Open the store, scan and watch, all in the background (as settings say).

        The first inventory does not wait for the database: it is shown as soon as it
        is read and stored once the store is open. `ready()` reports a store failure.
        """
        self.workspace.follow_child_progress(self._progress)
        self._telemetry.start_tracing()
        self._store_opening = asyncio.create_task(self._open_store(), name="store-open")
        if scan:
            self._tasks.append(asyncio.create_task(self._initial_scan(), name="initial-scan"))

    async def ready(self) -> None:
        """Wait until the store is open; raises `StoreError` when it cannot be."""
        if self._store_opening is None:
            raise StoreError(f"{self._store.path}: the backend was not started")
        await asyncio.shield(self._store_opening)

    async def stop(self) -> None:
        """Stop watching and receiving, store our last spans, close the store."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.workspace.shutdown()
        await self._telemetry.stop()
        if self._store_opening is not None:
            with contextlib.suppress(Exception):
                await self._store_opening
        for source in self.operations.open_sessions():
            await self.operations.session_stopped(source, self.spans.counter.stored)
        await self._store.close()

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue that receives every event from now on."""
        return self.events.subscribe()

    # -- the store and spans ---------------------------------------------------------

    @property
    def spans(self) -> SpanStore:
        """The span store: queries, the live stream, traces, rates."""
        return self._telemetry.spans

    @property
    def store(self) -> Store:
        """The database, for parts that keep tables of their own (baselines, caches)."""
        return self._store

    @property
    def store_version(self) -> int:
        """Moves on every write this process commits: live panes redraw when it does."""
        return self._store.version

    @property
    def receiver_url(self) -> str | None:
        return self._telemetry.receiver_url

    async def start_receiver(self) -> str:
        """Serve OTLP/HTTP once the store is open; returns the URL it listens on."""
        await self.ready()
        url = await self._telemetry.start_receiver()
        await self.operations.session_started("otlp-http", {"url": url}, self.spans.counter.stored)
        return url

    async def flush_spans(self) -> None:
        """Hand our tracer's ended spans to the store now (they go in batches)."""
        await self._telemetry.flush()

    async def query_spans(self, **filters: Any) -> list[dict[str, Any]]:
        """Stored spans as `devkit.spans/1` rows; the query is a span of its own."""
        await self.ready()
        with self._telemetry.tracer.start_as_current_span(names.QUERY_SPANS) as span:
            rows = await self.spans.query(**filters)
            span.set_attribute(names.QUERY_ROW_COUNT, len(rows))
            return rows

    # -- reading the workspace -------------------------------------------------------

    async def scan(self, reason: str = "scan") -> Inventory:
        """Discover and read every project under the roots; store changed snapshots."""
        requested = time.time_ns()
        started = self.operations.clock()
        async with self.workspace.lock:
            scans, layout = await self.workspace.read_all(self._progress)
            # The span starts where the work did: a first scan in the child process
            # may have begun before this call, while the UI was still loading.
            begun = min([requested, *(t.start_ns for t in layout.timings)])
            attributes = {names.SCAN_REASON: reason, names.ROOT_COUNT: len(self.settings.roots)}
            async with self.operations.operation(
                "scan", names.SCAN, attributes=attributes, start_time=begun, started_ns=started
            ) as operation:
                tracer = self._telemetry.tracer
                record_timings(tracer, operation.span, layout.timings)
                for project in scans:
                    record_project(tracer, operation.span, project)
                inventory = await self._build(scans)
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
        started = self.operations.clock()
        async with self.workspace.lock:
            folders = self.workspace.affected(paths)
        if folders is None:
            return await self.scan(reason="watch")
        if not folders:
            return None
        attributes = {names.WATCH_PATH_COUNT: len(paths), names.PROJECT_COUNT: len(folders)}
        watch = self.operations.operation(
            "scan", names.WATCH_CHANGE, attributes=attributes, start_time=trigger_ns,
            started_ns=started,
        )  # fmt: skip
        async with watch as operation, self.workspace.lock:
            for scan in await self.workspace.reread(folders, paths):
                record_project(self._telemetry.tracer, operation.span, scan)
            inventory = await self._build(list(self.workspace.scans.values()))
            changed = tuple(p.name for p in inventory.projects if p.path in folders)
            await self._publish(inventory, changed, "watch", trigger_ns, operation)
        return inventory

    def find_project(self, selector: str | Path) -> Path | None:
        """A scanned project by folder or by name (canonical or as shown)."""
        if self.inventory is None:
            return None
        wanted = Path(selector).expanduser().absolute() if Path(selector).exists() else None
        for project in self.inventory.projects:
            if wanted is not None and project.path == wanted:
                return project.path
        name = canonicalize_name(str(selector))
        for project in self.inventory.projects:
            if project.name in (str(selector), name):
                return project.path
        return None

    def project_graph(self, folder: Path) -> DependencyGraph | None:
        """The project's dependency graph (None when nothing describes its edges); kept
        until the project is read again. Safe to call from worker threads."""
        return self.graphs.graph(folder)

    def warm_graphs(self) -> int:
        """Build every project's graph ahead of need (a worker thread calls this after
        a scan, so opening the tree pane does not parse locks); returns how many."""
        return self.graphs.warm()

    def project_indexes(self) -> dict[str, str | None]:
        """Each project's default index from its `[tool.uv]` (None: not configured)."""
        return self.workspace.index_urls()

    # -- analyses --------------------------------------------------------------------

    async def entropy(self, store_scores: bool = True) -> list[EntropyReport]:
        """Every project's health and entropy, from the last inventory and the span
        store; scores that moved are stored."""
        from backend.health.assessment import assess_projects
        from backend.health.history import record_scores

        inventory = self.inventory
        if inventory is None:
            return []
        store = await self._open_store_or_none()
        reports = await assess_projects(
            inventory, self.workspace.scans, self.workspace.cache, store, self.last_check
        )
        if store_scores and store is not None:
            with contextlib.suppress(StoreError):
                await record_scores(store, reports)
        return reports

    async def mark_outdated(
        self,
        offline: bool = True,
        explicit_index: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[int, Lookup]:
        """Flag the inventory's outdated usages, from the cache (offline) or the index;
        returns how many are outdated and what was looked up."""
        from backend.index.outdated import Lookup

        if self.inventory is None:
            return 0, Lookup()
        rows, lookup = await self.outdated(
            self.inventory, explicit_index, offline, progress=progress
        )
        return len(rows), lookup

    async def outdated(
        self,
        inventory: Inventory,
        explicit_index: str | None,
        offline: bool,
        pre: bool = False,
        progress: Callable[[int, int], None] | None = None,
        max_age_s: float | None = None,
    ) -> tuple[list[Outdated], Lookup]:
        """The outdated usages of `inventory` (marked on it); answers are cached in the
        store when it is open."""
        from backend.index.outdated import annotate, find_outdated

        rows, lookup = await find_outdated(
            inventory,
            await self._open_store_or_none(),
            self.project_indexes(),
            explicit_index,
            offline,
            pre,
            progress=progress,
            max_age_s=max_age_s,
        )
        annotate(inventory, rows)
        return rows, lookup

    @property
    def checks(self) -> CheckRuns:
        """Check runs (loaded on first use: YAML and the checker cost import time)."""
        if self._checks is None:
            from backend.weaver.runs import CheckRuns

            self._checks = CheckRuns(
                self.operations, self.spans, self._store, self.ready, self._problem
            )
        return self._checks

    async def check_report(self, span_limit: int = 10_000) -> CheckReport:
        """Every registry (devkit's and the projects') checked, and the newest spans
        live-checked; kept for the entropy score and audited as `check`."""
        projects = {p.name: p.path for p in self.inventory.projects} if self.inventory else {}
        report = await self.checks.workspace(self.settings.roots, projects, span_limit)
        self.last_check = report
        return report

    # -- the audit log ---------------------------------------------------------------

    async def record_audit(self, action: str, **fields: Any) -> None:
        """Append an audit entry; storage trouble is reported, never raised."""
        await self.operations.record(action, **fields)

    async def audit_entries(self, wanted: AuditFilter | None = None) -> list[AuditEntry]:
        """Entries as the filter says; raises `StoreError` without a database."""
        return await self.operations.entries(wanted)

    async def export_audit(self, wanted: AuditFilter, export: str) -> list[AuditEntry]:
        """The entries for an export, the export itself audited with its size."""
        await self.ready()
        async with self.operations.operation("export", names.AUDIT_EXPORT) as operation:
            entries = await self.operations.entries(wanted)
            operation.span.set_attributes(
                {names.AUDIT_ENTRY_COUNT: len(entries), names.AUDIT_FORMAT: export}
            )
            operation.project = wanted.project
            operation.details = {
                "format": export,
                "entries": len(entries),
                "filters": wanted.as_json(),
                "last_seq": entries[-1].seq if entries else None,
            }
        return entries

    async def verify_audit(self) -> Verification:
        """Walk the hash chain; the verification is audited with its outcome."""
        await self.ready()
        async with self.operations.operation("verify", names.AUDIT_VERIFY) as operation:
            result = await self.operations.audit.verify()
            operation.span.set_attribute(names.AUDIT_ENTRY_COUNT, result.entries)
            if not result.ok:
                operation.span.set_status(StatusCode.ERROR, result.problem)
                operation.span.set_attribute(names.ERROR_TYPE, "broken_chain")
            operation.details = result.as_json()
            operation.result = "success" if result.ok else "failure"
        return result

    # -- updates ---------------------------------------------------------------------

    def updater(self, require_uv: bool = True) -> Updater:
        """The update machinery on this store; raises `UvMissing` when uv is needed
        and cannot be found."""
        from backend.update.batch import Updater
        from backend.update.uv_runner import UvMissing, uv_binary

        try:
            uv = uv_binary()
        except UvMissing:
            if require_uv:
                raise
            uv = "uv"  # files are still restored; the environment re-sync will say so
        return Updater(
            self._store,
            self.operations.record,
            self._telemetry.tracer,
            uv,
            self.settings.update_concurrency,
        )

    async def recover_updates(self) -> list[str]:
        """Restore the projects an interrupted update left half done (a crash or a
        SIGKILL mid-update); returns their names and tells the user."""
        async with self._update_lock:
            restored = await self.updater(require_uv=False).recover()
        projects = [entry.project for entry in restored]
        if projects:
            restored_names = ", ".join(sorted(projects))
            self.events.publish(
                BackendNotice(f"restored after an interrupted update: {restored_names}")
            )
        return projects

    async def plan_update(
        self,
        selection: Selection,
        explicit_index: str | None = None,
        offline: bool = False,
        max_age_s: float | None = None,
    ) -> tuple[list[UnitPlan], list[Skipped]]:
        """Which units change and how (nothing resolved or written yet). Targets come
        from the index (or its cache when offline) unless every request names one."""
        from backend.update.plan import plan_changes

        inventory = self.inventory
        if inventory is None:
            inventory = await self.scan(reason="scan")
        rows: list[Outdated] = []
        unchecked: dict[str, str] = {}
        needs_index = selection.all_outdated or selection.pairs
        if needs_index or any(r.version is None for r in selection.requests):
            rows, lookup = await self.outdated(
                inventory, explicit_index, offline, max_age_s=max_age_s
            )
            unchecked = {n: e for n, e in lookup.errors.items() if n not in lookup.releases}
        return plan_changes(inventory, self.workspace.scans, rows, selection, unchecked)

    # -- internals -------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        self.events.publish(BackendProblem(message))

    def _progress(self, done: int, total: int, path: Path) -> None:
        self.events.publish(ScanProgress(done, total, path))

    async def _open_store_or_none(self) -> Store | None:
        try:
            await self.ready()
        except StoreError:
            return None
        return self._store

    async def _build(self, scans: list[ProjectScan]) -> Inventory:
        with self._telemetry.tracer.start_as_current_span(names.INVENTORY_BUILD) as span:
            inventory = await asyncio.to_thread(build_inventory, self.settings.roots, scans)
            span.set_attributes(
                {
                    names.PROJECT_COUNT: len(inventory.projects),
                    names.PACKAGE_COUNT: len(inventory.packages),
                }
            )
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
        self.events.publish(InventoryUpdated(inventory, changed, reason, trigger_ns))
        operation.project = changed[0] if len(changed) == 1 else None
        operation.details = {
            "reason": reason,
            "roots": [str(r) for r in self.settings.roots],
            "projects": len(inventory.projects),
            "packages": len(inventory.packages),
            "errors": inventory.error_count,
            "changed_projects": list(changed),
        }
        operation.result = "partial" if inventory.error_count else "success"
        if await self._open_store_or_none() is None:
            operation.audited = False  # reported once, where the store failed to open
            return
        await self._store_snapshot(inventory, reason)

    async def _store_snapshot(self, inventory: Inventory, reason: str) -> None:
        with self._telemetry.tracer.start_as_current_span(names.SNAPSHOT_STORE) as span:
            try:
                written = await self._snapshots.record(inventory, reason)
                span.set_attribute(names.SNAPSHOT_COUNT, written)
            except Exception as exc:  # storage trouble must not stop the inventory
                _fail(span, exc)
                self._problem(f"could not store snapshot: {exc}")

    async def _open_store(self) -> None:
        await self._store.open()
        await self._snapshots.load()
        try:
            await self.operations.audit_config(self.settings.lasting())
        except StoreError as exc:  # the store works; only this entry is lost
            self._problem(f"could not write the audit log: {exc}")
        self._tasks.append(asyncio.create_task(self._recover_on_start(), name="recover"))

    async def _recover_on_start(self) -> None:
        try:
            await self.recover_updates()
        except Exception as exc:
            self._problem(f"could not check the update journal: {exc!r}")

    async def _initial_scan(self) -> None:
        try:
            await self.scan()
        except Exception as exc:
            self._problem(f"scan failed: {exc!r}")
        if not self.settings.watch:
            return
        span_files = self._telemetry.follow_span_files(
            lambda error: self._problem(f"span file {error}")
        )
        pattern = span_files.pattern if span_files else ""
        await self.operations.session_started(
            "watch",
            {"roots": [str(r) for r in self.settings.roots], "span_files": pattern},
            self.spans.counter.stored,
        )
        watching = asyncio.create_task(
            watch_roots(self.settings.roots, self._on_change, self._stop, pattern)
        )
        if span_files is not None:
            try:
                await self.ready()
                found = await asyncio.to_thread(span_files.find, self.settings.roots)
                for path in found:
                    await span_files.ingest(path)
            except StoreError:
                pass
        await watching

    async def _on_change(self, paths: set[Path]) -> None:
        seen = time.time_ns()
        span_files = self._telemetry.span_files
        span_paths = {p for p in paths if span_files and span_files.matches(p)}
        try:
            if span_files is not None:
                for path in sorted(span_paths):
                    await span_files.ingest(path)
            if paths - span_paths:
                await self.refresh_paths(paths - span_paths, trigger_ns=seen)
        except Exception as exc:
            self._problem(f"refresh failed: {exc!r}")


def _fail(span: Span, exc: Exception) -> None:
    span.set_status(StatusCode.ERROR, str(exc))
