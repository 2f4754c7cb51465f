"""The Backend: one object that the CLI, the TUI and the tests drive alike.

It owns the store, the scanner, the watcher and the telemetry, keeps the current
inventory, and publishes events. Every operation is a span of our own tracer.
Parsing runs in a child process or a worker thread, never on the event loop that
the TUI shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode
from packaging.utils import canonicalize_name

from backend.audit.entries import AuditFilter
from backend.audit.log import AuditLog
from backend.events import (
    BackendNotice,
    BackendProblem,
    Event,
    EventBus,
    InventoryUpdated,
    ScanProgress,
)
from backend.graph.dependency_graph import DependencyGraph, graph_from_uv_lock
from backend.graph.fallbacks import graph_from_environment, graph_from_pylock
from backend.graph.lock_walk import project_node
from backend.graph.markers import marker_environment
from backend.inventory.build import build_inventory
from backend.inventory.model import Inventory
from backend.inventory.snapshots import SnapshotRecorder
from backend.parsers.pylock import parse_pylock
from backend.parsers.records import ParseFailure
from backend.parsers.uv_lock import parse_uv_lock
from backend.settings import Settings
from backend.store.database import Store, StoreError
from backend.telemetry import names
from backend.telemetry.hub import Telemetry
from backend.telemetry.tracing import trace_id_of
from backend.workspace.discovery import discover, is_pylock_name
from backend.workspace.scan_process import ScanProcess
from backend.workspace.scanner import Layout, ProjectScan, Scanner, Timing
from backend.workspace.watcher import watch_roots

if TYPE_CHECKING:  # the analyses load on first use: `list` and first paint skip them
    from backend.health.entropy import EntropyReport, SpanHealth
    from backend.index.outdated import Lookup, Outdated
    from backend.update.batch import Updater
    from backend.update.plan import Selection, Skipped, UnitPlan
    from backend.weaver.report import CheckReport

PROGRESS_INTERVAL = 0.1
CHILD_STALL_S = 15.0
"""A scan process silent this long (no progress, no result) is given up: the scan
runs in this process instead."""


class Backend:
    """Scans the roots, keeps the inventory current, stores snapshots and spans."""

    def __init__(self, settings: Settings, scan_in_child: bool = False) -> None:
        """`scan_in_child` runs full scans in a child process (the TUI wants this; a
        one-shot `list` does not, as spawning costs more than it saves there)."""
        self.settings = settings
        self.store = Store(settings.db_path)
        self.events = EventBus()
        self.inventory: Inventory | None = None
        self.telemetry = Telemetry(settings, self.store, self.ready)
        self._scanner = Scanner(environment=settings.environment)
        self._scans: dict[Path, ProjectScan] = {}
        self._graph_lock = threading.Lock()
        self._graphs: dict[Path, tuple[ProjectScan | None, DependencyGraph | None]] = {}
        self._snapshots = SnapshotRecorder(self.store)
        self.clock: Callable[[], int] = time.time_ns
        """Times audit durations; `audit.clock` stamps entries (both fixed in snapshots)."""
        self.audit = AuditLog(self.store)
        self.last_check: CheckReport | None = None
        """The last registry and live check (the Weaver pane shows it)."""
        self._sessions: dict[str, tuple[int, int, dict[str, object]]] = {}
        """Open ingest sessions by source: start time, spans stored then, details."""
        self._scan_lock = asyncio.Lock()
        self._update_lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._child = ScanProcess() if scan_in_child else None
        self._store_opening: asyncio.Task[None] | None = None
        self._early_scan: Future[tuple[list[ProjectScan], Layout]] | None = None

    @property
    def tracer(self) -> trace.Tracer:
        return self.telemetry.tracer

    def begin_scan(self) -> None:
        """Start the first full scan now, before there is an event loop (the CLI calls
        this before importing the UI, so parsing and importing overlap)."""
        if self._child is not None and self._early_scan is None:
            self._early_scan = self._child.submit(
                self.settings.roots, self.settings.max_depth, self.settings.environment
            )

    async def start(self, scan: bool = True) -> None:
        """Open the store, scan and watch, all in the background (as settings say).

        The first inventory does not wait for the database: it is shown as soon as it
        is read and stored once the store is open. `ready()` reports a store failure.
        """
        if self._child is not None:
            loop = asyncio.get_running_loop()
            self._child.on_progress = lambda done, total, path: loop.call_soon_threadsafe(
                self.events.publish, ScanProgress(done, total, path)
            )
        self.telemetry.start_tracing()
        self._store_opening = asyncio.create_task(self._open_store(), name="store-open")
        if scan:
            self._tasks.append(asyncio.create_task(self._initial_scan(), name="initial-scan"))

    async def ready(self) -> None:
        """Wait until the store is open; raises `StoreError` when it cannot be."""
        if self._store_opening is None:
            raise StoreError(f"{self.store.path}: the backend was not started")
        await asyncio.shield(self._store_opening)

    async def start_receiver(self) -> str:
        """Serve OTLP/HTTP once the store is open; returns the URL it listens on."""
        await self.ready()
        url = await self.telemetry.start_receiver()
        await self._session_started("otlp-http", {"url": url})
        return url

    async def stop(self) -> None:
        """Stop watching and receiving, store our last spans, close the store."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._child is not None:
            self._child.shutdown()
        await self.telemetry.stop()
        if self._store_opening is not None:
            with contextlib.suppress(Exception):
                await self._store_opening
        for source in list(self._sessions):
            await self._session_stopped(source)
        await self.store.close()

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue that receives every event from now on."""
        return self.events.subscribe()

    async def scan(self, reason: str = "scan") -> Inventory:
        """Discover and read every project under the roots; store changed snapshots."""
        requested = time.time_ns()
        clock_start = self.clock()
        async with self._scan_lock:
            scans = await self._scan_in_child() if self._child is not None else None
            if scans is None:
                scans = await asyncio.to_thread(
                    self._scanner.scan_all,
                    self.settings.roots,
                    self.settings.max_depth,
                    self._progress_reporter(),
                )
            layout = self._scanner.layout
            assert layout is not None
            # The span starts where the work did: a first scan in the child process
            # may have begun before this call, while the UI was still loading.
            begun = min([requested, *(t.start_ns for t in layout.timings)])
            with self.tracer.start_as_current_span(
                names.SCAN,
                start_time=begun,
                attributes={names.SCAN_REASON: reason, names.ROOT_COUNT: len(self.settings.roots)},
            ) as span:
                self._record(span, layout.timings)
                for project in scans:
                    self._record_project(span, project)
                self._scans = {s.path: s for s in scans}
                inventory = await self._build(scans)
                span.set_attributes(
                    {
                        names.PROJECT_COUNT: len(inventory.projects),
                        names.PACKAGE_COUNT: len(inventory.packages),
                        names.ERROR_COUNT: inventory.error_count,
                    }
                )
                changed = tuple(p.name for p in inventory.projects)
                return await self._publish(inventory, changed, reason, None, span, clock_start)

    async def refresh_paths(
        self, paths: set[Path], trigger_ns: int | None = None
    ) -> Inventory | None:
        """Re-read only the projects the changed paths belong to (all, if the layout moved)."""
        clock_start = self.clock()
        async with self._scan_lock:
            folders = self._affected_projects(paths)
        if folders is None:
            return await self.scan(reason="watch")
        if not folders:
            return None
        with self.tracer.start_as_current_span(
            names.WATCH_CHANGE,
            start_time=trigger_ns,
            attributes={names.WATCH_PATH_COUNT: len(paths), names.PROJECT_COUNT: len(folders)},
        ) as span:
            async with self._scan_lock:
                for path in paths:
                    self._scanner.cache.forget(path)
                rescanned = await asyncio.to_thread(
                    lambda: [self._scanner.scan_project(f) for f in sorted(folders)]
                )
                for scan in rescanned:
                    self._record_project(span, scan)
                    self._scans[scan.path] = scan
                inventory = await self._build(list(self._scans.values()))
                changed = tuple(p.name for p in inventory.projects if p.path in folders)
                return await self._publish(
                    inventory, changed, "watch", trigger_ns, span, clock_start
                )

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
        with self._graph_lock:
            scan = self._scans.get(folder)
            cached = self._graphs.get(folder)
            if cached is not None and cached[0] is scan:
                return cached[1]
            graph = self._build_graph(scan) if scan is not None else None
            self._graphs[folder] = (scan, graph)
            return graph

    async def entropy(self, store_scores: bool = True) -> list[EntropyReport]:
        """Every project's health and entropy, from the last inventory and the span
        store; scores that moved are stored."""
        from backend.health.entropy import SpanHealth, assess, usages_by_project
        from backend.health.history import record_scores, span_health

        inventory = self.inventory
        if inventory is None:
            return []
        evidence = await asyncio.to_thread(self._lock_drift_all)
        try:
            await self.ready()
            spans = await span_health(self.store, [p.name for p in inventory.projects])
        except StoreError:
            spans = {}
        if self.last_check is not None:
            spans = {name: self._with_semantic(name, health) for name, health in spans.items()}
        usages = usages_by_project(inventory)
        reports = [
            assess(
                info.name,
                inventory,
                evidence.get(info.path, []),
                spans.get(info.name, SpanHealth()),
                usages.get(info.name, []),
            )
            for info in inventory.projects
        ]
        if store_scores:
            with contextlib.suppress(StoreError):
                await record_scores(self.store, reports)
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
        rows, lookup = await self._outdated(self.inventory, explicit_index, offline, progress)
        return len(rows), lookup

    async def _outdated(
        self,
        inventory: Inventory,
        explicit_index: str | None,
        offline: bool,
        progress: Callable[[int, int], None] | None = None,
        max_age_s: float | None = None,
    ) -> tuple[list[Outdated], Lookup]:
        """The outdated usages of `inventory` (marked on it), cached answers stored
        when the store is open."""
        from backend.index.outdated import annotate, find_outdated

        try:
            await self.ready()
            store: Store | None = self.store
        except StoreError:
            store = None
        rows, lookup = await find_outdated(
            inventory,
            store,
            self.project_indexes(),
            explicit_index,
            offline,
            progress=progress,
            max_age_s=max_age_s,
        )
        annotate(inventory, rows)
        return rows, lookup

    def project_indexes(self) -> dict[str, str | None]:
        """Each project's default index from its `[tool.uv]` (None: not configured)."""
        return {scan.name: scan.index_url for scan in self._scans.values()}

    def _with_semantic(self, project: str, health: SpanHealth) -> SpanHealth:
        """The last live check's violations in the project's spans (by service name)."""

        report = self.last_check
        count = report.service_violations.get(project, 0) if report else 0
        if not count or report is None:
            return health
        ids = Counter(
            f.id
            for f in report.live_findings
            if f.level == "violation" and f.registry == str(report.service_registry[project])
        )
        evidence = tuple(f"{n} x {finding_id}" for finding_id, n in ids.most_common())
        return replace(health, semantic=evidence, semantic_violations=count)

    async def check_report(self, span_limit: int = 10_000) -> CheckReport:
        """Every registry (devkit's and the projects') checked, and the newest spans
        live-checked; kept for the entropy score and audited as `check`."""
        from backend.weaver.report import build_report, registries_under

        projects = {p.name: p.path for p in self.inventory.projects} if self.inventory else {}
        registries = registries_under(self.settings.roots, projects)
        started = self.clock()
        with self.tracer.start_as_current_span(names.CHECK) as span:
            try:
                await self.ready()
                spans = await self.telemetry.spans.for_live_check(limit=span_limit)
            except StoreError:
                spans = []
            report = await asyncio.to_thread(build_report, registries, spans)
            stats = report.statistics()
            span.set_attribute(names.ERROR_COUNT, stats["by_level"]["violation"])
        self.last_check = report
        await self._store_findings(started, report.findings, report.samples)
        await self.record_audit(
            "check",
            details={
                "registries": sorted(report.registries),
                "statistics": {k: stats[k] for k in ("total", "by_level", "by_id", "samples")},
                "unchecked_spans": report.unchecked_samples,
            },
            result="failure" if stats["by_level"]["violation"] else "success",
            duration_ms=(self.clock() - started) / 1e6,
            trace_id=trace_id_of(span),
        )
        return report

    async def _store_findings(self, check_ns: int, findings: list[Any], samples: int) -> None:
        from backend.weaver.stored import save_findings

        try:
            await self.ready()
            await save_findings(self.store, check_ns, findings, samples)
        except StoreError as exc:
            self.events.publish(BackendProblem(f"could not store the check's findings: {exc}"))

    def _lock_drift_all(self) -> dict[Path, list[str]]:
        """Each uv project's pyproject against its lock node (locks from the parse cache)."""
        from backend.health.drift import lock_drift

        out: dict[Path, list[str]] = {}
        for folder, scan in list(self._scans.items()):
            lock_file = scan.lock_file
            if lock_file is None or lock_file.name != "uv.lock":
                continue
            try:
                lock = self._scanner.cache.get(lock_file, parse_uv_lock)
            except ParseFailure:
                continue
            relative = folder.relative_to(lock_file.parent).as_posix() or "."
            node = project_node(lock, relative, scan.name)
            out[folder] = lock_drift(scan.declarations, node, scan.local_names, scan.dynamic)
        return out

    def warm_graphs(self) -> int:
        """Build every project's graph ahead of need (a worker thread calls this after
        a scan, so opening the tree pane does not parse locks); returns how many."""
        return sum(self.project_graph(folder) is not None for folder in list(self._scans))

    def _build_graph(self, scan: ProjectScan) -> DependencyGraph | None:
        """From uv.lock, else pylock.toml, else the installed environment."""
        environment = (
            marker_environment(scan.environment.python_version) if scan.environment else None
        )
        lock_file = scan.lock_file
        try:
            if lock_file is not None and lock_file.name == "uv.lock":
                lock = self._scanner.cache.get(lock_file, parse_uv_lock)
                relative = scan.path.relative_to(lock_file.parent).as_posix() or "."
                return graph_from_uv_lock(lock, relative, scan.name, environment)
            if lock_file is not None and is_pylock_name(lock_file.name):
                lock = self._scanner.cache.get(lock_file, parse_pylock)
                return graph_from_pylock(lock, scan.name, scan.declarations, environment)
        except ParseFailure:
            return None
        if scan.environment is not None and scan.environment.dists:
            return graph_from_environment(
                scan.environment, scan.name, scan.declarations, environment
            )
        return None

    async def _scan_in_child(self) -> list[ProjectScan] | None:
        """The child's scans; None when it stopped answering (it is killed, and
        later scans run in a thread)."""
        assert self._child is not None
        future, self._early_scan = self._early_scan, None
        if future is None:
            future = self._child.submit(
                self.settings.roots, self.settings.max_depth, self.settings.environment
            )
        waiting = asyncio.wrap_future(future)
        child = self._child
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=1.0)
            if done:
                break
            if time.monotonic() - child.last_heard > CHILD_STALL_S:
                waiting.cancel()
                child.kill()
                self._child = None
                self.events.publish(
                    BackendProblem(
                        f"the scan process gave no sign of life for {CHILD_STALL_S:.0f} s;"
                        " scanning in this process instead"
                    )
                )
                return None
        scans, layout = waiting.result()
        self._scanner.adopt(layout)
        return scans

    def _progress_reporter(self):  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        last = 0.0

        def progress(done: int, total: int, path: Path) -> None:
            # At most ten a second: each one redraws a progress bar on the UI's loop.
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                loop.call_soon_threadsafe(self.events.publish, ScanProgress(done, total, path))

        return progress

    async def _build(self, scans: list[ProjectScan]) -> Inventory:
        with self.tracer.start_as_current_span(names.INVENTORY_BUILD) as span:
            inventory = await asyncio.to_thread(build_inventory, self.settings.roots, scans)
            span.set_attributes(
                {
                    names.PROJECT_COUNT: len(inventory.projects),
                    names.PACKAGE_COUNT: len(inventory.packages),
                }
            )
            return inventory

    def _record_project(self, parent: Span, scan: ProjectScan) -> None:
        """The project read, and the files it parsed beneath it."""
        if not scan.timings:
            return
        project, *files = scan.timings
        project_span = self._record(parent, [project])
        self._record(project_span or parent, files)

    def _record(self, parent: Span, timings: Iterable[Timing]) -> Span | None:
        """Spans, after the fact, for operations timed elsewhere (a thread, a child)."""
        context = trace.set_span_in_context(parent)
        span = None
        for timing in timings:
            span = self.tracer.start_span(
                timing.name,
                context=context,
                start_time=timing.start_ns,
                attributes=timing.attributes,
            )
            if timing.error is not None:
                span.set_status(StatusCode.ERROR, timing.error)
                span.set_attribute(names.ERROR_TYPE, "parse_error")
            span.end(end_time=timing.end_ns)
        return span

    def _affected_projects(self, paths: set[Path]) -> set[Path] | None:
        """Project folders to re-read, or None when a full rescan is needed."""
        scanner = self._scanner
        layout = scanner.layout
        if layout is None:
            return None
        folders: set[Path] = set()
        for path in paths:
            env = _environment_of(path)
            if env is not None:
                scanner.cache.forget(env)
                folders |= set(scanner.users_of_environment(env))
                continue
            if path.is_dir():
                if path not in layout.projects and discover([path], max_depth=4):
                    return None  # a new folder that holds projects: rediscover
                continue
            folder = path.parent
            known = layout.projects.get(folder)
            if known is None or path.name == "pyvenv.cfg":
                return None  # a new project, or a new environment: rediscover
            if path not in known.manifests or not path.exists():
                return None  # a manifest appeared or went away
            if path.name == "pyproject.toml" and folder in layout.workspace_of.values():
                return None  # workspace membership may have changed
            folders.add(folder)
            folders |= set(scanner.members_of(folder))
        return folders

    async def _publish(
        self,
        inventory: Inventory,
        changed: tuple[str, ...],
        reason: str,
        trigger_ns: int | None,
        span: Span,
        started_ns: int,
    ) -> Inventory:
        self.inventory = inventory
        self.events.publish(InventoryUpdated(inventory, changed, reason, trigger_ns))
        try:
            await self.ready()
        except StoreError:
            return inventory  # reported once, where the store failed to open
        with self.tracer.start_as_current_span(names.SNAPSHOT_STORE) as span:
            try:
                written = await self._snapshots.record(inventory, reason)
                span.set_attribute(names.SNAPSHOT_COUNT, written)
            except Exception as exc:  # storage trouble must not stop the inventory
                span.set_status(StatusCode.ERROR, str(exc))
                self.events.publish(BackendProblem(f"could not store snapshot: {exc}"))
        await self._audit_scan(inventory, changed, reason, span, started_ns)
        return inventory

    async def _audit_scan(
        self,
        inventory: Inventory,
        changed: tuple[str, ...],
        reason: str,
        span: Span,
        started_ns: int,
    ) -> None:
        """One `scan` entry per inventory build: a failure if any file was unreadable."""
        await self.record_audit(
            "scan",
            project=changed[0] if len(changed) == 1 else None,
            details={
                "reason": reason,
                "roots": [str(r) for r in self.settings.roots],
                "projects": len(inventory.projects),
                "packages": len(inventory.packages),
                "errors": inventory.error_count,
                "changed_projects": list(changed),
            },
            result="partial" if inventory.error_count else "success",
            duration_ms=(self.clock() - started_ns) / 1e6,
            trace_id=trace_id_of(span),
        )

    async def record_audit(self, action: str, **fields: Any) -> None:
        """Append an audit entry; storage trouble is reported, never raised."""
        try:
            await self.ready()
            await self.audit.record(action, **fields)
        except StoreError as exc:
            self.events.publish(BackendProblem(f"could not write the audit log: {exc}"))

    async def _session_started(self, source: str, details: dict[str, object]) -> None:
        """An ingest session (receiver, watcher) begins: `ingest-start`."""
        self._sessions[source] = (self.clock(), self.telemetry.spans.counter.stored, details)
        await self.record_audit("ingest-start", details={"source": source, **details})

    async def _session_stopped(self, source: str) -> None:
        started_ns, stored_before, details = self._sessions.pop(source)
        await self.record_audit(
            "ingest-stop",
            details={
                "source": source,
                **details,
                "spans_stored": self.telemetry.spans.counter.stored - stored_before,
            },
            duration_ms=(self.clock() - started_ns) / 1e6,
        )

    async def _open_store(self) -> None:
        await self.store.open()
        await self._snapshots.load()
        try:
            await self._audit_config()
        except StoreError as exc:  # the store works; only this entry is lost
            self.events.publish(BackendProblem(f"could not write the audit log: {exc}"))
        self._tasks.append(asyncio.create_task(self._recover_on_start(), name="recover"))

    async def _recover_on_start(self) -> None:
        try:
            await self.recover_updates()
        except Exception as exc:
            self.events.publish(BackendProblem(f"could not check the update journal: {exc!r}"))

    async def recover_updates(self) -> list[str]:
        """Restore the projects an interrupted update left half done (a crash or a
        SIGKILL mid-update); returns their names and tells the user."""
        async with self._update_lock:
            restored = await self.updater(require_uv=False).recover()
        names_ = [entry.project for entry in restored]
        if names_:
            self.events.publish(
                BackendNotice("restored after an interrupted update: " + ", ".join(sorted(names_)))
            )
        return names_

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
            self.store, self.record_audit, self.tracer, uv, self.settings.update_concurrency
        )

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
            rows, lookup = await self._outdated(
                inventory, explicit_index, offline, max_age_s=max_age_s
            )
            unchecked = {n: e for n, e in lookup.errors.items() if n not in lookup.releases}
        return plan_changes(inventory, self._scans, rows, selection, unchecked)

    async def _audit_config(self) -> None:
        """`config-change` when the lasting settings differ from the last ones audited."""
        current = self.settings.lasting()
        last = await self.audit.entries(
            AuditFilter(action="config-change", limit=1, newest_first=True)
        )
        before = last[0].details.get("config", {}) if last else {}
        changed = {
            key: {"from": before.get(key), "to": value}
            for key, value in current.items()
            if key not in before or before[key] != value
        }
        if changed:
            await self.audit.record(
                "config-change", details={"config": current, "changed": changed}
            )

    async def _initial_scan(self) -> None:
        try:
            await self.scan()
        except Exception as exc:
            self.events.publish(BackendProblem(f"scan failed: {exc!r}"))
        if not self.settings.watch:
            return
        span_files = self.telemetry.follow_span_files(
            lambda error: self.events.publish(BackendProblem(f"span file {error}"))
        )
        pattern = span_files.pattern if span_files else ""
        await self._session_started(
            "watch", {"roots": [str(r) for r in self.settings.roots], "span_files": pattern}
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
        span_files = self.telemetry.span_files
        span_paths = {p for p in paths if span_files and span_files.matches(p)}
        try:
            if span_files is not None:
                for path in sorted(span_paths):
                    await span_files.ingest(path)
            if paths - span_paths:
                await self.refresh_paths(paths - span_paths, trigger_ns=seen)
        except Exception as exc:
            self.events.publish(BackendProblem(f"refresh failed: {exc!r}"))


def _environment_of(path: Path) -> Path | None:
    """For a path inside `<env>/lib/pythonX.Y/site-packages`, the `<env>` folder."""
    parts = path.parts
    if "site-packages" not in parts:
        return None
    index = parts.index("site-packages")
    cut = index - 2 if index >= 2 and parts[index - 2] == "lib" else index - 1
    return Path(*parts[:cut]) if cut > 0 else None
