"""A project's remediation (DMEDI): its charter, the indicators with their evidence,
the strategies they allow (each with its risk and expected score), and the plan of
the chosen ones, resolved in scratch copies; `a` applies it through the update
machinery and scores the project again.

Keys: `1`-`9` choose or drop the strategy of that number, `d` develops the chosen ones
into a plan (uv resolves them in scratch copies), `a` applies it, `esc` cancels a
running apply or closes. Opening it only measures and explores: nothing is resolved
until `d`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from backend.update.plan import Skipped, UnitPlan
from screens.update_plan import UpdatePlanScreen
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain

if TYPE_CHECKING:
    from backend.remediation.flow import ProjectRemediation, Remediation
    from backend.service import Backend


class RemediationScreen(UpdatePlanScreen):
    """Opened with `enter` on an entropy gauge (the monitor) or `R` (the charts pane)."""

    TITLE = "Remediation"
    HINT = "1-9 choose · d develop the plan · a apply · esc close"
    BINDINGS = [
        *(Binding(str(n), f"toggle_strategy({n})", f"Strategy {n}", show=False)
          for n in range(1, 10)),
        Binding("d", "develop", "Develop", id="remediation.develop",
                tooltip="Plan the chosen strategies (resolved in scratch copies)"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    RemediationScreen #remediation-strategies { height: auto; max-height: 50%; padding: 0 1;
        border-bottom: solid $panel-lighten-2; }
    """

    def __init__(self, backend: Backend, project: str) -> None:
        super().__init__(backend, [])
        self.project = project
        self.chosen: list[str] | None = None
        """Strategy ids chosen by hand (None: each indicator's first the charter allows)."""
        self.run: ProjectRemediation | None = None
        self.remediation: Remediation = backend.remediation()
        self.developed = False
        """The plan was asked for (`d`): the chosen strategies are resolved."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Remediation of {self.project}"
            box.border_subtitle = self.HINT
            yield Static(plain("Measuring…", style="dim"), id="remediation-strategies")
            yield NavigableTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="plan-diff")
            yield Static("Resolving in a scratch copy…", id="plan-status")

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
        undo = " · worse: U in the audit pane undoes it" if run.worse else ""
        return f"Done: {summary} · {moved} · {verdict}{undo} · esc to close"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("switch_target", "drop")

    def action_develop(self) -> None:
        if self.state != "ready" or not self.chosen:
            return
        self.developed = True
        self.state = "resolving"
        self.resolve()

    def action_toggle_strategy(self, number: int) -> None:
        if self.state != "ready" or self.run is None:
            return
        if not 1 <= number <= len(self.run.strategies):
            return
        strategy = self.run.strategies[number - 1]
        if not strategy.allowed or strategy.action == "inspect":
            self.notify("The charter does not allow it, or it has nothing to apply.",
                        severity="warning")  # fmt: skip
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
            self._status("Nothing chosen: 1-9 chooses a strategy")
            return
        self.state = "resolving"
        self.resolve()

    def _show_strategies(self) -> None:
        run = self.run
        box = self.query_one("#remediation-strategies", Static)
        if run is None:
            box.update(plain(f"{self.project}: not a watched project", style="red"))
            return
        text = Text()
        after = f" → {run.after.score:.2f} {run.after.level}" if run.after else ""
        text.append_text(plain(f"{run.project}: entropy {run.before.score:.2f} "
                               f"{run.before.level}{after}", style="bold"))  # fmt: skip
        text.append_text(plain(f"  charter: act at {run.charter.threshold}, allows "
                               f"{', '.join(run.charter.actions)}\n", style="dim"))  # fmt: skip
        for indicator in run.before.indicators:
            text.append_text(plain(f"{indicator.kind}: ", style="italic"))
            text.append_text(plain("; ".join(indicator.evidence[:3])))
            text.append("\n")
        chosen = self.chosen or []
        for number, strategy in enumerate(run.strategies, start=1):
            mark = "✓" if strategy.id in chosen else " "
            note = "" if strategy.allowed else "  (not allowed by the charter)"
            line = (f"{number} {mark} {strategy.id}: {strategy.title} → "
                    f"{strategy.expected_score:.2f} {strategy.expected_level}"
                    f" · risk {strategy.risk.get('files')}{note}")  # fmt: skip
            text.append_text(plain(line, style="" if strategy.allowed else "dim"))
            text.append("\n")
        unmet = "criteria met" if run.criteria_met else "unmet: " + "; ".join(run.unmet)
        text.append_text(plain(unmet, style="green" if run.criteria_met else "yellow"))
        box.update(text)
