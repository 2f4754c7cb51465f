"""Explore: for each indicator of a project's entropy, the candidate repairs its
evidence allows, smallest first, each with what it changes, its risk and the score it
is expected to reach (the project re-scored with that indicator's evidence gone).

Ids are `PROJECT:INDICATOR:N`, numbered in a fixed order, so the same inputs give
the same ids (a `--dry-run`'s id can be passed to `--strategy` later)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from backend.health.entropy import EntropyReport, SpanHealth, assess
from backend.inventory.model import Inventory, PackageRow, Usage

FLAGS_FIXED = {
    "environment-drift": {"env-drift", "missing"},
    "dependency-conflict": {"conflict"},
    "vulnerable-dependency": {"vulnerable"},
    "policy-violation": {"policy"},
    "version-drift": {"drift"},
}
"""The usage flags a repair of the indicator clears (what the projection re-scores)."""
NO_AUTOMATIC_FIX = {"performance-drift", "error-rate-drift", "semantic-drift"}


@dataclass(slots=True)
class Strategy:
    id: str
    project: str
    indicator: str
    title: str
    action: str
    """The charter action it needs (`relock`, `sync`, `upgrade`, `fix`, `align`,
    `constrain`), or `inspect` for evidence to look at, with nothing to apply."""
    actions: list[str]
    """What it does, as commands or steps a person can read."""
    risk: dict[str, Any]
    expected_score: float
    expected_level: str
    targets: dict[tuple[str, str], str] = field(default_factory=dict)
    """(package, project) to the version it must reach (fix, align)."""
    packages: list[str] = field(default_factory=list)
    """The packages it moves within their specifiers (upgrade)."""
    allowed: bool = True
    """The project's charter allows its action."""
    evidence: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "indicator": self.indicator,
            "title": self.title,
            "action": self.action,
            "actions": self.actions,
            "risk": self.risk,
            "expected_score": round(self.expected_score, 4),
            "expected_level": self.expected_level,
            "allowed": self.allowed,
            "evidence": self.evidence,
        }


def explore(
    report: EntropyReport,
    inventory: Inventory,
    fixes: dict[tuple[str, str], str],
    allowed_actions: list[str],
) -> list[Strategy]:
    """Every candidate for every indicator of `report`; `fixes` are the vulnerable
    (package, project) pairs' fix versions."""
    project = report.project
    usages = _usages(inventory, project)
    found: list[Strategy] = []
    for indicator in report.indicators:
        kind = indicator.kind
        candidates = _candidates(kind, project, usages, inventory, fixes, list(indicator.evidence))
        for number, (title, action, actions, extra) in enumerate(candidates, start=1):
            projected = projected_report(report, inventory, kind)
            strategy = Strategy(
                id=f"{project}:{kind}:{number}",
                project=project,
                indicator=kind,
                title=title,
                action=action,
                actions=actions,
                risk={},
                expected_score=projected.score if action != "inspect" else report.score,
                expected_level=projected.level if action != "inspect" else report.level,
                allowed=action == "inspect" or action in allowed_actions,
                evidence=list(indicator.evidence),
                **extra,
            )
            strategy.risk = _risk(strategy, usages)
            found.append(strategy)
    return found


def _candidates(
    kind: str,
    project: str,
    usages: dict[str, Usage],
    inventory: Inventory,
    fixes: dict[tuple[str, str], str],
    evidence: list[str],
) -> list[tuple[str, str, list[str], dict[str, Any]]]:
    """(title, action, steps, Strategy fields) per candidate, smallest change first."""
    if kind == "lock-drift":
        return [
            ("Re-lock: uv.lock brought in line with pyproject.toml", "relock", ["uv lock"], {}),
            ("Re-lock and move every package to the newest its specifier allows", "upgrade",
             ["uv lock --upgrade"], {"packages": sorted(usages)}),
        ]  # fmt: skip
    if kind == "environment-drift":
        return [("Install what the lock says", "sync", ["uv sync --locked --inexact"], {})]
    if kind == "vulnerable-dependency":
        targets = {pair: v for pair, v in sorted(fixes.items()) if pair[1] == project}
        if not targets:
            return []
        steps = [f"{name} -> {version}" for (name, _), version in targets.items()]
        return [("Move each vulnerable package to the release that fixes it", "fix", steps,
                 {"targets": targets})]  # fmt: skip
    if kind == "dependency-conflict":
        names = sorted(n for n, u in usages.items() if "conflict" in u.flags)
        steps = [f"uv lock --upgrade-package {n}" for n in names]
        return [("Move each conflicting package to what its specifier allows", "upgrade", steps,
                 {"packages": names})]  # fmt: skip
    if kind == "version-drift":
        targets = _aligned(inventory, [n for n, u in usages.items() if _drifts(inventory, n)])
        if not targets:
            return []
        steps = [f"{n} -> {v} in {p}" for (n, p), v in sorted(targets.items())]
        return [("Align each drifting package on the newest version every project allows",
                 "align", steps, {"targets": targets})]  # fmt: skip
    if kind == "policy-violation":
        return [("Compile the policy bundle into the lock's uv constraints", "constrain",
                 ["devkit-tui policy apply --project " + project], {})]  # fmt: skip
    if kind in NO_AUTOMATIC_FIX:
        title = "No automatic fix: look at the evidence (the traces, the registry findings)"
        return [(title, "inspect", evidence[:5], {})]
    return []


def projected_report(report: EntropyReport, inventory: Inventory, kind: str) -> EntropyReport:
    """The project re-scored as if the indicator's evidence were gone: its flags
    cleared on the project's usages, its lock in sync, its span evidence dropped."""
    cleared = FLAGS_FIXED.get(kind, set())
    packages: dict[str, PackageRow] = {}
    for name, row in inventory.packages.items():
        usages = [
            dataclasses.replace(u, flags=u.flags - cleared) if u.project == report.project else u
            for u in row.usages
        ]
        flags = row.flags - cleared if kind == "version-drift" and any(
            u.project == report.project for u in row.usages
        ) else row.flags  # fmt: skip
        packages[name] = dataclasses.replace(row, usages=usages, flags=set(flags))
    projected = dataclasses.replace(inventory, packages=packages)
    evidence = {i.kind: i.evidence for i in report.indicators if i.kind != kind}
    info = next(p for p in inventory.projects if p.name == report.project)
    semantic = evidence.get("semantic-drift", ())
    spans = SpanHealth(
        operations=int(report.details.get("operations", 0)),
        errors=int(report.details.get("operation_errors", 0)),
        performance=evidence.get("performance-drift", ()),
        error_rate=evidence.get("error-rate-drift", ()),
        semantic=semantic,
        semantic_violations=report.validation_errors - len(info.errors) if semantic else 0,
    )
    return assess(report.project, projected, evidence.get("lock-drift", ()), spans)


def _usages(inventory: Inventory, project: str) -> dict[str, Usage]:
    return {
        name: usage
        for name, row in inventory.packages.items()
        for usage in row.usages
        if usage.project == project
    }


def _drifts(inventory: Inventory, name: str) -> bool:
    return "drift" in inventory.packages[name].flags


def _aligned(inventory: Inventory, names: list[str]) -> dict[tuple[str, str], str]:
    """For each name: the newest version any project locks, as the target of each
    project locked below it whose own specifiers allow it (nobody moves down; a
    project pinned elsewhere stays, and its evidence with it)."""
    targets: dict[tuple[str, str], str] = {}
    for name in sorted(names):
        row = inventory.packages[name]
        held = [v for v in (_version(x) for u in row.usages for x in u.locked) if v]
        if not held:
            continue
        best = max(held)
        for usage in row.usages:
            locked = [v for v in (_version(x) for x in usage.locked) if v]
            specifiers = [_specifier(s) for s in usage.declared if s]
            if not locked or max(locked) >= best:
                continue
            if all(s is None or s.contains(best, prereleases=True) for s in specifiers):
                targets[(name, usage.project)] = str(best)
    return targets


def _risk(strategy: Strategy, usages: dict[str, Usage]) -> dict[str, Any]:
    files = {"relock": ["uv.lock"], "upgrade": ["uv.lock"], "fix": ["uv.lock"],
             "align": ["uv.lock"], "constrain": ["pyproject.toml", "uv.lock"],
             "sync": [".venv"], "inspect": []}[strategy.action]  # fmt: skip
    majors = 0
    for (name, _), target in strategy.targets.items():
        usage = usages.get(name)
        locked = [v for v in (_version(x) for x in usage.locked) if v] if usage else []
        current = max(locked, default=None)
        new = _version(target)
        majors += bool(current and new and new.major > current.major)
    projects = sorted({project for _, project in strategy.targets} | {strategy.project})
    return {"files": files, "major_bumps": majors, "projects": projects}


def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None
