"""The update plan: what will change in each project, resolved in a scratch copy before
anything is touched; then applied with a status per project.

Keys: `space` drops or keeps the change under the cursor, `t` switches the target
between the newest allowed release and the newest, `a` applies, `esc` cancels a
running batch (projects not started are skipped, the running one is rolled back)
or closes.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backend.update.plan import Selection, Skipped, UnitPlan
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain

if TYPE_CHECKING:
    from backend.policy.bundle import LoadedBundle
    from backend.service import Backend

INDEX_MAX_AGE_S = 3600.0
"""Index answers younger than this are used as cached; older ones are asked again
(and still used when the index cannot be reached)."""
STATUS_STYLE = {
    "success": "green",
    "failed": "red",
    "rolled-back": "red",
    "skipped": "yellow",
    "dropped": "dim",
}


class UpdatePlanScreen(ModalScreen[list[UnitPlan]]):
    """Opened with `u` on the inventory's marked rows; returns the units it applied."""

    BINDINGS = [
        Binding("escape", "cancel_or_close", "Cancel / close", id="plan.close"),
        Binding("a", "apply", "Apply", id="plan.apply", tooltip="Update the projects as planned"),
        Binding("space", "drop", "Drop/keep", id="plan.drop", tooltip="Leave this change out"),
        Binding(
            "t",
            "switch_target",
            "Target",
            id="plan.target",
            tooltip="Newest allowed by the specifier, or newest (bumping the specifier)",
        ),
    ]
    DEFAULT_CSS = """
    UpdatePlanScreen { align: center middle; }
    UpdatePlanScreen > Vertical {
        width: 95%; height: 90%; border: thick $accent; background: $surface;
    }
    UpdatePlanScreen DataTable { height: 1fr; }
    UpdatePlanScreen #plan-diff { height: auto; max-height: 40%; padding: 0 1;
        border-top: solid $panel-lighten-2; }
    UpdatePlanScreen #plan-status { height: 1; padding: 0 1; background: $boost; }
    """

    TITLE = "Update plan"
    HINT = "space drop · t target · a apply · esc close"

    def __init__(self, backend: Backend, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.backend = backend
        self.pairs = pairs
        self.dropped: set[tuple[str, str]] = set()
        self.latest = False
        self.units: list[UnitPlan] = []
        self.skipped: list[Skipped] = []
        self.state = "resolving"
        """resolving, ready, applying, done."""
        self.cancel = asyncio.Event()
        self.steps: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.TITLE
            box.border_subtitle = self.HINT
            yield NavigableTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="plan-diff")
            yield Static("Resolving in a scratch copy…", id="plan-status")

    def on_mount(self) -> None:
        table = self.query_one("#plan-table", DataTable)
        for label, key in (
            ("", "keep"), ("Project", "project"), ("Package", "package"), ("From", "from"),
            ("To", "to"), ("How", "how"), ("Status", "status"),
        ):  # fmt: skip
            table.add_column(label, key=key)
        table.focus()
        self.resolve()

    # -- work ----------------------------------------------------------------------------

    @work(exclusive=True, group="plan")
    async def resolve(self) -> None:
        """Plan and resolve every unit in scratch copies (nothing is written)."""
        self.state = "resolving"
        self._status("Resolving in a scratch copy…")
        try:
            units, skipped = await self.make_plan()
            self.units, self.skipped = units, skipped
            self._fill()
            updater = self.backend.updates.updater()
            await updater.resolve(units, progress=self._progress)
        except Exception as exc:  # uv missing, the store: say so, keep the screen
            self.state = "ready"
            self._status(f"Could not plan: {exc}", error=True)
            return
        self.state = "ready"
        self._fill()
        planned = sum(1 for u in self.units if u.result == "planned")
        self._status(self.ready_message(planned) + (" · a to apply" if planned else ""))

    async def make_plan(self) -> tuple[list[UnitPlan], list[Skipped]]:
        """The units for the rows not dropped (a vulnerable package goes to its fix)."""
        wanted = [p for p in self.pairs if p not in self.dropped]
        fixes = self.backend.security.fixes
        targets = {pair: fixes[pair] for pair in wanted if pair in fixes}
        selection = Selection(
            pairs=[p for p in wanted if p not in targets], targets=targets, latest=self.latest
        )
        return await self.backend.updates.plan(
            selection, explicit_index=self.backend.settings.index_url, max_age_s=INDEX_MAX_AGE_S
        )

    def ready_message(self, planned: int) -> str:
        target = "newest" if self.latest else "newest allowed"
        return f"{planned} project{'s' if planned != 1 else ''} to update · target: {target}"

    @work(exclusive=True, group="plan")
    async def run_apply(self) -> None:
        self.state = "applying"
        self._status("Applying… esc cancels (the running project is rolled back)")
        try:
            await self.apply_units()
        except Exception as exc:
            self._status(f"Update stopped: {exc}", error=True)
        self.state = "done"
        self._fill()
        counts: dict[str, int] = {}
        for unit in self.units:
            counts[unit.result] = counts.get(unit.result, 0) + 1
        summary = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
        failed = counts.get("rolled-back", 0) + counts.get("failed", 0)
        self._status(self.done_message(summary), error=bool(failed))

    async def apply_units(self) -> None:
        await self.backend.updates.updater().apply(self.units, self.cancel, self._progress)

    def done_message(self, summary: str) -> str:
        return f"Done: {summary} · esc to close"

    def _progress(self, unit: UnitPlan, step: str) -> None:
        self.steps[str(unit.folder)] = step
        self._update_status_cells(unit)
        self._show_diff()

    # -- actions -------------------------------------------------------------------------

    def action_cancel_or_close(self) -> None:
        if self.state == "applying":
            self.cancel.set()
            self._status("Cancelling: projects not started are skipped…", error=True)
            return
        if self.state == "resolving":
            self.workers.cancel_group(self, "plan")
        self.dismiss(self.units if self.state == "done" else [])

    def action_apply(self) -> None:
        if self.state != "ready":
            return
        if not any(u.result == "planned" for u in self.units):
            self.notify("Nothing to apply.", severity="warning")
            return
        self.state = "applying"  # at once: a second `a` must not start (and cancel) another
        self.run_apply()

    def action_drop(self) -> None:
        if self.state != "ready":
            return
        key = self._cursor_key()
        if key is None or "\x00" not in key:
            return
        project, package = key.split("\x00", 1)
        pair = (package, project)
        if pair in self.dropped:
            self.dropped.discard(pair)
        else:
            self.dropped.add(pair)
        self.state = "resolving"
        self.resolve()

    def action_switch_target(self) -> None:
        if self.state != "ready":
            return
        self.latest = not self.latest
        self.state = "resolving"
        self.resolve()

    def on_data_table_row_highlighted(self) -> None:
        self._show_diff()

    # -- drawing -------------------------------------------------------------------------

    def _fill(self) -> None:
        table = self.query_one("#plan-table", DataTable)
        keep = self._cursor_key()
        table.clear()
        for unit in self.units:
            for change in unit.changes:
                table.add_row(
                    "✓", plain(change.project), plain(change.name), change.current,
                    change.target, change.method, self._status_cell(unit),
                    key=f"{change.project}\x00{change.name}",
                )  # fmt: skip
            if not unit.changes:  # constraints, a re-lock, a sync: one row for the project
                what = ", ".join(unit.constraints or unit.upgrade) or "-"
                how = "constraints" if unit.constraints else ("sync" if unit.sync_only else "lock")
                table.add_row(
                    "✓", plain(unit.project), plain(what), "", "", how, self._status_cell(unit),
                    key=f"{unit.project}\x00",
                )  # fmt: skip
        for item in self.skipped:
            table.add_row(
                "-", plain(item.project or "-"), plain(item.name), "", "", "",
                plain(
                    f"skipped: {item.reason}"
                    + (" (t: to the newest release)" if item.newest_allowed_is_current else ""),
                    style=STATUS_STYLE["skipped"],
                ),
                key=f"{item.project}\x00{item.name}",
            )  # fmt: skip
        for package, project in sorted(self.dropped):
            table.add_row(
                " ", plain(project), plain(package), "", "", "",
                Text("dropped (space keeps it)", style="dim"),
                key=f"{project}\x00{package}",
            )  # fmt: skip
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._show_diff()

    def _status_cell(self, unit: UnitPlan) -> Text:
        step = self.steps.get(str(unit.folder), unit.result)
        result = unit.result if unit.result != "planned" else step
        text = plain(result, style=STATUS_STYLE.get(result, ""))
        if unit.error and unit.result != "planned":
            text.append(f": {unit.error.splitlines()[0]}", style="dim")
        return text

    def _update_status_cells(self, unit: UnitPlan) -> None:
        table = self.query_one("#plan-table", DataTable)
        for key in self._row_keys(unit):
            if key in table.rows:
                table.update_cell(key, "status", self._status_cell(unit))

    @staticmethod
    def _row_keys(unit: UnitPlan) -> list[str]:
        if not unit.changes:
            return [f"{unit.project}\x00"]
        return [f"{c.project}\x00{c.name}" for c in unit.changes]

    def _cursor_key(self) -> str | None:
        table = self.query_one("#plan-table", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def _unit_at_cursor(self) -> UnitPlan | None:
        key = self._cursor_key()
        for unit in self.units:
            if key in self._row_keys(unit):
                return unit
        return None

    def _show_diff(self) -> None:
        unit = self._unit_at_cursor()
        diff = self.query_one("#plan-diff", Static)
        if unit is None:
            diff.update("")
            return
        text = Text()
        text.append_text(plain(unit.project, style="bold"))
        text.append_text(plain(f" · folder {self._where(unit)} · {unit.kind}\n", style="dim"))
        for line in unit.lock_diff.lines() or ["(lock diff not known yet)"]:
            style = {"+": "green", "-": "red", "~": "yellow"}.get(line[:1], "")
            text.append_text(plain(line, style=style))
            text.append("\n")
        for rel, lines in unit.file_diffs().items():
            text.append_text(plain(rel, style="bold"))
            text.append("\n")
            for line in lines:
                text.append_text(plain(line, style="green" if line[:1] == "+" else "red"))
                text.append("\n")
        for command in unit.commands:
            text.append_text(plain(f"$ {command}", style="dim"))
            text.append("\n")
        if unit.error:
            text.append_text(plain(unit.error, style="red"))
        diff.update(text)

    def _where(self, unit: UnitPlan) -> str:
        """The unit's folder relative to the root it was found under."""
        for root in self.backend.settings.roots:
            if unit.folder.is_relative_to(root):
                return str(unit.folder.relative_to(root)) or "."
        return str(unit.folder)

    def _status(self, message: str, error: bool = False) -> None:
        self.query_one("#plan-status", Static).update(
            plain(message, style="bold red" if error else "")
        )


class PolicyPlanScreen(UpdatePlanScreen):
    """`P`: the policy bundle compiled into each lock's uv constraints, one row per
    project (its pins that must move, for a requirements project), applied through
    the same machinery; `space` leaves a project out."""

    TITLE = "Policy plan"
    HINT = "space drop · a apply · esc close"

    def __init__(self, backend: Backend, bundle: LoadedBundle) -> None:
        super().__init__(backend, [])
        self.bundle = bundle

    async def make_plan(self) -> tuple[list[UnitPlan], list[Skipped]]:
        plan = await self.backend.updates.plan_policy(self.bundle)
        projects = {project for _, project in self.dropped}
        return [u for u in plan.units if u.project not in projects], plan.skipped

    def ready_message(self, planned: int) -> str:
        noun = "lock" if planned == 1 else "locks"
        return f"{planned} {noun} to bring in line with {self.bundle.path.name}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "switch_target"
