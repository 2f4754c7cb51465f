"""The dashboard: all six panes, in a grid when wide and one at a time when narrow."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import DataTable, Header, Input, Static

from backend.audit.entries import AuditEntry
from backend.inventory.model import Inventory
from backend.telemetry.span_rates import SpanRates
from widgets.inventory_pane import InventoryPane
from widgets.key_footer import KeyFooter
from widgets.pane_tabs import PaneTabs

if TYPE_CHECKING:
    from backend.health.entropy import EntropyReport
    from backend.spc.live import RankedSeries
    from backend.spc.series import Series
    from widgets.audit_log import AuditLogPane
    from widgets.charts_pane import ChartsPane
    from widgets.dependency_tree import DependencyTree, TreeData
    from widgets.span_stream import SpanStream
    from widgets.weaver_pane import WeaverPane

PANES: list[tuple[str, str]] = [
    ("inventory", "Inventory"),
    ("tree", "Tree"),
    ("spans", "Spans"),
    ("charts", "Charts"),
    ("audit", "Audit"),
    ("weaver", "Weaver"),
]
MIN_WIDTH, MIN_HEIGHT = 50, 12


def grid_for(width: int, height: int) -> tuple[int, int]:
    """Columns and rows of panes that keep each pane's key columns readable: one pane
    below 120 columns (or 20 rows), two side by side from 120, three from 200, in two
    rows from 30 lines."""
    if width < 120 or height < 20:
        return 1, 1
    return (3 if width >= 200 else 2), (2 if height >= 30 else 1)


class DashboardScreen(Screen[None]):
    """Owns the pane keys; the app hands it data with `show_inventory`."""

    AUTO_FOCUS = "#inventory-table"  # not the first focusable widget, then the table
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (MIN_WIDTH, "-fits")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (MIN_HEIGHT, "-tall")]

    BINDINGS = [
        *(
            Binding(
                str(n),
                f"show_pane('{pane}')",
                title,
                id=f"pane.{pane}",
                show=False,
                tooltip=f"Show the {title.lower()} pane",
            )
            for n, (pane, title) in enumerate(PANES, start=1)
        ),
        Binding("tab", "cycle_pane(1)", "Next pane", id="pane.next", show=False, priority=True),
        Binding(
            "shift+tab",
            "cycle_pane(-1)",
            "Previous pane",
            id="pane.previous",
            show=False,
            priority=True,
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="inventory.filter",
            tooltip="Filter the inventory or the audit log; search the tree",
        ),
        Binding(
            "o",
            "filter_outdated",
            "Outdated",
            id="inventory.outdated",
            tooltip="Show only outdated packages (again: all)",
        ),
        Binding(
            "O",
            "check_releases",
            "Check releases",
            show=False,
            id="inventory.check_releases",
            tooltip="Ask the package index about every package (marks the outdated ones)",
        ),
        Binding(
            "u",
            "update_marked",
            "Update",
            id="inventory.update",
            tooltip="Plan updates of the marked rows (or the highlighted one)",
        ),
        Binding(
            "D",
            "project_detail",
            "Project",
            id="inventory.project_detail",
            show=False,
            tooltip="The highlighted row's project: files, environment, manifests, policy",
        ),
        Binding(
            "P",
            "apply_policy",
            "Apply policy",
            id="inventory.apply_policy",
            show=False,
            tooltip="Compile the policy bundle into each lock's uv constraints (previewed)",
        ),
        Binding(
            "U",
            "undo_update",
            "Undo update",
            id="audit.undo",
            tooltip="Revert the newest update batch (audit pane)",
        ),
        Binding(
            "m",
            "app.monitor",
            "Monitor",
            id="app.monitor",
            show=False,
            tooltip="The compact monitor: is anything wrong right now?",
        ),
        Binding(
            "e",
            "show_errors",
            "Errors",
            id="inventory.errors",
            tooltip="Files that could not be read",
        ),
    ]

    active_pane: reactive[str] = reactive("inventory")
    """The pane in front (the only one shown when the terminal is narrow)."""

    def __init__(self, on_mounted: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._on_mounted = on_mounted
        """Called once the panes are mounted, before the first frame is drawn."""
        self.recent: list[str] = [pane for pane, _ in PANES]
        """Panes, the most recently in front first: those that fit are on screen."""
        self.on_screen: list[str] = []
        self._mounting: dict[str, AwaitMount] = {}
        """Panes composed after the screen, while they mount: a pane is composed the
        first time it is on screen, so a start at 80 columns builds one, not six."""
        self.ready: set[str] = set()
        """Panes composed and mounted: only these are handed data."""
        self._entropy: list[EntropyReport] | None = None
        """Scores computed for the monitor before the charts pane was composed."""

    def _pane_widgets(self, pane: str) -> list[Widget]:
        """A pane's widgets, their modules loaded with them (a pane never shown costs
        no import)."""
        if pane == "inventory":
            return [InventoryPane(id="inventory-pane")]
        if pane == "spans":
            from widgets.span_stream import SpanStream

            return [SpanStream(id="spans-pane")]
        if pane == "weaver":
            from widgets.weaver_pane import WeaverPane

            return [WeaverPane(id="weaver-pane")]
        if pane == "charts":
            from widgets.charts_pane import ChartsPane

            return [ChartsPane(id="charts-pane")]
        if pane == "audit":
            from widgets.audit_log import AuditLogPane

            return [AuditLogPane(id="audit-pane")]
        from widgets.dependency_tree import DependencyTree

        search = Input(placeholder="find a package in the tree", id="tree-search")
        return [search, DependencyTree(id="tree-pane")]

    def compose(self) -> ComposeResult:
        yield Header(icon="▣")
        yield PaneTabs(PANES, id="pane-tabs")
        width, height = self.app.size
        for dimension, points in (
            (width, self.HORIZONTAL_BREAKPOINTS),
            (height, self.VERTICAL_BREAKPOINTS),
        ):  # as the first resize would set them, which would restyle every pane
            self.add_class(max(p for p in points if dimension >= p[0])[1], update=False)
        grid, shown = self.layout_for(width, height)
        with Container(id="panes", classes=" ".join(c for c, on in grid.items() if on)):
            for number, (pane, title) in enumerate(PANES, start=1):
                # recent[0], not active_pane: reading that reactive here would run its
                # watcher before the panes exist
                classes = "pane" + (" -active" if pane == self.recent[0] else "")
                classes += "" if pane in shown else " -off"
                with Vertical(id=f"{pane}-box", classes=classes) as box:
                    box.border_title = f"{number} {title}"
                    if pane in shown:
                        self.ready.add(pane)  # mounted with the screen
                        yield from self._pane_widgets(pane)
        too_small = f"Terminal too small: need {MIN_WIDTH} x {MIN_HEIGHT}; m opens the monitor"
        yield Static(too_small, id="too-small")
        yield KeyFooter()

    def _compose_pane(self, pane: str) -> None:
        """Mount a pane shown for the first time; once mounted it may be handed data
        (`PaneShown`) and, if still in front, take the focus."""
        mounting = self.query_one(f"#{pane}-box").mount(*self._pane_widgets(pane))
        self._mounting[pane] = mounting

        async def mounted() -> None:
            await mounting
            self.ready.add(pane)
            del self._mounting[pane]
            if pane == "charts" and self._entropy is not None:
                self.charts_pane.show_entropy(self._entropy)
                self._entropy = None
            if self.active_pane == pane and self.is_current:
                self._focus_pane(pane)
            self.post_message(self.PaneShown(pane))

        self.call_later(mounted)

    async def pane_ready(self, pane: str) -> None:
        """Wait until `pane` is mounted, if it was composed late and still mounts."""
        mounting = self._mounting.get(pane)
        if mounting is not None:
            await mounting

    def on_mount(self) -> None:
        self.watch_active_pane("inventory")
        self.query_one("#inventory-table").focus()
        if self._on_mounted is not None:
            self._on_mounted()

    def on_screen_resume(self) -> None:
        """Back from the monitor or a detail screen: the pane in front may have data
        that arrived while it was covered."""
        if self.active_pane in self.ready:
            self.post_message(self.PaneShown(self.active_pane))
        self.call_after_refresh(self._keep_focus_in_view)

    def on_resize(self) -> None:
        self.place_panes()
        self.call_after_refresh(self._keep_focus_in_view)

    def layout_for(self, width: int, height: int) -> tuple[dict[str, bool], list[str]]:
        """The grid's classes at this size, and the panes shown: as many as read, the
        most recently used ones, in their number order."""
        columns, rows = grid_for(width, height)
        shown = [pane for pane, _ in PANES if pane in self.recent[: columns * rows]]
        grid = {"-cols-2": columns == 2, "-cols-3": columns == 3, "-rows-2": rows == 2}
        return grid, shown

    def place_panes(self) -> None:
        """Show the panes that fit. Each class change restyles everything below it, so
        each node gets one batched update, and none when nothing changed (compose
        already placed them for the starting size)."""
        grid, shown = self.layout_for(*self.size)
        self.query_one("#panes").update_classes(grid)
        for pane, _ in PANES:
            self.query_one(f"#{pane}-box").set_class(pane not in shown, "-off")
        tabs = self.query_one(PaneTabs)
        tabs.set_class(len(shown) == len(PANES), "-all-shown")
        tabs.on_screen = frozenset(shown)
        for pane in shown:
            if pane not in self.ready and pane not in self._mounting:
                self._compose_pane(pane)  # it says PaneShown once mounted
        if self.is_mounted:
            for pane in set(shown) - set(self.on_screen) - {self.active_pane}:
                if pane in self.ready:
                    self.post_message(self.PaneShown(pane))  # it may have data to show
        self.on_screen = shown

    def _keep_focus_in_view(self) -> None:
        """A pane hidden at a small size hands the focus on, maybe to a closed filter
        line, where typed keys would go unseen (`m` into a hidden filter): once the
        panes are shown again, the focus goes back to the pane in front."""
        focused = self.focused
        if focused is not None and all(w.display for w in (focused, *focused.ancestors)):
            return
        if self.query_one("#panes").display:
            self.action_show_pane(self.active_pane)

    # -- data down -----------------------------------------------------------------------

    @property
    def inventory_pane(self) -> InventoryPane:
        return self.query_one(InventoryPane)

    def show_inventory(self, inventory: Inventory) -> None:
        self.inventory_pane.show(inventory)
        title = f"{len(inventory.projects)} projects · {len(inventory.packages)} packages"
        if self.violations:
            count = len(self.violations)
            title += f" · {count} policy violation{'s' if count != 1 else ''}"
        self.sub_title = title

    def show_progress(self, done: int, total: int) -> None:
        self.inventory_pane.show_progress(done, total)

    def show_spans(
        self, spans: list[dict[str, Any]], rates: SpanRates, receiver: str | None
    ) -> None:
        self.span_stream.show(spans, rates, receiver)

    @property
    def span_stream(self) -> SpanStream:
        return cast("SpanStream", self.query_one("#spans-pane"))

    @property
    def charts_pane(self) -> ChartsPane:
        return cast("ChartsPane", self.query_one("#charts-pane"))

    def show_charts(self, ranked: list[RankedSeries], series: Series | None) -> None:
        self.charts_pane.show_series(ranked, series)

    def show_entropy(self, reports: list[EntropyReport]) -> None:
        """Scores reach the charts pane, or wait for it to be composed (the monitor
        asks for them while the dashboard may never have shown it)."""
        if "charts" in self.ready:
            self.charts_pane.show_entropy(reports)
        else:
            self._entropy = reports

    @property
    def weaver_pane(self) -> WeaverPane:
        return cast("WeaverPane", self.query_one("#weaver-pane"))

    def on_weaver_pane_group_chosen(self, event: WeaverPane.GroupChosen) -> None:
        from screens.weaver_detail import WeaverDetailScreen  # detail screens: on first use

        self.app.push_screen(WeaverDetailScreen(event.title, event.findings))

    def show_audit(self, entries: list[AuditEntry]) -> None:
        self.audit_pane.add_entries(entries)

    @property
    def audit_pane(self) -> AuditLogPane:
        return cast("AuditLogPane", self.query_one("#audit-pane"))

    def show_tree(self, data: TreeData) -> None:
        self.tree_pane.show(data)

    @property
    def tree_pane(self) -> DependencyTree:
        return cast("DependencyTree", self.query_one("#tree-pane"))

    def pane_visible(self, pane: str) -> bool:
        """Is this pane on screen (at narrow widths only the active one is) and mounted?"""
        return self.is_current and pane in self.ready and self.query_one(f"#{pane}-box").display

    # -- panes ---------------------------------------------------------------------------

    class PaneShown(Message):
        """A pane came to the front: the app may have data to hand it."""

        def __init__(self, pane: str) -> None:
            super().__init__()
            self.pane = pane

    class UndoRequested(Message):
        """`U` in the audit pane: revert the newest update batch."""

    class PolicyApplyRequested(Message):
        """`P`: plan the policy bundle into each lock's constraints."""

    class ReleasesCheckRequested(Message):
        """`O`: ask the package index about every package now."""

    class UpdateRequested(Message):
        """`u`: plan updates for these (package, project) pairs."""

        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            super().__init__()
            self.pairs = pairs

    def watch_active_pane(self, pane: str) -> None:
        self.recent = [pane, *(p for p in self.recent if p != pane)]
        self.place_panes()
        for box in self.query(".pane"):
            box.set_class(box.id == f"{pane}-box", "-active")
        self.query_one(PaneTabs).active = pane
        self.refresh_bindings()  # `u` and `U` belong to one pane each
        if pane in self.ready:
            self.post_message(self.PaneShown(pane))

    def on_audit_log_pane_entry_chosen(self, event: AuditLogPane.EntryChosen) -> None:
        from screens.audit_detail import AuditDetailScreen

        self.app.push_screen(AuditDetailScreen(event.entry))

    def on_dependency_tree_package_chosen(self, event: DependencyTree.PackageChosen) -> None:
        """`enter` on a tree node: that package's row in the inventory."""
        self.action_show_pane("inventory")
        self.inventory_pane.reveal(event.package)

    def action_show_pane(self, pane: str) -> None:
        """Bring a pane to the front and focus it (a pane composed just now takes the
        focus once mounted)."""
        self.active_pane = pane
        if pane in self.ready:
            self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        target = {
            "inventory": "#inventory-table",
            "spans": "#span-table",
            "audit": "#audit-table",
            "charts": "#series-list",
            "weaver": "#weaver-table",
        }.get(pane, f"#{pane}-pane")
        self.query_one(target).focus()

    def action_cycle_pane(self, step: int) -> None:
        ids = [p for p, _ in PANES]
        index = (ids.index(self.active_pane) + step) % len(ids)
        self.action_show_pane(ids[index])

    async def action_filter(self) -> None:
        """`/` filters the pane in front (inventory, spans, charts' series, audit, Weaver),
        or, in the tree pane, searches it."""
        await self.pane_ready(self.active_pane)  # `/` typed right after its number
        if self.active_pane == "spans":
            self.span_stream.open_filter()
            return
        if self.active_pane == "charts":
            self.charts_pane.open_filter()
            return
        if self.active_pane == "audit":
            self.audit_pane.open_filter()
            return
        if self.active_pane == "weaver":
            self.weaver_pane.open_filter()
            return
        if self.active_pane == "tree":
            search = self.query_one("#tree-search", Input)
            search.display = True
            search.focus()
            return
        self.action_show_pane("inventory")
        self.inventory_pane.open_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "tree-search":
            return
        event.stop()
        tree = self.tree_pane
        if not tree.search(event.value):
            self.notify(
                f"No package matching {event.value!r} in this tree",
                severity="warning",
                markup=False,
            )
        event.input.display = False
        tree.focus()

    vulnerable: dict[str, list[Any]] = {}
    """Package name to its vulnerable usages and findings (the package detail lists them)."""
    violations: list[Any] = []
    """The policy bundle's violations from the last check (the package detail lists them)."""

    releases_known = False
    """Whether any release data is at hand (the index cache, or a check this session):
    without it no package can be shown as outdated, and `o` says how to get it."""

    def action_filter_outdated(self) -> None:
        self.action_show_pane("inventory")
        self.inventory_pane.filter_to("flag:outdated")
        if not self.releases_known:
            self.notify(
                "No release data yet: press O (or the palette's Check for newer releases)"
                " to ask the package index.",
                severity="warning",
            )

    def action_check_releases(self) -> None:
        self.post_message(self.ReleasesCheckRequested())

    def action_update_marked(self) -> None:
        if self.active_pane != "inventory":
            return
        pairs = self.inventory_pane.table.marked_pairs()
        if not pairs:
            self.notify("Mark rows with space first.", severity="warning")
            return
        self.post_message(self.UpdateRequested(pairs))

    def action_project_detail(self) -> None:
        """`D`: the project of the highlighted row (in the package view, its first)."""
        from screens.project_detail import ProjectDetailScreen

        table = self.inventory_pane.table
        picked = table.package_at_cursor()
        inventory = table.inventory
        if picked is None or inventory is None or self.active_pane != "inventory":
            return
        package, project = picked
        row = inventory.packages.get(package)
        name = project or (row.projects[0] if row and row.projects else None)
        info = next((p for p in inventory.projects if p.name == name), None)
        if info is not None:
            from backend.remediation.charter import charter_json

            charter = charter_json(self.app.backend.remediation().charter_of(info.name))  # type: ignore[attr-defined]
            self.app.push_screen(ProjectDetailScreen(info, self.violations, charter))

    def action_apply_policy(self) -> None:
        self.post_message(self.PolicyApplyRequested())

    def action_undo_update(self) -> None:
        if self.active_pane == "audit":
            self.post_message(self.UndoRequested())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`u` belongs to the inventory and `U` to the audit pane: shown there only."""
        if action == "update_marked":
            return self.active_pane == "inventory"
        if action == "undo_update":
            return self.active_pane == "audit"
        return True

    def action_show_errors(self) -> None:
        inventory = self.inventory_pane.table.inventory
        if inventory is not None:
            from screens.errors import ErrorsScreen

            self.app.push_screen(ErrorsScreen(inventory))

    def on_descendant_focus(self, event: object) -> None:
        """Clicking or tabbing into a pane brings it to the front."""
        focused = self.focused
        for pane, _ in PANES:
            box = self.query_one(f"#{pane}-box")
            if focused is not None and (focused is box or box in focused.ancestors):
                if self.active_pane != pane:
                    self.active_pane = pane
                return

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """`enter` on an inventory row opens its detail screen."""
        if event.data_table.id != "inventory-table":
            return
        table = self.inventory_pane.table
        picked = table.package_at_cursor()
        if picked is None or table.inventory is None:
            return
        package, project = picked
        row = table.inventory.packages.get(package)
        if row is not None:
            from screens.package_detail import PackageDetailScreen  # and its advisory matching

            self.app.push_screen(
                PackageDetailScreen(
                    row,
                    project,
                    self.vulnerable.get(package, []),
                    [v for v in self.violations if v.package == package],
                )
            )
