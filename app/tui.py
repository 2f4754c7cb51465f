"""The Textual app: owns the one Backend, turns its events into pane updates."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from app.config_reload import ConfigWatch
from app.refresh import LivePane, RefreshController
from backend.audit.entries import AuditFilter
from backend.collector import SettledCollector, frozen_at_start
from backend.events import (
    BackendNotice,
    BackendProblem,
    InventoryUpdated,
    PolicyChanged,
    ScanProgress,
)
from backend.settings import Settings
from backend.store.errors import StoreError
from screens.dashboard import PANES, DashboardScreen
from widgets.safe_text import plain

if TYPE_CHECKING:  # each pane's and screen's module loads when it is first shown
    from app.monitor_feed import MonitorFeed
    from backend.health.entropy import EntropyReport
    from backend.inventory.model import Inventory
    from backend.service import Backend
    from backend.spc.live import LiveCharts
    from backend.workspace.scan_process import PendingScan
    from screens.audit_detail import AuditDetailScreen
    from screens.monitor import MonitorScreen
    from screens.remediation import RemediationScreen
    from screens.weaver_detail import WeaverDetailScreen
    from widgets.charts_pane import ChartsPane
    from widgets.span_stream import SpanStream

ASSETS = Path(__file__).resolve().parent.parent / "assets"
TREE_SETTLE_S = 0.15
AFTER_PAINT_S = 1.0
WEAVER_EVERY_TICKS = 10
"""The Weaver pane looks at its registry files' times every 10 s."""


class DevkitApp(App[None]):
    """`devkit-tui`: the dashboard over the configured roots."""

    TITLE = "devkit-tui"
    CSS_PATH = ASSETS / "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave devkit-tui"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Show every key"),
        Binding(
            "p",
            "toggle_pause",
            "Pause",
            id="app.pause",
            tooltip="Stop or resume applying live updates",
        ),
        Binding("r", "rescan", "Rescan", id="app.rescan", tooltip="Read every project again"),
    ]

    def __init__(
        self,
        settings: Settings,
        backend: Backend | None = None,
        start: str = "dashboard",
        first_scan: PendingScan | None = None,
    ) -> None:
        """Without a `backend`, one is built when first wanted: after the first frame
        when `first_scan` (begun before this module was imported) has answered by then,
        so that frame shows the inventory without waiting for the backend's imports."""
        super().__init__()
        self.start = start
        """`monitor` opens on the monitor screen, with the dashboard a key away."""
        self.settings = settings
        self._backend = backend
        self.first_scan = first_scan
        self._first: InventoryUpdated | None = None
        """The first scan's inventory, read before the backend was built, until shown."""
        self._shown_early: Inventory | None = None
        """That inventory once shown, until the backend publishes it in its turn."""
        self.paused = False
        self.updates_applied = 0
        """How many inventories reached the screen; tests and benchmarks wait on it."""
        self._bundle_problem = ""
        """The last bad-bundle message shown (the same one is not shown again)."""
        self.graphs_warmed = 0
        self.last_latency_ms: float | None = None
        """From a watched file change to the table showing it, for the last live update."""
        self._held: InventoryUpdated | None = None
        """The newest inventory that arrived while paused, shown on resume."""
        self._span_version = -1
        self._tree_for: tuple[str, str | None] | None = None
        self._tree_shown: tuple[object, int] | None = None
        self._tree_timer: Timer | None = None
        self._span_header: tuple[object, ...] | None = None
        self._audit_version = -1
        self._charts_version = -1
        self._entropy_stale = True
        self._weaver_checked: tuple[int, int, tuple[int, ...]] | None = None
        self._live_charts: LiveCharts | None = None
        self.dashboard = DashboardScreen(on_mounted=self._handle_waiting)
        self._events: asyncio.Queue[object] | None = None
        """The backend's events for this app, once `run_backend` subscribed."""
        self._feed: MonitorFeed | None = None
        self.config_watch = ConfigWatch(self)
        self.reports: list[EntropyReport] = []
        """The newest entropy reports (the charts pane and the monitor show them)."""
        self.entropy_at = (-1, 0.0)
        """Store version and monotonic time of the last entropy assessment."""
        self.live = RefreshController(
            [
                LivePane("spans", self.refresh_spans, self._span_stamp),
                LivePane("audit", self.refresh_audit, lambda: self.backend.store_version),
                LivePane("charts", self.refresh_charts, lambda: self.backend.store_version),
                LivePane("weaver", self.refresh_weaver, every=WEAVER_EVERY_TICKS),
                LivePane("monitor", self.refresh_monitor, lambda: self.feed.stamp()),
                LivePane("config", self.config_watch.reload, self.config_watch.stamp),
                LivePane(
                    "monitor-clock",
                    lambda: self.feed.redraw(),
                    lambda: self.feed.arrivals.bucket_index(),
                ),
            ],
            visible=self._pane_on_screen,
            paused=lambda: self.paused,
        )
        """Starts the live panes' refreshes when they are due; nothing at rest."""
        self.collector = SettledCollector(enabled=frozen_at_start())
        """Full collections at quiet moments (only in the dashboard's own process)."""

    @property
    def backend(self) -> Backend:
        """The one backend, built the first time it is wanted (see `__init__`)."""
        if self._backend is None:
            from backend.service import Backend

            self._backend = Backend(self.settings, scan_in_child=True, first_scan=self.first_scan)
        return self._backend

    @property
    def feed(self) -> MonitorFeed:
        """The monitor's data and screen, made the first time the monitor is wanted: a
        dashboard that never opens it never loads the pulse and its charts (~30 ms)."""
        if self._feed is None:
            from app.monitor_feed import MonitorFeed

            self._feed = MonitorFeed(self)
            self.install_screen(self._feed.screen, "monitor")  # kept when popped
        return self._feed

    @property
    def monitor(self) -> MonitorScreen:
        return self.feed.screen

    def _on_monitor(self) -> bool:
        """Whether the monitor is in front (False, without making it, if never made)."""
        return self._feed is not None and self.screen is self._feed.screen

    def on_mount(self) -> None:
        self.apply_user_settings(self.settings)
        self._first = self._first_inventory()
        self.push_screen(self.dashboard)
        if self.start == "monitor":
            self.push_screen(self.monitor)
        if self._first is None:
            self.run_backend()
        else:  # the first frame shows it; the backend is built and started after it
            self.call_after_refresh(self.run_backend)
        self.set_interval(self.settings.refresh_s, self._tick)

    def _tick(self) -> None:
        self.live.tick()
        if self.collector.due() and self._quiet():
            self.collector.settle()

    def _quiet(self) -> bool:
        """Nothing under way that a person may be waiting for: the first inventory is
        shown and no worker runs beside the one that follows the backend."""
        return self.updates_applied > 0 and all(
            w.is_finished or w.group == "backend" for w in self.workers
        )

    def _first_inventory(self) -> InventoryUpdated | None:
        """The first scan's inventory, if its child has answered while Textual loaded
        (usually: it scanned on the other core). Read now, the first frame has the rows
        in it; a scan not yet done, or failed, is left to the backend."""
        first = self.first_scan
        if first is None or self._backend is not None or not first.answered:
            return None
        try:
            derived = first.read().derived
        except Exception:  # the backend reads it again and reports the failure
            return None
        if derived is None:
            return None
        inventory = derived[0]
        changed = tuple(p.name for p in inventory.projects)
        return InventoryUpdated(inventory, changed, "scan", None)

    def apply_user_settings(self, settings: Settings, changed: set[str] | None = None) -> None:
        """The configuration file's look, keys and limits: all of them at start, the
        `changed` keys after a reload. An unknown theme or binding id is named in a
        notice; the rest still applies."""
        where = f"{settings.config_file}: " if settings.config_file else ""

        def due(key: str) -> bool:
            return changed is None or key in changed

        if due("theme") and (settings.theme or changed is not None):
            theme = settings.theme or "textual-dark"
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(
                    f"{where}theme: no theme {theme!r}"
                    f" (known: {', '.join(sorted(self.available_themes))})",
                    title="Configuration",
                    severity="error",
                    timeout=30,
                    markup=False,
                )
        if due("keymap") and (settings.keymap or changed is not None):
            from app.keymap import checked_keymap

            keymap, unknown = checked_keymap(settings.keymap)
            if unknown:
                self.notify(
                    f"{where}keymap: no binding {', '.join(map(repr, unknown))}"
                    " (? lists every binding id)",
                    title="Configuration",
                    severity="error",
                    timeout=30,
                    markup=False,
                )
            self.set_keymap(keymap)
        if changed and "spec-limits" in changed:
            self._follow_spec_limits()
            self.run_worker(
                self.backend.operations.audit_config(settings.lasting()),
                group="config-audit",
                exit_on_error=False,
                description="audit the configuration change",
            )

    async def on_unmount(self) -> None:
        if self._backend is not None:
            await self._backend.stop()
        elif self.first_scan is not None:  # closed before the backend was wanted
            self.first_scan.process.shutdown()

    @work(exclusive=True, group="backend", exit_on_error=False, description="backend events")
    async def run_backend(self) -> None:
        """Start the backend and apply its events for as long as the app runs."""
        events = self._events = self.backend.subscribe()
        await self.backend.start()
        self.report_storage()
        if self.settings.receive_otlp:
            self.start_receiver()
        while not self.dashboard.is_mounted:  # a fast first scan can beat the first frame
            await asyncio.sleep(0.005)
        while True:
            event = await events.get()
            try:
                self._handle(event)
            except Exception as exc:  # one event shown wrong must not stop the following
                self.log.error("backend event", event, exc)
                self.notify(f"could not show an update: {exc!r}", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job that failed says so, in a notification and the log: the
        workers run with `exit_on_error=False`, so one failure never closes the app,
        and without this it would vanish."""
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        what = worker.description or worker.name or "background work"
        self.log.error(f"worker {what!r} failed", worker.error)
        self.notify(
            f"{what}: {worker.error!r}",
            title="Background work failed",
            severity="error",
            markup=False,  # the error may quote paths, names, anything
        )

    def _handle_waiting(self) -> None:
        """The dashboard has just mounted: events that arrived meanwhile (the first
        inventory, scanned while Textual loaded) are shown now, so the first frame
        has the rows in it rather than the one after."""
        if self._first is not None:
            first, self._first = self._first, None
            self._apply(first)
            self._shown_early = first.inventory
        while self._events is not None and not self._events.empty():
            self._handle(self._events.get_nowait())

    def _handle(self, event: object) -> None:
        if isinstance(event, InventoryUpdated) and event.inventory is self._shown_early:
            self._shown_early = None  # the backend's first scan, already on screen
            self.refresh_tree()  # which could not look up graphs before
        elif isinstance(event, InventoryUpdated):
            self._apply(event)
        elif isinstance(event, ScanProgress):
            self.dashboard.show_progress(event.done, event.total)
        elif isinstance(event, BackendProblem):
            self.notify(
                event.message, title="Background work failed", severity="error", markup=False
            )
        elif isinstance(event, BackendNotice):
            self.notify(event.message, timeout=15, markup=False)
        elif isinstance(event, PolicyChanged):
            self.refresh_policy()

    @work(group="storage", exit_on_error=False, description="open the database")
    async def report_storage(self) -> None:
        """The dashboard works without its database; say so when it cannot be opened."""
        try:
            await self.backend.ready()
        except StoreError as exc:
            self.notify(
                f"{exc}\nThe inventory still works; nothing is stored.",
                title="Storage unavailable",
                severity="error",
                timeout=30,
                markup=False,  # the path is the user's, brackets and all
            )

    @work(group="receiver", exit_on_error=False, description="OTLP/HTTP receiver")
    async def start_receiver(self) -> None:
        """Receive spans beside the dashboard; a busy port is reported, not fatal."""
        try:
            url = await self.backend.start_receiver()
        except StoreError:
            return  # already reported by report_storage
        except OSError as exc:
            self.notify(
                f"Cannot listen on {self.settings.otlp_host}:{self.settings.otlp_port}: "
                f"{exc.strerror or exc}. Spans are not received (--otlp-port to choose another).",
                title="OTLP receiver",
                severity="warning",
                timeout=15,
            )
            return
        self.sub_title = f"OTLP {url}"

    @property
    def live_charts(self) -> LiveCharts:
        """The control charts over the stored spans, made when first looked at (the
        charts pane or the monitor): the SPC modules load after the first paint."""
        if self._live_charts is None:
            from backend.spc.live import LiveCharts

            self._live_charts = LiveCharts(self.backend.spans, self.backend.spec_limits())
        return self._live_charts

    def _follow_spec_limits(self) -> None:
        """The spec limits of flags, projects and the user file, as they are now."""
        if self._live_charts is None:
            return  # taken when the charts are made
        limits = self.backend.spec_limits()
        if limits != self.live_charts.spec_limits:
            self.live_charts.set_spec_limits(limits)
            self._charts_version = -1  # judged again on the next look

    def _apply(self, event: InventoryUpdated) -> None:
        if self.paused:
            self._held = event
            return
        self._follow_spec_limits()  # a project's own may have changed
        self.dashboard.show_inventory(event.inventory)
        self.updates_applied += 1
        self.refresh_tree()
        # Graphs and entropy wait until the table has been painted: both parse locks
        # in this process, and the first paint should not share the GIL with them.
        self.set_timer(AFTER_PAINT_S, self.warm_graphs)
        self.set_timer(AFTER_PAINT_S, self.refresh_entropy)
        self.set_timer(AFTER_PAINT_S, self.refresh_weaver)
        self.set_timer(AFTER_PAINT_S, self.refresh_outdated)
        self.set_timer(AFTER_PAINT_S, self.refresh_vulnerable)
        self.set_timer(AFTER_PAINT_S, self.refresh_policy)
        if self.updates_applied == 1:
            self.set_timer(AFTER_PAINT_S, self.preload_later_modules)
        if event.trigger_ns is not None:
            self.last_latency_ms = (time.time_ns() - event.trigger_ns) / 1e6
        errors = event.inventory.error_count
        if event.reason == "scan" and errors and not self._on_monitor():
            noun = "file" if errors == 1 else "files"
            self.notify(f"{errors} {noun} could not be read: press e", severity="warning")

    @work(exclusive=True, group="graphs", exit_on_error=False, description="dependency graphs")
    async def warm_graphs(self) -> None:
        """Build every project's graph after a scan, so the tree pane opens without
        parsing locks; `graphs_warmed` counts the rounds (benchmarks wait on it)."""
        await asyncio.to_thread(self.backend.warm_graphs)
        self.graphs_warmed += 1

    @work(group="preload", exit_on_error=False, description="later modules")
    async def preload_later_modules(self) -> None:
        """Plotext (~25 ms of imports) and the monitor's pulse (~30 ms) loaded in a
        thread, so the first chart drawn or `m` does not import them on the loop."""
        for module in ("widgets.kept_plot", "app.monitor_feed"):
            await asyncio.to_thread(importlib.import_module, module)

    def _pane_on_screen(self, pane: str) -> bool:
        """For the refresh controller: False too while the app shuts down (the
        dashboard's panes are gone before its last timer tick)."""
        if pane == "config":
            return True  # followed on every screen
        try:
            if pane.startswith("monitor"):
                return self._on_monitor()
            return self.dashboard.pane_visible(pane)
        except (NoMatches, ScreenStackError):  # a tick after the last screen went
            return False

    def _span_stamp(self) -> tuple[object, ...]:
        backend = self.backend
        return (backend.store_version, backend.spans.counter.rates(), backend.receiver_url)

    @work(exclusive=True, group="spans", exit_on_error=False, description="span stream")
    async def refresh_spans(self) -> None:
        """Redraw the span stream when the store or the counters moved, while the pane
        is on screen and not paused (the refresh controller starts it)."""
        try:
            if self.paused or not self.dashboard.pane_visible("spans"):
                return
            backend = self.backend
            rates = backend.spans.counter.rates()
            version = self.backend.store_version
            header = (rates, backend.receiver_url)
            if version == self._span_version and header == self._span_header:
                return
            spans = await backend.spans.recent()
            self._span_version, self._span_header = version, header
            self.dashboard.show_spans(spans, rates, backend.receiver_url)
        except StoreError:
            pass  # no database: the stream stays empty, as the storage notice says

    @work(exclusive=True, group="audit", exit_on_error=False, description="audit log")
    async def refresh_audit(self) -> None:
        """Fetch audit entries newer than those shown, when the store moved and the
        pane is on screen."""
        try:
            version = self.backend.store_version
            if self.paused or not self.dashboard.pane_visible("audit"):
                return
            if version == self._audit_version:
                return
            from widgets.audit_log import MAX_KEPT  # loaded with the pane

            pane = self.dashboard.audit_pane
            newer = await self.backend.audit_entries(
                AuditFilter(after_seq=pane.last_seq, newest_first=True, limit=MAX_KEPT)
            )
            self._audit_version = version
            self.dashboard.show_audit(newer)
        except StoreError:
            pass  # no database: the storage notice says so

    @work(exclusive=True, group="charts", exit_on_error=False, description="control charts")
    async def refresh_charts(self) -> None:
        """Pull spans stored since the last look into the live charts, when the pane
        is on screen and the store moved."""
        try:
            version = self.backend.store_version
            if self.paused or not self.dashboard.pane_visible("charts"):
                return
            if version == self._charts_version:
                return
            await self.live_charts.refresh()
            self._charts_version = version
            self._show_charts()
        except StoreError:
            pass

    def _show_charts(self) -> None:
        ranked = self.live_charts.ranked()
        pane = self.dashboard.charts_pane
        chosen = pane.chosen if pane.chosen in self.live_charts.tracked else None
        if chosen is None and ranked:
            chosen = ranked[0][0]
        tracked = self.live_charts.tracked.get(chosen) if chosen else None
        self.dashboard.show_charts(ranked, tracked.series if tracked else None)

    def on_charts_pane_series_chosen(self, message: ChartsPane.SeriesChosen) -> None:
        self._show_charts()

    async def on_charts_pane_chart_changed(self, message: ChartsPane.ChartChanged) -> None:
        from backend.spc.series import SeriesOptions

        await self.live_charts.set_options(SeriesOptions(chart=message.chart, log=message.log))
        self._show_charts()

    async def on_charts_pane_rebaseline_requested(
        self, message: ChartsPane.RebaselineRequested
    ) -> None:
        if await self.live_charts.rebaseline(message.name) is not None:
            self.notify(
                f"New control limits for {message.name} from its newest points (stored).",
                markup=False,  # span names come from anyone
            )
        self._show_charts()

    @work(exclusive=True, group="outdated", exit_on_error=False, description="outdated marks")
    async def refresh_outdated(self) -> None:
        """Mark outdated packages from the index cache (after each scan)."""
        await self._mark_outdated(online=False)

    @work(exclusive=True, group="vulns", exit_on_error=False, description="vulnerable marks")
    async def refresh_vulnerable(self) -> None:
        """Mark vulnerable packages from the imported advisories (after each scan)."""
        inventory = self.backend.inventory
        try:
            found = await self.backend.mark_vulnerable()
        except StoreError:
            return  # no database: the storage notice says so
        self.dashboard.vulnerable = self.backend.security.vulnerable
        if found and inventory is self.backend.inventory and not self.paused:
            self.dashboard.show_inventory(inventory)

    @work(exclusive=True, group="policy", exit_on_error=False, description="policy marks")
    async def refresh_policy(self) -> None:
        """Mark the packages that break the bundle at a root (after each scan, so an
        edited bundle or project is checked again); a bad bundle is said once."""
        from backend.policy.bundle import BundleError

        # The bundle's pydantic models load the first time (~140 ms): in a thread, so
        # the loop runs meanwhile; the marking itself stays here, beside the table.
        await asyncio.to_thread(importlib.import_module, "backend.policy.marks")
        inventory = self.backend.inventory
        try:
            found = self.backend.mark_policy()
        except BundleError as exc:
            if str(exc) != self._bundle_problem:
                self._bundle_problem = str(exc)
                self.notify(str(exc), title="Policy bundle not read", severity="error",
                            timeout=30, markup=False)  # fmt: skip
            return
        self._bundle_problem = ""
        had = bool(self.dashboard.violations)
        self.dashboard.violations = found
        if (found or had) and inventory is self.backend.inventory and not self.paused:
            self.dashboard.show_inventory(inventory)
            self.refresh_entropy()  # a violation is drift too

    @work(exclusive=True, group="releases", exit_on_error=False, description="newer releases")
    async def check_releases(self) -> None:
        """Ask the index about every package (`O`, the palette's "Check for newer
        releases"); a worker of its own, so the marks after a rescan never cancel it."""
        await self._mark_outdated(online=True)

    async def _mark_outdated(self, online: bool) -> None:
        inventory = self.backend.inventory
        if inventory is None:
            return
        if online:
            self.notify("Asking the package index about every package…")
        count, lookup = await self.backend.mark_outdated(
            offline=not online,
            explicit_index=self.settings.index_url,
            progress=self.dashboard.show_progress if online else None,
        )
        self.dashboard.releases_known = self.dashboard.releases_known or bool(lookup.fetched_ns)
        if inventory is self.backend.inventory and not self.paused:
            self.dashboard.show_inventory(inventory)
        if online:
            unchecked = len(lookup.errors)
            self.notify(
                f"{count} outdated"
                + (f"; {unchecked} packages could not be checked" if unchecked else ""),
                severity="warning" if unchecked else "information",
            )

    @work(exclusive=True, group="entropy", exit_on_error=False, description="entropy")
    async def refresh_entropy(self) -> None:
        """Every project's entropy, after each inventory while the charts pane is on
        screen (scores that moved are stored)."""
        if not (self.dashboard.pane_visible("charts") or self._on_monitor()):
            self._entropy_stale = True
            return
        self._entropy_stale = False
        version = self.backend.store_version
        reports = await self.backend.entropy()
        self.entropy_at = (version, time.monotonic())
        self.reports = reports
        self.dashboard.show_entropy(reports)
        if self._feed is not None:
            self._feed.redraw()

    @work(exclusive=True, group="monitor", exit_on_error=False, description="monitor")
    async def refresh_monitor(self) -> None:
        await self.feed.refresh()

    async def on_monitor_screen_item_chosen(self, message: MonitorScreen.ItemChosen) -> None:
        """`enter` in the monitor: the dashboard at that alarm, project or entry."""
        self.pop_screen()
        dashboard = self.dashboard
        pane = "audit" if message.kind == "audit" else "charts"
        dashboard.action_show_pane(pane)
        await dashboard.pane_ready(pane)  # composed now if never shown before
        if message.kind == "alarm":
            dashboard.charts_pane.chosen = message.key
            self._show_charts()
        elif message.kind == "project":  # its gauge, and the project's remediation
            dashboard.charts_pane.reveal_project(message.key)
            self._open_remediation(message.key)
        elif message.kind == "audit":
            entry = next((e for e in self.feed.audit if str(e.seq) == message.key), None)
            dashboard.audit_pane.reveal(int(message.key))
            if entry is not None:
                from screens.audit_detail import AuditDetailScreen

                self.push_screen(AuditDetailScreen(entry))

    def action_monitor(self) -> None:
        """`m` on the dashboard: the compact monitor (`m` again, or escape, comes back)."""
        if self.screen is self.dashboard:
            self.push_screen(self.monitor)

    @work(exclusive=True, group="weaver", exit_on_error=False, description="Weaver checks")
    async def refresh_weaver(self) -> None:
        """Check the registries and live-check the newest spans, when the pane is on
        screen and the store or a registry file changed since the last check."""
        from backend.weaver.registries import registry_stamp  # YAML loads on first use

        if self.paused or not self.dashboard.pane_visible("weaver"):
            return
        inventory = self.backend.inventory
        projects = {p.name: p.path for p in inventory.projects} if inventory else {}
        # Spans of devkit's own checks, the audit entry and stored findings of the
        # last check all leave this stamp alone: a check never asks for another.
        stamp = (
            self.backend.spans.counter.checkable,
            id(inventory),
            await asyncio.to_thread(registry_stamp, projects),
        )
        if stamp == self._weaver_checked:
            return
        report = await self.backend.check_report()
        self._weaver_checked = stamp
        summary = {
            "registries": len(report.registries),
            "samples": report.samples,
            "unchecked": report.unchecked_samples,
        }
        self.dashboard.weaver_pane.show(report.findings, summary)
        self.refresh_entropy()  # live-check violations are semantic drift: one truth

    @work(group="excerpt", exit_on_error=False, description="registry excerpt")
    async def on_weaver_detail_screen_excerpt_requested(
        self, message: WeaverDetailScreen.ExcerptRequested
    ) -> None:
        from backend.weaver.loader import excerpt

        lines = await asyncio.to_thread(excerpt, Path(message.file), message.line)
        text = Text()
        for number, line in lines:
            style = "bold reverse" if number == message.line else ""
            text.append(f"{number:>5}  ", style="dim")
            text.append_text(plain(line, style=style))
            text.append("\n")
        message.screen.show_excerpt(text or Text(f"{message.file}: cannot be read"))

    def on_weaver_detail_screen_trace_requested(
        self, message: WeaverDetailScreen.TraceRequested
    ) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def on_audit_detail_screen_trace_requested(
        self, message: AuditDetailScreen.TraceRequested
    ) -> None:
        self.open_trace(message.trace_id, "")

    def on_remediation_screen_trace_requested(
        self, message: RemediationScreen.TraceRequested
    ) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "inventory-table":
            self._follow_inventory_cursor()

    def on_inventory_table_changed(self) -> None:
        self._follow_inventory_cursor()  # a filter or sort moves rows under the cursor

    def _follow_inventory_cursor(self) -> None:
        """The tree shows the package under the inventory's cursor, once it rests."""
        if not self.dashboard.is_attached:
            return
        try:
            picked = self.dashboard.inventory_pane.table.package_at_cursor()
        except NoMatches:  # a last message while the app shuts down
            return
        if picked is None or picked == self._tree_for:
            return
        self._tree_for = picked
        if self._tree_timer is not None:
            self._tree_timer.stop()
        self._tree_timer = self.set_timer(TREE_SETTLE_S, self.refresh_tree)

    def on_dashboard_screen_pane_shown(self, message: DashboardScreen.PaneShown) -> None:
        if message.pane == "tree":
            self.refresh_tree()
        elif message.pane == "weaver":
            self.refresh_weaver()
        elif message.pane == "charts":
            self.refresh_charts()
            if self._entropy_stale:
                self.refresh_entropy()
        elif message.pane == "audit":
            self.refresh_audit()

    @work(exclusive=True, group="tree", exit_on_error=False, description="dependency tree")
    async def refresh_tree(self) -> None:
        """Graphs of every project that has the package, built off the event loop."""
        if self._backend is None:
            return  # the first frame is drawn before the backend: asked again once built
        inventory = self.backend.inventory
        if self._tree_for is None or inventory is None or not self.dashboard.pane_visible("tree"):
            return
        wanted = self._tree_for
        if self._tree_shown == (wanted, id(inventory)):
            return
        package, project = wanted
        row = inventory.packages.get(package)
        if row is None:
            return
        paths = {p.name: p.path for p in inventory.projects}
        projects = [u.project for u in row.usages if u.project in paths]
        graphs = await asyncio.to_thread(
            lambda: {name: self.backend.project_graph(paths[name]) for name in projects}
        )
        flags = {name: set(r.flags) for name, r in inventory.packages.items()}
        from widgets.dependency_tree import TreeData  # loaded with the pane

        data = TreeData(
            package,
            project or (projects[0] if projects else None),
            {name: g for name, g in graphs.items() if g is not None},
            flags,
        )
        if self._tree_for != wanted:
            return  # the cursor moved on while this built: its own refresh is on a timer
        self._tree_shown = (wanted, id(inventory))
        self.dashboard.show_tree(data)

    def on_dashboard_screen_update_requested(
        self, message: DashboardScreen.UpdateRequested
    ) -> None:
        """`u`: the plan for the marked rows, then a rescan of what it changed."""
        from screens.update_plan import UpdatePlanScreen  # update code loads on first use

        def finished(units: list | None) -> None:  # type: ignore[type-arg]
            if units and any(u.result == "success" for u in units):
                self.dashboard.inventory_pane.table.clear_marks()
                self.run_worker(self.backend.scan(reason="scan"), group="rescan")

        self.push_screen(UpdatePlanScreen(self.backend, message.pairs), finished)

    def on_charts_pane_remediate_requested(self, message: ChartsPane.RemediateRequested) -> None:
        self._open_remediation(message.project)

    def _open_remediation(self, project: str) -> None:
        """The project's remediation screen, then a rescan and new scores if it applied."""
        from screens.remediation import RemediationScreen

        def finished(units: list | None) -> None:  # type: ignore[type-arg]
            if units and any(u.result == "success" for u in units):
                self.run_worker(self.backend.scan(reason="scan"), group="rescan")

        self.push_screen(RemediationScreen(self.backend, project), finished)

    def on_dashboard_screen_policy_apply_requested(self) -> None:
        """`P`: the bundle's plan (say so when there is no bundle, or a bad one)."""
        from backend.policy.bundle import BundleError
        from screens.update_plan import PolicyPlanScreen

        try:
            bundle = self.backend.policy_bundle()
        except BundleError as exc:
            self.notify(str(exc), title="Policy bundle not read", severity="error", markup=False)
            return
        if bundle is None:
            self.notify(
                "No policy bundle: write devkit-bundle.toml at a root, or set [policy] bundle.",
                severity="warning",
            )
            return

        def finished(units: list | None) -> None:  # type: ignore[type-arg]
            if units and any(u.result == "success" for u in units):
                self.run_worker(self.backend.scan(reason="scan"), group="rescan")

        self.push_screen(PolicyPlanScreen(self.backend, bundle), finished)

    def on_dashboard_screen_releases_check_requested(self) -> None:
        self.check_releases()

    def on_dashboard_screen_undo_requested(self) -> None:
        from screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.undo_last_batch()

        self.push_screen(
            ConfirmScreen(
                "Undo the newest update batch? Its projects' files are restored byte for"
                " byte where nobody changed them since, and environments re-synced."
            ),
            answered,
        )

    @work(group="undo", exclusive=True, exit_on_error=False, description="undo")
    async def undo_last_batch(self) -> None:
        outcome = await self.backend.updates.updater(require_uv=False).undo()
        if outcome.batch_id is None:
            self.notify("Nothing to undo: no update batch changed files.", severity="warning")
            return
        lines = [f"restored {p}" for p in outcome.restored]
        lines += [f"refused {p}: {why}" for p, why in outcome.refused.items()]
        self.notify(
            "\n".join(lines) or "nothing restored",
            title=f"Undo of batch {outcome.batch_id}",
            severity="warning" if outcome.refused else "information",
            markup=False,
        )
        if outcome.restored:
            await self.backend.scan(reason="scan")

    def on_span_stream_trace_requested(self, message: SpanStream.TraceRequested) -> None:
        self.open_trace(message.trace_id, message.span_id)

    @work(exclusive=True, group="trace", exit_on_error=False, description="load a trace")
    async def open_trace(self, trace_id: str, span_id: str) -> None:
        spans = await self.backend.spans.trace(bytes.fromhex(trace_id))
        if spans:
            from screens.trace_view import TraceScreen

            self.push_screen(TraceScreen(spans, span_id or None))
        else:
            self.notify(
                f"No spans of trace {trace_id} are stored (pruned, or tracing was off).",
                severity="warning",
            )

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.dashboard.sub_title = "paused (p to resume)" if self.paused else ""
        if not self.paused and self._held is not None:
            held, self._held = self._held, None
            self._apply(held)  # as if it arrived now: outdated marks, tree, entropy follow

    @work(exclusive=True, group="rescan", exit_on_error=False, description="rescan")
    async def action_rescan(self) -> None:
        self.notify("Reading every project again…")
        await self.backend.scan()

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        ours, generic = [], []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            description = binding.tooltip or binding.description
            if description:
                # Our own bindings carry a tooltip; the widgets' stock keys come after.
                (ours if binding.tooltip else generic).append(
                    (self.get_key_display(binding), description, binding.id or "")
                )
        self.push_screen(HelpScreen(ours + generic))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, DashboardScreen):
            for pane, title in PANES:
                yield SystemCommand(
                    f"Show {title}",
                    f"Bring the {title.lower()} pane to the front",
                    lambda p=pane: screen.action_show_pane(p),
                )
            yield SystemCommand(
                "Filter inventory", "Filter packages by name, project or flag", screen.action_filter
            )
            yield SystemCommand(
                "Show file errors", "Files that could not be read", screen.action_show_errors
            )
            yield SystemCommand("Rescan", "Read every project again", self.action_rescan)
            yield SystemCommand(
                "Monitor", "The compact monitor: is anything wrong right now?", self.action_monitor
            )
            yield SystemCommand(
                "Apply policy bundle",
                "Compile the policy bundle into each lock's uv constraints (previewed, undoable)",
                screen.action_apply_policy,
            )
            yield SystemCommand(
                "Check for newer releases",
                "Ask the package index about every package (marks them outdated)",
                self.check_releases,
            )
