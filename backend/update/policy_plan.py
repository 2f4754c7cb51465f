"""`policy apply` as update plans: one unit per lock. A uv lock (a workspace's root, or
a standalone project: uv reads `constraint-dependencies` nowhere else) gets the
devkit-owned block in its pyproject.toml and is re-locked; a requirements project
gets a constraints file, included with `-c` from each of its files, and its pins that
break it moved. The scratch resolution, apply, verify, rollback and undo are the
update machinery's."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from backend.inventory.model import Inventory
from backend.policy.bundle import LoadedBundle
from backend.policy.check import applies
from backend.policy.constraint_block import (
    BlockError,
    constraints_text,
    with_block,
    with_include,
)
from backend.policy.constraints import RuleReport, compile_bundle
from backend.policy.models import Scope
from backend.setting_names import CONSTRAINTS_FILE
from backend.update.plan import (
    Change,
    Skipped,
    UnitPlan,
    check_command_of,
    environment_of,
    pinned,
)
from backend.workspace.discovery import is_requirements_file
from backend.workspace.scanner import ProjectScan

ACTION = "policy-apply"


@dataclass(slots=True)
class PolicyPlan:
    units: list[UnitPlan] = field(default_factory=list)
    rules: dict[str, list[RuleReport]] = field(default_factory=dict)
    """Each unit's rule reports, by unit project name."""
    skipped: list[Skipped] = field(default_factory=list)

    def rules_json(self) -> list[dict[str, Any]]:
        """Every rule once: compiled where it compiled for some lock, with the locks."""
        merged: dict[str, dict[str, Any]] = {}
        for project, reports in self.rules.items():
            for report in reports:
                entry = merged.setdefault(report.rule, {**report.as_json(), "projects": []})
                if report.compiled:
                    entry.update(compiled=True, constraint=report.constraint, why=report.why)
                    entry["projects"].append(project)
        return list(merged.values())


def plan_policy(
    inventory: Inventory,
    scans: dict[Path, ProjectScan],
    loaded: LoadedBundle,
    environment: str | None = None,
    projects: list[str] | None = None,
) -> PolicyPlan:
    """The units `policy apply` resolves (nothing touched yet); `projects` (names)
    limits it to the locks that hold them."""
    wanted = {canonicalize_name(p) for p in projects or []}
    plan = PolicyPlan()
    by_lock: dict[Path, list[ProjectScan]] = {}
    for info in inventory.projects:
        scan = scans.get(info.path)
        if scan is None or (wanted and canonicalize_name(info.name) not in wanted):
            continue
        if scan.lock_file is not None and scan.lock_file.name == "uv.lock":
            by_lock.setdefault(scan.lock_file.parent, []).append(scan)
        elif scan.kind == "requirements":
            by_lock.setdefault(scan.path, []).append(scan)
        else:
            plan.skipped.append(Skipped("", info.name, _why_not(scan)))
    for folder, members in sorted(by_lock.items()):
        root = scans.get(folder) or members[0]
        name = next((s.name for s in members if s.path == folder), root.name)

        def scoped(scope: Scope | None, members: list[ProjectScan] = members) -> bool:
            return any(applies(scope, s.name, s.path, environment) for s in members)

        constraints, reports = compile_bundle(loaded, scoped)
        plan.rules[name] = reports
        try:
            unit = _unit(folder, name, root, constraints, str(loaded.path))
        except BlockError as exc:
            plan.skipped.append(Skipped("", name, f"{folder / 'pyproject.toml'}: {exc}"))
            continue
        if unit is None:
            plan.skipped.append(Skipped("", name, "no rule of the bundle compiles for it"))
            continue
        plan.units.append(unit)
    return plan


def _unit(
    folder: Path, name: str, scan: ProjectScan, constraints: list[str], bundle: str
) -> UnitPlan | None:
    kind = "requirements" if scan.kind == "requirements" else "uv"
    unit = UnitPlan(
        project=name,
        folder=folder,
        kind=kind,
        project_kind=scan.kind,
        environment=environment_of(scan),
        workspace=scan.workspace == folder,
        check_command=check_command_of(scan),
        action=ACTION,
        constraints=constraints,
    )
    if kind == "uv":
        text = (folder / "pyproject.toml").read_text(encoding="utf-8")
        edited = with_block(text, constraints)
        if not constraints and edited == text:
            return None
        unit.edits = {"pyproject.toml": edited.encode("utf-8")}
        return unit
    if not constraints and not (folder / CONSTRAINTS_FILE).exists():
        return None
    unit.edits[CONSTRAINTS_FILE] = constraints_text(constraints, bundle).encode("utf-8")
    for manifest in scan.manifests:
        if is_requirements_file(manifest) and manifest.suffix == ".txt":
            rel = manifest.relative_to(folder).as_posix()
            unit.requirements.append(rel)
            include = os.path.relpath(folder / CONSTRAINTS_FILE, manifest.parent)
            text = manifest.read_text(encoding="utf-8")
            edited = with_include(text, Path(include).as_posix())
            if edited != text:
                unit.edits[rel] = edited.encode("utf-8")
    unit.changes = _broken_pins(scan, constraints)
    return unit


def _broken_pins(scan: ProjectScan, constraints: list[str]) -> list[Change]:
    """The pins a constraint rules out; uv chooses their new versions."""
    required = [Requirement(c) for c in constraints]
    out = []
    for declaration in scan.declarations:
        spec = declaration.specifier
        if not declaration.group.startswith("requirements:") or not pinned(spec):
            continue
        version = spec.lstrip("=").strip()
        broken = [
            r for r in required
            if canonicalize_name(r.name) == declaration.name
            and not r.specifier.contains(version, prereleases=True)
        ]  # fmt: skip
        if broken:
            out.append(
                Change(
                    name=declaration.name,
                    project=scan.name,
                    current=version,
                    target="",
                    method="pin",
                    group=declaration.group,
                    specifier=", ".join(str(r) for r in broken),
                    file=Path(declaration.file),
                    line=declaration.line,
                )
            )
    return out


def _why_not(scan: ProjectScan) -> str:
    if scan.workspace is not None and scan.lock_file is None:
        return "its workspace has no uv.lock yet (run `uv lock`)"
    return (
        f"a {scan.kind} project: policy apply compiles bundles into uv.lock projects and"
        " requirements files"
    )
