"""A project's remediation (DMEDI): its charter, the indicators with their evidence,
the strategies they allow (each with its risk and expected score), and the plan of
the chosen ones, resolved in scratch copies; `a` applies it through the update
machinery and scores the project again.

Keys: `space` (or `1`-`9`) chooses or drops the strategy under the cursor (of that
number); `enter` on one that only shows evidence opens the trace of the span it names;
`d` develops the chosen ones into a plan (uv resolves them in scratch copies), `a`
applies it, `u` undoes an apply that made things worse, `esc` cancels a running apply
or closes. Opening it only measures and explores: nothing is resolved until `d`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from backend.update.plan import Skipped, UnitPlan
from screens.update_plan import UpdatePlanScreen
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain

if TYPE_CHECKING:
    from backend.remediation.explore import Strategy
    from backend.remediation.flow import ProjectRemediation, Remediation
    from backend.service import Backend


class StrategyTable(NavigableTable[Text]):
    """The strategies: the expected score before the long id and title, which give way
    in a narrow terminal."""

    SHRINKS = {"title": 16, "id": 14, "risk": 8}


class RemediationScreen(UpdatePlanScreen):
    """Opened with `enter` on an entropy gauge (the monitor) or `R` (the charts pane)."""

    TITLE = "Remediation"
    HINT = "space/1-9 choose · enter trace · d develop · a apply · u undo · esc close"
    BINDINGS = [
        *(Binding(str(n), f"toggle_strategy({n})", f"Strategy {n}", show=False)
          for n in range(1, 10)),
        Binding("space", "drop", "Choose/drop", id="remediation.choose",
                tooltip="Choose the strategy under the cursor, or drop it"),
        Binding("d", "develop", "Develop", id="remediation.develop",
                tooltip="Plan the chosen strategies (resolved in scratch copies)"),
        Binding("u", "undo", "Undo", id="remediation.undo",
                tooltip="Restore the files this remediation wrote, and measure again"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    RemediationScreen #remediation-summary { height: auto; max-height: 25%; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    RemediationScreen #plan-diff { max-height: 25%; }
    RemediationScreen.-developed #remediation-strategies { max-height: 25%; }
    RemediationScreen.-developed #remediation-summary { max-height: 3; }
    RemediationScreen #remediation-strategies { height: auto; max-height: 40%;
        border-bottom: solid $panel-lighten-2; }
    """

    class TraceRequested(Message):
        """`enter` on an inspect strategy: the trace of the span it names."""

        def __init__(self, trace_id: str, span_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id
            self.span_id = span_id

    def __init__(self, backend: Backend, project: str) -> None:
        super().__init__(backend, [])
        self.project = project
        self.chosen: list[str] | None = None
        """Strategy ids chosen by hand (None: each indicator's first the charter allows)."""
        self.run: ProjectRemediation | None = None
        self.remediation: Remediation = backend.remediation()
        self.developed = False
        """The plan was asked for (`d`): the chosen strategies are resolved."""
        self.undone = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Remediation of {self.project}"
            box.border_subtitle = self.HINT
            yield Static(plain("Measuring…", style="dim"), id="remediation-summary")
            yield StrategyTable(id="remediation-strategies", cursor_type="row")
            yield NavigableTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="plan-diff")
            yield Static("Resolving in a scratch copy…", id="plan-status")

    def on_mount(self) -> None:
        """After the plan screen's own (Textual calls both): its table set up, and
        the focus on the strategies."""
        table = self.query_one("#remediation-strategies", DataTable)
        for label, key in (
            ("#", "number"), ("", "chosen"), ("Expected", "expected"), ("Strategy", "id"),
            ("What", "title"), ("Risk", "risk"),
        ):  # fmt: skip
            table.add_column(label, key=key)
        self.call_after_refresh(table.focus)

    async def make_plan(self) -> tuple[list[UnitPlan], list[Skipped]]:
        runs, skipped = await self.remediation.plan(
            [self.project], self.chosen or [], resolve=self.developed
        )
        self.run = runs[0] if runs else None
        if self.run is not None and self.chosen is None:
            self.chosen = list(self.run.chosen)
        self._show_strategies()
        return list(self.remediation.units), skipped

    def ready_message(self, planned: int) -> str:
        if self.run is None:
            return "No such project"
        if not self.developed:
            return f"{len(self.chosen or [])} strategies chosen · d to develop the plan"
        units = f"{planned} unit{'s' if planned != 1 else ''}"
        return f"{units} to apply for {len(self.chosen or [])} strategies"

    async def apply_units(self) -> None:
        if self.run is not None:
            await self.remediation.implement([self.run], self.cancel, self._progress)
            self._show_strategies()

    def done_message(self, summary: str) -> str:
        run = self.run
        if run is None or run.after is None:
            return super().done_message(summary)
        moved = f"entropy {run.before.score:.2f} → {run.after.score:.2f} {run.after.level}"
        verdict = "criteria met" if run.criteria_met else "criteria not met"
        undo = " · worse: u undoes it" if run.worse and self._undoable() else ""
        return f"Done: {summary} · {moved} · {verdict}{undo} · esc to close"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_target":
            return False
        if action == "undo":
            return self.state == "done" and self._undoable()
        return True

    def _undoable(self) -> bool:
        return not self.undone and any(u.result == "success" and not u.sync_only
                                       for u in self.units)  # fmt: skip

    # -- actions -------------------------------------------------------------------------

    def action_develop(self) -> None:
        if self.state != "ready" or not self.chosen:
            return
        self.developed = True
        self.add_class("-developed")  # the plan gets the room the strategies had
        self.state = "resolving"
        self.resolve()

    def action_drop(self) -> None:
        """`space`: the strategy under the cursor, chosen or dropped."""
        strategy = self._strategy_under_cursor()
        if strategy is not None:
            self._toggle(strategy)

    def action_toggle_strategy(self, number: int) -> None:
        if self.run is not None and 1 <= number <= len(self.run.strategies):
            self._toggle(self.run.strategies[number - 1])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """`enter`: an inspect strategy opens its trace; any other is chosen or dropped."""
        if event.data_table.id != "remediation-strategies":
            return
        event.stop()
        strategy = self._strategy_under_cursor()
        if strategy is not None:
            self._toggle(strategy)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The strategy under the cursor, whole, where the plan shows a unit's diff."""
        if event.data_table.id != "remediation-strategies":
            return
        event.prevent_default()  # the plan screen's own handler shows the plan's diff
        strategy = self._strategy_under_cursor()
        if strategy is not None:
            self.query_one("#plan-diff", Static).update(_described(strategy))

    def action_undo(self) -> None:
        if self.state == "done" and self._undoable():
            self.undo_remediation()

    @work(exclusive=True, group="plan")
    async def undo_remediation(self) -> None:
        run = self.run
        if run is None:
            return
        self.state = "applying"
        self._status("Undoing: files restored where nobody changed them since…")
        try:
            outcome = await self.remediation.undo([run])
        except Exception as exc:
            self.state = "done"
            self._status(f"Undo stopped: {exc}", error=True)
            return
        self.state = "done"
        self.undone = bool(outcome.restored)
        self._show_strategies()
        refused = "; ".join(f"{p}: {why}" for p, why in outcome.refused.items())
        after = f" · entropy now {run.after.score:.2f} {run.after.level}" if run.after else ""
        text = f"Undone: restored {', '.join(outcome.restored) or 'nothing'}{after}"
        self._status(text + (f" · refused {refused}" if refused else "") + " · esc to close",
                     error=bool(refused))  # fmt: skip
        self.refresh_bindings()

    # -- strategies ----------------------------------------------------------------------

    def _toggle(self, strategy: Strategy) -> None:
        if strategy.action == "inspect":
            if strategy.trace is not None:
                self.post_message(self.TraceRequested(*strategy.trace))
            else:
                self.notify("Nothing to apply: look at the evidence above.", severity="warning")
            return
        if self.state != "ready":
            return
        if not strategy.allowed:
            self.notify(f"The charter does not allow {strategy.action!r}.", severity="warning")
            return
        chosen = list(self.chosen or [])
        if strategy.id in chosen:
            chosen.remove(strategy.id)
        else:
            chosen.append(strategy.id)
        self.chosen = chosen
        if not chosen:  # an empty list would mean the default choice
            self.units, self.skipped = [], []
            self._fill()
            self._show_strategies()
            self._status("Nothing chosen: space or 1-9 chooses a strategy")
            return
        self.state = "resolving"
        self.resolve()

    def _strategy_under_cursor(self) -> Strategy | None:
        table = self.query_one("#remediation-strategies", DataTable)
        if self.run is None or not table.row_count:
            return None
        row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.run.strategies if s.id == row), None)

    def _show_strategies(self) -> None:
        run = self.run
        summary = self.query_one("#remediation-summary", Static)
        if run is None:
            summary.update(plain(f"{self.project}: not a watched project", style="red"))
            return
        text = Text()
        after = f" → {run.after.score:.2f} {run.after.level}" if run.after else ""
        text.append_text(plain(f"{run.project}: entropy {run.before.score:.2f} "
                               f"{run.before.level}{after}", style="bold"))  # fmt: skip
        text.append_text(plain(f"  charter: act at {run.charter.threshold}, allows "
                               f"{', '.join(run.charter.actions)}\n", style="dim"))  # fmt: skip
        for indicator in run.before.indicators:  # one line each: the table needs the room
            text.append_text(plain(f"{indicator.kind}: ", style="italic"))
            text.append_text(plain(indicator.evidence[0] if indicator.evidence else ""))
            if len(indicator.evidence) > 1:
                text.append_text(plain(f" (+{len(indicator.evidence) - 1} more)", style="dim"))
            text.append("\n")
        unmet = "criteria met" if run.criteria_met else "unmet: " + "; ".join(run.unmet)
        text.append_text(plain(unmet, style="green" if run.criteria_met else "yellow"))
        summary.update(text)
        self._fill_strategies(run)

    def _fill_strategies(self, run: ProjectRemediation) -> None:
        table = self.query_one("#remediation-strategies", DataTable)
        cursor = table.cursor_row
        table.clear()
        chosen = self.chosen or []
        for number, strategy in enumerate(run.strategies, start=1):
            style = "" if strategy.allowed else "dim"
            if strategy.action == "inspect":
                mark, expected = "↗" if strategy.trace else "·", "inspect"
            else:
                mark = "✓" if strategy.id in chosen else " "
                expected = f"{strategy.expected_score:.2f} {strategy.expected_level}"
            risk = strategy.risk
            shown = ", ".join(risk.get("files", [])) or "-"
            if risk.get("major_bumps"):
                shown += f" · {risk['major_bumps']} major"
            if len(risk.get("projects", [])) > 1:
                shown += f" · {len(risk['projects'])} projects"
            if not strategy.allowed:
                shown += " · not allowed by the charter"
            table.add_row(
                plain(str(number) if number <= 9 else "", style="dim"), plain(mark, style="bold"),
                plain(expected, style=style), plain(strategy.id, style=style),
                plain(strategy.title, style=style), plain(shown, style="dim"), key=strategy.id,
            )  # fmt: skip
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))


def _described(strategy: Strategy) -> Text:
    """Everything the table cuts short: the title, each step, the whole risk."""
    text = Text()
    text.append_text(plain(strategy.title, style="bold"))
    if strategy.action != "inspect":
        text.append_text(plain(f" → {strategy.expected_score:.2f} {strategy.expected_level}"
                               f" ({strategy.expected_from})", style="dim"))  # fmt: skip
    text.append("\n")
    for step in strategy.actions:
        text.append_text(plain(f"  {step}\n"))
    risk = strategy.risk
    if strategy.action != "inspect":
        projects = ", ".join(risk.get("projects", []))
        undo = "undo restores it" if risk.get("undoable") else "writes no file: undo cannot"
        text.append_text(plain(f"touches {', '.join(risk.get('files', []))} in {projects}"
                               f" · {risk.get('major_bumps', 0)} major bumps · {undo}",
                               style="dim"))  # fmt: skip
    return text
