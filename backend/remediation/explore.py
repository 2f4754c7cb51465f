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

from backend.health.entropy import EntropyReport, Indicator, SpanHealth, assess
from backend.inventory.build import flag_drift
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
    exact: bool = False
    """A sync that also removes what the lock does not name."""
    trace: tuple[str, str] | None = None
    """(trace id, span id) of the span an `inspect` strategy opens."""
    expected_from: str = "projection"
    """`projection` (the evidence gone, the targets reached) or `resolution` (the
    versions uv resolved for it in a scratch copy, once developed)."""

    def as_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.trace is not None:
            extra["trace"] = {"trace_id": self.trace[0], "span_id": self.trace[1]}
        return {
            "id": self.id,
            "indicator": self.indicator,
            "title": self.title,
            "action": self.action,
            "actions": self.actions,
            "risk": self.risk,
            "expected_score": round(self.expected_score, 4),
            "expected_level": self.expected_level,
            "expected_from": self.expected_from,
            "allowed": self.allowed,
            "evidence": self.evidence,
            **extra,
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
        candidates = _candidates(indicator, project, usages, inventory, fixes)
        for number, strategy in enumerate(candidates, start=1):
            strategy.id = f"{project}:{kind}:{number}"
            strategy.allowed = strategy.action == "inspect" or strategy.action in allowed_actions
            strategy.evidence = list(indicator.evidence)
            if strategy.action == "inspect":
                strategy.expected_score, strategy.expected_level = report.score, report.level
            else:
                projected = projected_report(report, inventory, strategy)
                strategy.expected_score, strategy.expected_level = projected.score, projected.level
            strategy.risk = _risk(strategy, inventory)
            found.append(strategy)
    return found


def _candidates(
    indicator: Indicator,
    project: str,
    usages: dict[str, Usage],
    inventory: Inventory,
    fixes: dict[tuple[str, str], str],
) -> list[Strategy]:
    """The indicator's candidates, smallest change first; one that would do what an
    earlier one does is left out."""
    kind = indicator.kind

    def make(title: str, action: str, actions: list[str], **fields: Any) -> Strategy:
        return Strategy("", project, kind, title, action, actions, {}, 0.0, "", **fields)

    out: list[Strategy] = []
    if kind == "lock-drift":
        direct = sorted(n for n, u in usages.items() if u.direct)
        out = [
            make("Re-lock: uv.lock brought in line with pyproject.toml", "relock", ["uv lock"]),
            make("Re-lock and move the direct dependencies to the newest their specifiers allow",
                 "upgrade", [f"uv lock --upgrade-package {n}" for n in direct], packages=direct),
            make("Re-lock and move every package to the newest its specifier allows", "upgrade",
                 ["uv lock --upgrade"], packages=["*"]),
        ]  # fmt: skip
        out = [s for s in out if s.action == "relock" or s.packages]
    elif kind == "environment-drift":
        uv_lock = _through_uv_lock(usages)
        install = "uv sync --locked --inexact" if uv_lock else "uv pip install -r (each pin file)"
        out = [make("Install what the lock says", "sync", [install])]
        extra = sorted(n for n, u in usages.items() if "extraneous" in u.flags)
        if extra:
            title = f"Install what the lock says; remove the {len(extra)} packages it does not name"
            exact = "uv sync --locked" if uv_lock else "uv pip sync (the pin files)"
            steps = [exact] + [f"remove {n}" for n in extra]
            out.append(make(title, "sync", steps, exact=True))
    elif kind == "vulnerable-dependency":
        targets = {pair: v for pair, v in sorted(fixes.items()) if pair[1] == project}
        newest = {pair: _newer(usages[pair[0]].latest, v) for pair, v in targets.items()
                  if pair[0] in usages}  # fmt: skip
        out = [
            make("Move each vulnerable package to the release that fixes it", "fix",
                 _moves(targets), targets=targets),
            make("Move each vulnerable package to its newest release", "fix",
                 _moves(newest), targets=newest),
        ] if targets else []  # fmt: skip
    elif kind == "dependency-conflict":
        names = sorted(n for n, u in usages.items() if "conflict" in u.flags)
        if all(_lock_satisfies(usages[n]) for n in names):  # only the environment breaks it
            install = "uv sync --locked --inexact" if _through_uv_lock(usages) else (
                "uv pip install -r (each pin file)"
            )  # fmt: skip
            out.append(make("Install what the lock says: its versions meet the specifiers",
                            "sync", [install], packages=names))  # fmt: skip
        out += [
            make("Move each conflicting package to what its specifier allows", "upgrade",
                 [f"uv lock --upgrade-package {n}" for n in names], packages=names),
            make("Re-lock and move every package to the newest its specifier allows", "upgrade",
                 ["uv lock --upgrade"], packages=["*"]),
        ] if _through_uv_lock(usages) else []  # fmt: skip
    elif kind == "version-drift":
        drifting = [n for n in usages if "drift" in inventory.packages[n].flags]
        everywhere = _aligned(inventory, drifting)
        here = {pair: v for pair, v in everywhere.items() if pair[1] == project}
        newest = _aligned(inventory, drifting, newest_release=True)
        out = [
            make("Align this project's drifting packages on the newest version another locks",
                 "align", _moves(here), targets=here),
            make("Align each drifting package on the newest version every project allows",
                 "align", _moves(everywhere), targets=everywhere),
            make("Align each drifting package on its newest release, where every project"
                 " allows it", "align", _moves(newest), targets=newest),
        ]  # fmt: skip
        out = [s for s in out if s.targets]
    elif kind == "policy-violation":
        out = [make("Compile the policy bundle into the lock's uv constraints", "constrain",
                    ["devkit-tui policy apply --project " + project])]  # fmt: skip
    elif kind in NO_AUTOMATIC_FIX:
        out = [make(f"Open the trace: {t.label}", "inspect", [f"trace {t.trace_id}"],
                    trace=(t.trace_id, t.span_id)) for t in indicator.traces]  # fmt: skip
        if not out:
            title = "No automatic fix: look at the evidence (the traces, the registry findings)"
            out = [make(title, "inspect", list(indicator.evidence[:5]))]
    unique: list[Strategy] = []
    for strategy in out:
        if not any(_same_change(strategy, s) for s in unique):
            unique.append(strategy)
    return unique


def _same_change(one: Strategy, other: Strategy) -> bool:
    return (one.action, one.targets, one.packages, one.exact, one.trace) == (
        other.action, other.targets, other.packages, other.exact, other.trace
    )  # fmt: skip


def _moves(targets: dict[tuple[str, str], str]) -> list[str]:
    return [f"{name} -> {version} in {project}"
            for (name, project), version in sorted(targets.items())]  # fmt: skip


def _through_uv_lock(usages: dict[str, Usage]) -> bool:
    return any((u.resolution or "").endswith("uv.lock") for u in usages.values())


def _newer(latest: str | None, fix: str) -> str:
    new, old = _version(latest or ""), _version(fix)
    return latest if new and old and new > old and latest else fix


def _lock_satisfies(usage: Usage) -> bool:
    specifiers = [s for s in (_specifier(d.specifier) for d in usage.declarations) if s]
    return bool(usage.locked) and all(
        any(s.contains(v, prereleases=True) for v in usage.locked) for s in specifiers
    )


def projected_report(
    report: EntropyReport, inventory: Inventory, strategy: Strategy
) -> EntropyReport:
    """The project re-scored as if the strategy had done what it says: its targets
    reached (versions moved, drift judged again across projects), the flags its
    indicator names cleared on the usages it touches, its lock in sync, its span
    evidence dropped."""
    kind = strategy.indicator
    project = report.project
    own = [u for row in inventory.packages.values() for u in row.usages if u.project == project]
    relocks = strategy.action in ("relock", "upgrade", "constrain") or any(
        p == project for _, p in strategy.targets
    )
    synced = (relocks or strategy.action == "sync") and any(
        u.installed or "missing" in u.flags for u in own
    )
    """Applying a unit ends with the environment installed from the (new) lock."""
    fixed = FLAGS_FIXED.get(kind, set()) - {"drift"}  # drift is judged again below
    settled = set(FLAGS_FIXED["environment-drift"]) if synced else set()
    """What every usage of the project ends without, whichever package it is."""
    if relocks:  # uv writes a lock only when it meets every specifier, and syncs to it
        settled.add("conflict")
    touched = set(strategy.packages) - {"*"} or None
    packages: dict[str, PackageRow] = {}
    for name, row in inventory.packages.items():
        if not any(u.project == project or (name, u.project) in strategy.targets
                   for u in row.usages):  # fmt: skip
            packages[name] = row  # nothing of it moves: kept as it is, drift and all
            continue
        usages = []
        for usage in row.usages:
            target = strategy.targets.get((name, usage.project))
            if target is not None:
                installed = target if usage.installed else None
                flags = usage.flags - {"conflict", "env-drift"} - fixed
                usage = dataclasses.replace(usage, locked=[target], installed=installed)
            elif usage.project == project:
                mine = not strategy.targets and (touched is None or name in touched)
                flags = usage.flags - settled - (fixed if mine else set())
                if synced:
                    usage, flags = _synced(usage, flags, strategy.exact)
            else:
                flags = set(usage.flags)
            usages.append(dataclasses.replace(usage, flags=flags - {"drift"}))
        moved = PackageRow(name, usages, set(), row.metadata)
        flag_drift(moved)
        moved.flags = set().union(*(u.flags for u in usages))
        packages[name] = moved
    projected = dataclasses.replace(inventory, packages=packages)
    gone = {kind}
    if relocks:
        gone.add("lock-drift")
    if synced:
        gone.add("environment-drift")
    evidence = {i.kind: i.evidence for i in report.indicators if i.kind not in gone}
    info = next(p for p in inventory.projects if p.name == project)
    semantic = evidence.get("semantic-drift", ())
    spans = SpanHealth(
        operations=int(report.details.get("operations", 0)),
        errors=int(report.details.get("operation_errors", 0)),
        performance=evidence.get("performance-drift", ()),
        error_rate=evidence.get("error-rate-drift", ()),
        semantic=semantic,
        semantic_violations=report.validation_errors - len(info.errors) if semantic else 0,
    )
    return assess(project, projected, evidence.get("lock-drift", ()), spans)


def _synced(usage: Usage, flags: set[str], exact: bool) -> tuple[Usage, set[str]]:
    """A usage once its environment is installed from the lock: the locked version
    installed (so an installed version that broke a specifier no longer does), and,
    for an exact sync, what the lock does not name gone."""
    if "extraneous" in flags and exact:
        return dataclasses.replace(usage, installed=None), flags - {"extraneous"}
    if len(usage.locked) == 1 and (usage.installed is not None or "missing" in usage.flags):
        if _lock_satisfies(usage):
            flags = flags - {"conflict"}
        return dataclasses.replace(usage, installed=usage.locked[0]), flags
    return usage, flags


def expect_resolved(
    strategy: Strategy,
    report: EntropyReport,
    inventory: Inventory,
    moves: dict[tuple[str, str], str],
) -> None:
    """The strategy's expected score again, from the versions uv resolved for it (a
    broad upgrade may move what nobody named, and drift where nothing drifted)."""
    resolved = dataclasses.replace(strategy, targets={**strategy.targets, **moves})
    projected = projected_report(report, inventory, resolved)
    strategy.expected_score, strategy.expected_level = projected.score, projected.level
    strategy.expected_from = "resolution"


def _usages(inventory: Inventory, project: str) -> dict[str, Usage]:
    return {
        name: usage
        for name, row in inventory.packages.items()
        for usage in row.usages
        if usage.project == project
    }


def _aligned(
    inventory: Inventory, names: list[str], newest_release: bool = False
) -> dict[tuple[str, str], str]:
    """For each name: the newest version any project locks (or, with `newest_release`,
    the newest release the index cache knows of), as the target of each project locked
    below it whose own specifiers allow it (nobody moves down; a project pinned
    elsewhere stays, and its evidence with it)."""
    targets: dict[tuple[str, str], str] = {}
    for name in sorted(names):
        row = inventory.packages[name]
        held = [v for v in (_version(x) for u in row.usages for x in u.locked) if v]
        if newest_release:
            held += [v for v in (_version(u.latest or "") for u in row.usages) if v]
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


def _risk(strategy: Strategy, inventory: Inventory) -> dict[str, Any]:
    """Files touched, major version bumps, projects affected, and whether undo can
    restore it (a sync writes no file, so there is nothing for the journal to keep)."""
    files = {"relock": ["uv.lock"], "upgrade": ["uv.lock"], "fix": ["uv.lock"],
             "align": ["uv.lock"], "constrain": ["pyproject.toml", "uv.lock"],
             "sync": [".venv"], "inspect": []}[strategy.action]  # fmt: skip
    majors = 0
    for (name, project), target in strategy.targets.items():
        row = inventory.packages.get(name)
        usage = next((u for u in row.usages if u.project == project), None) if row else None
        locked = [v for v in (_version(x) for x in usage.locked) if v] if usage else []
        current = max(locked, default=None)
        new = _version(target)
        majors += bool(current and new and new.major > current.major)
    projects = sorted({project for _, project in strategy.targets} | {strategy.project})
    undoable = strategy.action not in ("sync", "inspect")
    return {"files": files, "major_bumps": majors, "projects": projects, "undoable": undoable}


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
