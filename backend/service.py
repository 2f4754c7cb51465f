"""The Backend: one object that the CLI, the TUI and the tests drive alike.

It composes parts that each own one concern and adds only their wiring and the
lifecycle: the workspace reader (scans, in a child process or a thread), the graph
cache, the operation log (spans and audit entries), the telemetry (own tracer, span
store, receiver, span files), the check runs, and the update machinery. It keeps the
current inventory and publishes events. Use it as `async with Backend(settings) as
backend:` or call `start()` and `stop()`.

About 400 lines, nearly all of them the public face: each method hands its work to
the part that owns it, with the docstring callers read.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Tracer
from packaging.utils import canonicalize_name

from backend.audit.entries import AuditEntry, AuditFilter
from backend.audit.operations import OperationLog
from backend.config.project import ProjectSettings, effective_spec_limits, service_projects
from backend.events import (
    BackendProblem,
    Event,
    EventBus,
    PolicyChanged,
)
from backend.graph.dependency_graph import DependencyGraph
from backend.inventory.build import build_inventory
from backend.inventory.keeper import InventoryKeeper
from backend.inventory.model import Inventory
from backend.inventory.snapshots import SnapshotRecorder
from backend.setting_names import BUNDLE_FILE
from backend.settings import Settings
from backend.store.database import Store, StoreError
from backend.telemetry import names
from backend.telemetry.hub import Telemetry
from backend.telemetry.span_store import SpanStore
from backend.workspace.discovery import SKIP_DIRS
from backend.workspace.graphs import GraphCache
from backend.workspace.reader import WorkspaceReader

if TYPE_CHECKING:  # the analyses load on first use: `list` and first paint skip them
    from backend.health.entropy import EntropyReport
    from backend.index.licenses import LicenseRow
    from backend.index.outdated import Lookup, Outdated
    from backend.manifest.manifests import Manifests
    from backend.policy.bundle import LoadedBundle
    from backend.policy.check import Violation
    from backend.policy.marks import PolicyWatch
    from backend.remediation.flow import Remediation
    from backend.sbom.writer import SbomResult
    from backend.security.checker import VulnerabilityChecker
    from backend.update.updates import Updates
    from backend.weaver.report import CheckReport
    from backend.weaver.runs import CheckRuns
    from backend.workspace.scan_process import PendingScan


class Backend:
    """Scans the roots, keeps the inventory current, stores snapshots and spans."""

    def __init__(
        self,
        settings: Settings,
        scan_in_child: bool = False,
        first_scan: PendingScan | None = None,
    ) -> None:
        """`scan_in_child` runs full scans in a child process (the TUI wants this; a
        one-shot `list` does not, as spawning costs more than it saves there).
        `first_scan` is the first of them, begun before this backend was made (the
        dashboard begins it before importing anything else); its child does the rest."""
        self.settings = settings
        self.events = EventBus()
        self.last_check: CheckReport | None = None
        """The last workspace check (the Weaver pane shows it, entropy reads it)."""
        self._store = Store(settings.db_path)
        self._telemetry = Telemetry(settings, self._store, self.ready)
        self.operations = OperationLog(self._store, lambda: self.tracer, self.ready, self._problem)
        """Every operation's span and audit entry (its `clock` is fixed in snapshots)."""
        self.workspace = WorkspaceReader(
            settings.roots, settings.max_depth, settings.environment, scan_in_child,
            self._problem, settings.cache_dir, derive=build_inventory, first=first_scan,
        )  # fmt: skip
        self.graphs = GraphCache(lambda: self.workspace.scans, self.workspace.cache)
        self._security: VulnerabilityChecker | None = None
        self._snapshots = SnapshotRecorder(self._store)
        self.keeper = InventoryKeeper(
            settings.roots,
            self.workspace,
            self.operations,
            lambda: self.tracer,
            self._open_store_or_none,
            self.events,
            self._snapshots,
        )
        """Scans and refreshes; holds the current inventory."""
        self._checks: CheckRuns | None = None
        self._policy: PolicyWatch | None = None
        self._manifests: Manifests | None = None
        self._updates: Updates | None = None
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

    async def start(self, scan: bool = True) -> None:
        """Open the store, scan and watch, all in the background (as settings say).

        The first inventory does not wait for the database: it is shown as soon as it
        is read and stored once the store is open. `ready()` reports a store failure.
        """
        self.workspace.follow_child_progress(self.keeper.progress)
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
    def tracer(self) -> Tracer:
        """devkit's own tracer (a no-op one until `start()`, or when tracing is off)."""
        return self._telemetry.tracer

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
        with self.tracer.start_as_current_span(names.QUERY_SPANS) as span:
            rows = await self.spans.query(**filters)
            span.set_attribute(names.QUERY_ROW_COUNT, len(rows))
            return rows

    @property
    def security(self) -> VulnerabilityChecker:
        """Advisories imported into the store, and the inventory checked against them
        (built on first use: `list` and `tree` never need it)."""
        if self._security is None:
            from backend.security.checker import VulnerabilityChecker

            self._security = VulnerabilityChecker(self._store, self.operations)
        return self._security

    # -- reading the workspace -------------------------------------------------------

    @property
    def inventory(self) -> Inventory | None:
        """The inventory as last read (None before the first scan)."""
        return self.keeper.inventory

    async def scan(self, reason: str = "scan") -> Inventory:
        """Discover and read every project under the roots; store changed snapshots."""
        return await self.keeper.scan(reason)

    async def refresh_paths(
        self, paths: set[Path], trigger_ns: int | None = None
    ) -> Inventory | None:
        """Re-read only the projects the changed paths belong to (all, if the layout moved)."""
        return await self.keeper.refresh_paths(paths, trigger_ns)

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

    def project_settings(self) -> dict[str, ProjectSettings]:
        """Each project's own `[tool.devkit-tui]`, for those that have one."""
        return {s.name: s.settings for s in self.workspace.scans.values() if s.settings}

    def spec_limits(self) -> dict[str, float]:
        """Spec limits by span name: flags over the projects' over the user file's."""
        settings = self.settings
        from_flags = "spec-limits" in settings.fixed_keys
        return effective_spec_limits(settings.spec_limits, from_flags, self.project_settings())

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
        services = service_projects(self.settings.services, self.project_settings())
        reports = await assess_projects(
            inventory, self.workspace.scans, self.workspace.cache, store, self.last_check,
            services,
        )  # fmt: skip
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

    async def mark_vulnerable(self) -> int:
        """Flag the inventory's vulnerable usages from the imported advisories (not
        audited: the dashboard does this after each scan); returns how many packages."""
        inventory = self.inventory
        if inventory is None:
            return 0
        results = await self.security.check(inventory, audited=False)
        return len({r.name for r in results if r.state == "vulnerable"})

    def mark_policy(self) -> list[Violation]:
        """Flag the inventory's usages that break the bundle at a root (not audited: the
        dashboard does this after each scan); a bad bundle raises `BundleError`."""
        from backend.policy.marks import mark_policy

        inventory = self.inventory
        if inventory is None:
            return []
        found = self._policy_watch().check(inventory)
        mark_policy(inventory, found)
        return found

    def policy_bundle(self) -> LoadedBundle | None:
        """The dashboard's bundle (configured, or at a root), as its files are now;
        a bad bundle raises `BundleError`."""
        return self._policy_watch().current()

    def _policy_watch(self) -> PolicyWatch:
        from backend.policy.marks import PolicyWatch

        if self._policy is None:
            self._policy = PolicyWatch(self.settings.roots, self.settings.policy_bundle)
        return self._policy

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

    async def licenses(
        self,
        inventory: Inventory,
        explicit_index: str | None = None,
        offline: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[LicenseRow]:
        """Every usage's licence: installed copies first-hand, the rest from the index's
        core metadata files (cached in the store when it is open)."""
        from backend.index.licenses import license_rows

        store = await self._open_store_or_none()
        return await license_rows(inventory, store, self.project_indexes(), explicit_index,
                                  offline, progress)  # fmt: skip

    async def sbom(
        self,
        folder: Path,
        with_vulns: bool = False,
        offline: bool = False,
        explicit_index: str | None = None,
    ) -> SbomResult | None:
        """The CycloneDX SBOM of the project in `folder` (None: no project there), read
        from that project alone; audited as `sbom`."""
        from backend.sbom.writer import project_sbom

        store = await self._open_store_or_none()
        settings = self.settings
        async with self.operations.operation("sbom", names.SBOM) as operation:
            result = await project_sbom(
                folder, store, with_vulns, settings.environment, settings.cache_dir, offline,
                explicit_index,
            )  # fmt: skip
            if result is None:
                operation.audited = False
                return None
            operation.project = result.project
            operation.span.set_attribute(names.PROJECT_NAME, result.project)
            operation.span.set_attribute(names.PACKAGE_COUNT, result.packages)
            operation.details = {"components": result.packages,
                                 "vulnerabilities": result.vulnerabilities,
                                 "with_vulns": with_vulns}  # fmt: skip
        return result

    async def policy_check(
        self, inventory: Inventory, bundle: LoadedBundle, environment: str | None = None
    ) -> list[Violation]:
        """Every violation of `bundle` in `inventory`; audited as `policy-check`. The
        licences of releases not installed come from the index's metadata files as the
        store keeps them (`devkit-tui licenses` fetches them), without asking the index."""
        from backend.policy.check import violations

        rows = await self.licenses(inventory, offline=True)
        read = {(r.name, r.version): r.license for r in rows
                if r.origin == "index" and r.why is None and r.version}  # fmt: skip
        async with self.operations.operation("policy-check", names.POLICY_CHECK) as operation:
            found = violations(bundle, inventory, environment, licenses=read)
            errors = sum(v.severity == "error" for v in found)
            operation.span.set_attribute(names.PACKAGE_COUNT, len(inventory.packages))
            operation.details = {"bundle": str(bundle.path), "violations": len(found),
                                 "errors": errors}  # fmt: skip
            operation.result = "failure" if errors else "success"
        return found

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
        if self._checks is None:  # its first import is ~70 ms: not on the UI's loop
            await asyncio.to_thread(importlib.import_module, "backend.weaver.runs")
        report = await self.checks.workspace(self.settings.roots, projects, span_limit)
        self.last_check = report
        return report

    @property
    def updates(self) -> Updates:
        """Plans, the updater, recovery after an interrupted update (loaded on first use)."""
        if self._updates is None:
            from backend.update.updates import Updates

            self._updates = Updates(self)
        return self._updates

    def remediation(self) -> Remediation:
        """A DMEDI run over the projects (loaded on first use)."""
        from backend.remediation.flow import Remediation

        return Remediation(self)

    @property
    def manifests(self) -> Manifests:
        """Environment manifests: generate, diff, verify (loaded on first use)."""
        if self._manifests is None:
            from backend.manifest.manifests import Manifests
            from backend.update.uv_runner import uv_binary

            self._manifests = Manifests(self.operations, uv_binary(self.settings.uv_path))
        return self._manifests

    # -- the audit log ---------------------------------------------------------------

    async def record_audit(self, action: str, **fields: Any) -> None:
        """Append an audit entry; storage trouble is reported, never raised."""
        await self.operations.record(action, **fields)

    async def audit_entries(self, wanted: AuditFilter | None = None) -> list[AuditEntry]:
        """Entries as the filter says; raises `StoreError` without a database."""
        return await self.operations.entries(wanted)

    # -- internals -------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        self.events.publish(BackendProblem(message))

    async def _open_store_or_none(self) -> Store | None:
        try:
            await self.ready()
        except StoreError:
            return None
        return self._store

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
            interrupted = await self._store.query(
                "SELECT 1 FROM update_journal WHERE state = 'applying' LIMIT 1"
            )  # one query first: most starts have nothing to recover, and need no updater
            if interrupted:
                await self.updates.recover()
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
        from backend.workspace.watcher import watch_roots  # watchfiles and anyio: when watching

        watching = asyncio.create_task(
            watch_roots(self.settings.roots, self._on_change, self._stop, pattern)
        )
        if span_files is not None:
            try:
                await self.ready()
                found = await asyncio.to_thread(span_files.find, self.settings.roots, SKIP_DIRS)
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
            folders = [p for p in paths if p.is_dir()]
            if span_files is not None and folders:  # a new folder's files came before its watch
                found = await asyncio.to_thread(span_files.find, folders, SKIP_DIRS)
                span_paths |= set(found)
            if span_files is not None:
                for path in sorted(span_paths):
                    await span_files.ingest(path)
            bundles = {p for p in paths if p.name == BUNDLE_FILE}
            for path in sorted(bundles):
                self.events.publish(PolicyChanged(path))
            if paths - span_paths - bundles:
                await self.refresh_paths(paths - span_paths - bundles, trigger_ns=seen)
        except Exception as exc:
            self._problem(f"refresh failed: {exc!r}")
