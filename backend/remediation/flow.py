"""DMEDI as one run over the chosen projects: define (each one's charter), measure
(the entropy, stored), explore (strategies from the evidence), develop (the plan,
resolved in scratch copies), implement (applied through the update machinery, then
measured again and judged against the charter). Each phase is a span."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.health.entropy import EntropyReport
from backend.remediation.charter import (
    charter_for,
    charter_json,
    needs_action,
    unmet_criteria,
)
from backend.remediation.develop import develop as develop_units
from backend.remediation.develop import resolved_moves
from backend.remediation.explore import Strategy, expect_resolved, explore
from backend.telemetry import names
from backend.update.plan import Skipped, UnitPlan

if TYPE_CHECKING:
    from backend.config.models import Charter
    from backend.inventory.model import Inventory
    from backend.update.batch import UndoOutcome

PHASES = ("define", "measure", "explore", "develop", "implement")


@dataclass(slots=True)
class ProjectRemediation:
    project: str
    charter: Charter
    before: EntropyReport
    strategies: list[Strategy] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    units: list[UnitPlan] = field(default_factory=list)
    after: EntropyReport | None = None
    unmet: list[str] = field(default_factory=list)

    @property
    def needs_action(self) -> bool:
        return needs_action(self.charter, self.before)

    @property
    def failed(self) -> bool:
        return any(u.result in ("failed", "rolled-back") for u in self.units)

    @property
    def criteria_met(self) -> bool:
        return not self.unmet

    @property
    def worse(self) -> bool:
        return self.after is not None and self.after.score > self.before.score

    def as_json(self) -> dict[str, Any]:
        def score(report: EntropyReport | None) -> dict[str, Any] | None:
            if report is None:
                return None
            return {"score": round(report.score, 4), "level": report.level,
                    "indicators": [i.kind for i in report.indicators]}  # fmt: skip

        return {
            "project": self.project,
            "charter": charter_json(self.charter),
            "needs_action": self.needs_action,
            "before": score(self.before),
            "strategies": [s.as_json() for s in self.strategies],
            "chosen": self.chosen,
            "plan": [u.as_json() for u in self.units],
            "applied": self.applied,
            "after": score(self.after),
            "criteria_met": self.criteria_met,
            "unmet": self.unmet,
            "worse": self.worse,
        }


class Remediation:
    """One run; `projects` empty means every project."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        """The Backend that holds it (its scan, entropy, updates, security, policy)."""
        self.units: list[UnitPlan] = []
        """The plan's units, once `plan` ran."""
        self.batch_id: str | None = None
        """The update batch `implement` applied (what `undo` reverts)."""

    async def plan(
        self, projects: list[str], strategy_ids: list[str], resolve: bool = True
    ) -> tuple[list[ProjectRemediation], list[Skipped]]:
        """Define, measure, explore, and (unless `resolve` is False) develop: nothing
        is written."""
        backend = self.backend
        tracer = backend.tracer
        with tracer.start_as_current_span(names.REMEDIATE_DEFINE) as span:
            inventory = backend.inventory or await backend.scan(reason="remediate")
            await backend.mark_outdated(offline=True)  # the newest releases the cache knows
            await backend.mark_vulnerable()
            self._mark_policy()
            chosen_projects = [p.name for p in inventory.projects
                               if not projects or p.name in projects]  # fmt: skip
            charters = {name: self.charter_of(name) for name in chosen_projects}
            span.set_attribute(names.PROJECT_COUNT, len(charters))
        with tracer.start_as_current_span(names.REMEDIATE_MEASURE) as span:
            span.set_attribute(names.PROJECT_COUNT, len(charters))
            reports = {r.project: r for r in await backend.entropy() if r.project in charters}
        runs: list[ProjectRemediation] = []
        with tracer.start_as_current_span(names.REMEDIATE_EXPLORE) as span:
            fixes = backend.security.fixes
            for name in chosen_projects:
                run = ProjectRemediation(name, charters[name], reports[name])
                run.strategies = explore(run.before, inventory, fixes, run.charter.actions)
                run.chosen = _chosen(run, strategy_ids)
                run.unmet = unmet_criteria(run.charter, run.before, inventory)
                runs.append(run)
            span.set_attribute(names.PROJECT_COUNT, len(runs))
        if not resolve:
            self.units = []
            return runs, []
        with tracer.start_as_current_span(names.REMEDIATE_DEVELOP) as span:
            span.set_attribute(names.PROJECT_COUNT, len(runs))
            chosen = [s for r in runs for s in r.strategies if s.id in r.chosen]
            folders = {p.name: p.path for p in inventory.projects}
            bundle = self._bundle() if any(s.action == "constrain" for s in chosen) else None
            units, skipped = await develop_units(
                chosen, backend.workspace.scans, folders, backend.updates, bundle
            )
            await backend.updates.updater().resolve(units)
            for run in runs:
                run.units = [u for u in units if set(u.details["strategies"]) & set(run.chosen)]
                _expect_resolved(run, units, inventory)
        self.units = units
        return runs, skipped

    async def implement(
        self, runs: list[ProjectRemediation], cancel: Any = None, progress: Any = None
    ) -> None:
        """Apply the plan, then measure again and judge each project by its charter
        (`cancel` and `progress` as the updater takes them)."""
        backend = self.backend
        with backend.tracer.start_as_current_span(names.REMEDIATE_IMPLEMENT) as span:
            span.set_attribute(names.PROJECT_COUNT, len(runs))
            self.batch_id = await backend.updates.updater().apply(self.units, cancel, progress)
            inventory, after = await self._measure_again()
            for run in runs:
                run.applied = sorted(
                    {i for u in run.units if u.result == "success" for i in u.details["strategies"]}
                    & set(run.chosen)
                )
                run.after = after.get(run.project)
                if run.after is not None:
                    run.unmet = unmet_criteria(run.charter, run.after, inventory)

    async def undo(self, runs: list[ProjectRemediation]) -> UndoOutcome:
        """Revert what `implement` wrote (a sync wrote nothing, so it has nothing to
        revert), then measure again: the history shows the undo too."""
        from backend.update.batch import UndoOutcome

        if self.batch_id is None:
            return UndoOutcome(None)
        outcome = await self.backend.updates.updater(require_uv=False).undo(self.batch_id)
        if outcome.restored:
            inventory, after = await self._measure_again()
            for run in runs:
                run.after = after.get(run.project)
                if run.after is not None:
                    run.unmet = unmet_criteria(run.charter, run.after, inventory)
        return outcome

    async def _measure_again(self) -> tuple[Inventory, dict[str, EntropyReport]]:
        backend = self.backend
        inventory = await backend.scan(reason="remediate")
        await backend.mark_outdated(offline=True)
        await backend.mark_vulnerable()
        self._mark_policy()
        return inventory, {r.project: r for r in await backend.entropy()}

    def charter_of(self, project: str) -> Charter:
        """The project's own charter, a root's, the user's, the defaults, merged."""
        backend = self.backend
        own = backend.project_settings().get(project)
        charter = own.charter if own is not None else None
        if charter is None:  # a root's pyproject speaks for the projects under it
            charter = self._root_charter(project)
        return charter_for(backend.settings.charter, charter)

    def _root_charter(self, project: str) -> dict[str, Any] | None:
        backend = self.backend
        inventory = backend.inventory
        path = next((p.path for p in inventory.projects if p.name == project), None) \
            if inventory else None  # fmt: skip
        settings = {s.path: s.settings for s in backend.workspace.scans.values() if s.settings}
        for root in backend.settings.roots:
            found = settings.get(root)
            if path is not None and path.is_relative_to(root) and found and found.charter:
                return found.charter
        return None

    def _mark_policy(self) -> None:
        from backend.policy.bundle import BundleError

        with contextlib.suppress(BundleError):  # `policy check` names a bad bundle
            self.backend.mark_policy()

    def _bundle(self) -> Any:
        from backend.policy.bundle import BundleError

        try:
            return self.backend.policy_bundle()
        except BundleError:
            return None


def _expect_resolved(run: ProjectRemediation, units: list[UnitPlan], inventory: Inventory) -> None:
    """A chosen strategy that is alone in its units is expected to reach what uv
    resolved for it; units shared by several strategies keep each one's projection."""
    for strategy in run.strategies:
        covering = [u for u in units if strategy.id in u.details["strategies"]]
        if not covering or strategy.action == "sync":
            continue
        if any(len(u.details["strategies"]) != 1 or u.result != "planned" for u in covering):
            continue
        moves = {pair: v for u in covering for pair, v in resolved_moves(u, inventory).items()}
        expect_resolved(strategy, run.before, inventory, moves)


def _chosen(run: ProjectRemediation, strategy_ids: list[str]) -> list[str]:
    """The ids asked for; without any, each indicator's first strategy the charter
    allows (nothing to apply for `inspect`), when the project needs action."""
    if strategy_ids:
        return [s.id for s in run.strategies
                if s.id in strategy_ids and s.allowed and s.action != "inspect"]  # fmt: skip
    if not run.needs_action:
        return []
    picked: dict[str, str] = {}
    for strategy in run.strategies:
        if strategy.allowed and strategy.action != "inspect":
            picked.setdefault(strategy.indicator, strategy.id)
    return list(picked.values())
