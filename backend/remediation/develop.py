"""Develop: the chosen strategies of each project as update units, one per folder uv
runs in (every strategy on one lock goes into one `uv lock`: a second unit on the
same files would find them changed under it). Targets (fix, align) come from the
update plan, the constraints (constrain) from the policy plan; a re-lock is what every
uv unit does anyway, and a sync is what applying one verifies with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from backend.remediation.explore import Strategy
from backend.update.plan import (
    Selection,
    Skipped,
    UnitPlan,
    check_command_of,
    environment_of,
)

if TYPE_CHECKING:
    from backend.inventory.model import Inventory
    from backend.policy.bundle import LoadedBundle
    from backend.update.updates import Updates
    from backend.workspace.scanner import ProjectScan

ACTION = "remediate"


async def develop(
    chosen: list[Strategy],
    scans: dict[Path, ProjectScan],
    folders: dict[str, Path],
    updates: Updates,
    bundle: LoadedBundle | None,
) -> tuple[list[UnitPlan], list[Skipped]]:
    """Units for `chosen` (nothing resolved yet); `folders` maps project names to
    their folders."""
    targets = {pair: v for s in chosen for pair, v in s.targets.items()}
    units: dict[Path, UnitPlan] = {}
    skipped: list[Skipped] = []
    if targets:
        planned, skipped = await updates.plan(Selection(targets=targets))
        units.update((u.folder, u) for u in planned)
    for strategy in chosen:
        scan = scans.get(folders[strategy.project])
        if scan is None:
            continue
        if strategy.action == "constrain":
            if bundle is None:
                skipped.append(Skipped("", strategy.project, "no policy bundle to compile"))
                continue
            plan = await updates.plan_policy(bundle, projects=[strategy.project])
            skipped += plan.skipped
            for unit in plan.units:
                into = units.setdefault(unit.folder, unit)
                if into is not unit:
                    into.edits.update(unit.edits)
                    into.constraints = unit.constraints
                    into.requirements = unit.requirements
            continue
        if strategy.action not in ("relock", "upgrade", "sync"):
            continue
        folder = _lock_folder(scan)
        unit = units.get(folder)
        if unit is None:
            unit = units[folder] = _bare_unit(folder, strategy.project, scan, scans)
        if strategy.action == "upgrade":
            unit.upgrade += [p for p in strategy.packages or ["*"] if p not in unit.upgrade]
        unit.exact = unit.exact or strategy.exact
        if strategy.action == "sync":
            unit.sync_only = not unit.changes and not unit.upgrade and not unit.edits
        else:
            unit.sync_only = False
    for unit in units.values():
        if unit.sync_only:  # what applying it runs, shown in the plan
            unit.commands = [_sync_command(unit)]
    for unit in units.values():
        unit.action = ACTION
        ids = [s.id for s in chosen if _covers(s, unit, folders, scans)]
        unit.details = {"strategies": ids}
    return sorted(units.values(), key=lambda u: u.project), skipped


def resolved_moves(unit: UnitPlan, inventory: Inventory) -> dict[tuple[str, str], str]:
    """(package, project) to the version the unit's resolution moves it to, for every
    project whose versions come from the unit's lock (a workspace's members too)."""
    moves: dict[tuple[str, str], str] = {}
    for name, (_, new) in unit.lock_diff.changed.items():
        row = inventory.packages.get(name)
        if row is None or "," in new:  # a fork: several versions, no one target
            continue
        for usage in row.usages:
            if usage.resolution and Path(usage.resolution).parent == unit.folder:
                moves[(name, usage.project)] = new
    return moves


def _sync_command(unit: UnitPlan) -> str:
    if unit.kind == "uv":
        return "uv sync --locked" + ("" if unit.exact else " --inexact") + (
            " --all-packages" if unit.workspace else ""
        )  # fmt: skip
    if unit.exact:
        return "uv pip sync " + " ".join(unit.requirements)
    return " && ".join(f"uv pip install -r {rel}" for rel in unit.requirements)


def _lock_folder(scan: ProjectScan) -> Path:
    if scan.lock_file is not None and scan.lock_file.name == "uv.lock":
        return scan.lock_file.parent
    return scan.path


def _bare_unit(
    folder: Path, project: str, scan: ProjectScan, scans: dict[Path, ProjectScan]
) -> UnitPlan:
    """A unit that re-locks (or, for a requirements project, re-installs) only."""
    root = scans.get(folder) or scan
    uv_lock = scan.lock_file is not None and scan.lock_file.name == "uv.lock"
    unit = UnitPlan(
        project=root.name if uv_lock else project,
        folder=folder,
        kind="uv" if uv_lock else "requirements",
        project_kind=root.kind,
        environment=environment_of(scan),
        workspace=scan.workspace == folder,
        check_command=check_command_of(scan),
        sync_only=not uv_lock,
    )
    if not uv_lock:
        unit.requirements = [m.relative_to(folder).as_posix() for m in scan.manifests
                             if m.suffix == ".txt"]  # fmt: skip
    return unit


def _covers(
    strategy: Strategy, unit: UnitPlan, folders: dict[str, Path], scans: dict[Path, ProjectScan]
) -> bool:
    scan = scans.get(folders[strategy.project])
    return scan is not None and _lock_folder(scan) == unit.folder and strategy.action != "inspect"
