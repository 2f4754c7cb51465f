"""Which changes a batch makes, project by project, and how.

A package goes to the newest release its declared specifier allows with
`uv lock --upgrade-package NAME==VERSION`; past the specifier (`--latest`, or an
asked-for version outside it) `uv add` bumps the requirement in the same group or
extra, so uv edits pyproject.toml. In a requirements-only project the pin is the
lock: it is rewritten in place. Workspace members share their root's lock, so
changes are grouped by the folder uv runs in (a "unit").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from backend.index.outdated import Outdated
from backend.inventory.model import Inventory, Usage
from backend.update.bounds import bumped
from backend.update.lock_diff import LockDiff
from backend.update.uv_runner import checked_name, checked_version
from backend.workspace.scanner import ProjectScan

RESULTS = ("planned", "success", "failed", "rolled-back", "skipped")
CHECK_KEY = "update-check"
"""`[tool.devkit-tui] update-check = "uv run pytest -x -q"`: run after each update."""


@dataclass(frozen=True, slots=True)
class UpdateRequest:
    """`NAME` or `NAME==VERSION` from the command line, checked."""

    name: str
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> UpdateRequest:
        name, sep, version = text.partition("==")
        return cls(checked_name(name.strip()), checked_version(version.strip()) if sep else None)


@dataclass(slots=True)
class Change:
    """One package of one project, from its current version to the target."""

    name: str
    project: str
    current: str
    target: str
    method: str
    group: str = "main"
    """Where it is declared: `main`, `group:NAME`, `extra:NAME`, `dev`, `requirements:FILE`."""
    member: str | None = None
    """The workspace member `uv add --package` edits (None: the unit's own project)."""
    specifier: str = ""
    latest: str | None = None
    latest_allowed: str | None = None
    direct: bool = True
    """The project declares the package (False: only its lock or environment holds it)."""
    extras: tuple[str, ...] = ()
    markers: str | None = None
    """Kept when `uv add` rewrites the requirement."""
    bumped_from: str = ""
    """For `uv add`: the specifier declared in the group it bumps (its style is kept)."""
    file: Path | None = None
    """For pins: the requirements file and line."""
    line: int | None = None

    @property
    def requirement(self) -> str:
        """What `uv add` is given: the bumped requirement with its extras and markers."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        markers = f"; {self.markers}" if self.markers else ""
        return f"{self.name}{extras}{bumped(self.bumped_from, self.target)}{markers}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "from": self.current,
            "to": self.target,
            "method": self.method,
            "project": self.project,
            "group": self.group,
            "specifier": self.specifier,
        }


@dataclass(slots=True)
class UnitPlan:
    """The changes uv makes in one folder (a project, or a workspace with its members)."""

    project: str
    folder: Path
    kind: str
    """How it is updated: `uv` (through its uv.lock) or `requirements` (its pins)."""
    project_kind: str = ""
    """The project's kind as `list` says it (`uv`, `pyproject`, `uv-workspace`, ...)."""
    changes: list[Change] = field(default_factory=list)
    environment: Path | None = None
    workspace: bool = False
    """A workspace root: `uv sync --all-packages` keeps every member installed."""
    check_command: str | None = None
    base: dict[str, bytes | None] = field(default_factory=dict)
    """Every file the plan read, by path relative to `folder`, as it was then."""
    new: dict[str, bytes] = field(default_factory=dict)
    """The files the update writes, as the scratch resolution left them."""
    lock_diff: LockDiff = field(default_factory=LockDiff)
    commands: list[str] = field(default_factory=list)
    result: str = "planned"
    error: str | None = None
    failed_step: str | None = None
    """The step that failed before a rollback (`lock-check`, `sync`, `check`, …)."""
    duration_ms: float | None = None
    action: str = "update"
    """The audit action its entries are written with (`update`, `policy-apply`)."""
    edits: dict[str, bytes] = field(default_factory=dict)
    """Files the plan writes itself before uv runs (a constraints block, a constraints
    file), by path relative to `folder`."""
    constraints: list[str] = field(default_factory=list)
    """Requirements every resolved version must meet (`name>=1.2`): checked in the
    scratch resolution, so a lock that does not hold them is never written."""
    requirements: list[str] = field(default_factory=list)
    """For a requirements unit with `constraints`: the top-level files, relative."""
    upgrade: list[str] = field(default_factory=list)
    """Packages `uv lock` may move to what their specifiers allow (`*`: every one)."""
    sync_only: bool = False
    """Nothing to write: the environment is brought in line with the lock."""
    exact: bool = False
    """The sync removes what the lock does not name (`uv sync` without `--inexact`,
    `uv pip sync` for pins)."""
    details: dict[str, Any] = field(default_factory=dict)
    """More for its audit entries (a remediation's strategy ids)."""

    def file_diffs(self) -> dict[str, list[str]]:
        """The lines each file but uv.lock gains and loses (a `uv add` in pyproject.toml,
        a pin in a requirements file); uv.lock is summed up by `lock_diff`."""
        out = {}
        for rel, new in sorted(self.new.items()):
            if rel.endswith("uv.lock"):
                continue
            old = self.base.get(rel) or b""
            lines = difflib.unified_diff(
                old.decode("utf-8", "replace").splitlines(),
                new.decode("utf-8", "replace").splitlines(),
                lineterm="",
                n=0,
            )
            out[rel] = [
                line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")
            ]
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "folder": str(self.folder),
            "kind": self.project_kind or self.kind,
            "through": "uv.lock" if self.kind == "uv" else "requirements",
            "changes": [c.as_json() for c in self.changes],
            "lock_diff": self.lock_diff.as_json(),
            "file_diffs": self.file_diffs(),
            "files": sorted(self.new),
            "commands": self.commands,
            "result": self.result,
            "error": self.error,
            **({"constraints": self.constraints} if self.constraints else {}),
        }


@dataclass(slots=True)
class Skipped:
    """A package the plan leaves alone, and why."""

    name: str
    project: str
    reason: str
    newest_allowed_is_current: bool = False
    """Only going past the specifier (the newest release) would change it: each front
    end names its own way to ask (`--latest`, the plan's `t`)."""

    def as_json(self) -> dict[str, str | bool]:
        return {
            "name": self.name,
            "project": self.project,
            "reason": self.reason,
            "needs_latest": self.newest_allowed_is_current,
        }


@dataclass(slots=True)
class Selection:
    """What to update: explicit (name, project) pairs, or names across projects."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    targets: dict[tuple[str, str], str] = field(default_factory=dict)
    """(name, project) to the version it must reach (a vulnerability's fix)."""
    requests: list[UpdateRequest] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    all_outdated: bool = False
    latest: bool = False


def plan_changes(
    inventory: Inventory,
    scans: dict[Path, ProjectScan],
    outdated: list[Outdated],
    selection: Selection,
    unchecked: dict[str, str] | None = None,
) -> tuple[list[UnitPlan], list[Skipped]]:
    """Group the selected changes into units; anything that cannot be done is skipped
    with a reason (nothing here touches a file). `unchecked` names the packages the
    index could not be asked about, with why."""
    unchecked = unchecked or {}
    by_pair = {(r.name, r.project): r for r in outdated}
    wanted_projects = {canonicalize_name(p) for p in selection.projects}
    versions = {r.name: r.version for r in selection.requests}
    pairs: list[tuple[str, str]] = [*selection.pairs, *selection.targets]
    skipped: list[Skipped] = []
    for request in selection.requests:
        row = inventory.packages.get(request.name)
        if row is None:
            skipped.append(Skipped(request.name, "", "no watched project uses it"))
            continue
        pairs += [(request.name, u.project) for u in row.usages]
    if selection.all_outdated:
        pairs += [(r.name, r.project) for r in outdated]
    scan_of = {info.name: scans.get(info.path) for info in inventory.projects}
    units: dict[Path, UnitPlan] = {}
    for name, project in dict.fromkeys(pairs):
        if wanted_projects and canonicalize_name(project) not in wanted_projects:
            continue
        row = inventory.packages.get(name)
        usage = next((u for u in row.usages if u.project == project), None) if row else None
        scan = scan_of.get(project)
        if usage is None or scan is None:
            skipped.append(Skipped(name, project, "not used by this project"))
            continue
        found = by_pair.get((name, project))
        asked = selection.targets.get((name, project)) or versions.get(name)
        if found is None and asked is None and name in unchecked:
            skipped.append(
                Skipped(name, project, f"the index was not reachable: {unchecked[name]}")
            )
            continue
        change, reason = _change(name, usage, scan, found, asked, selection.latest)
        if change is None:
            needs_latest = reason.endswith("allows nothing newer")
            skipped.append(Skipped(name, project, reason, needs_latest))
            continue
        unit_folder = (
            scan.lock_file.parent if change.method != "pin" and scan.lock_file else scan.path
        )
        unit = units.get(unit_folder)
        if unit is None:
            unit = units[unit_folder] = UnitPlan(
                project=_unit_name(unit_folder, scan, scan_of),
                folder=unit_folder,
                kind="requirements" if change.method == "pin" else "uv",
                project_kind=(scans.get(unit_folder) or scan).kind,
                environment=environment_of(scan),
                workspace=scan.workspace == unit_folder,
                check_command=check_command_of(scan),
            )
        if change.member is not None and change.member == unit.project:
            change.member = None
        _add_change(unit, change)
    return sorted(units.values(), key=lambda u: u.project), skipped


def _add_change(unit: UnitPlan, change: Change) -> None:
    """One lock holds one version of a name. When a workspace's root and its members
    ask for the same package, a member's `uv add` wins, then a declared use over a
    transitive one, then the lower target (it satisfies every specifier involved)."""
    for index, existing in enumerate(unit.changes):
        if existing.name != change.name:
            continue
        if existing.method == "add" and change.method == "add":
            break  # two members' requirements: both are bumped
        if _wins(change, existing):
            unit.changes[index] = change
        return
    unit.changes.append(change)


def _wins(new: Change, old: Change) -> bool:
    rank_new, rank_old = (new.method == "add", new.direct), (old.method == "add", old.direct)
    if rank_new != rank_old:
        return rank_new > rank_old
    return Version(new.target) < Version(old.target)


def _change(
    name: str,
    usage: Usage,
    scan: ProjectScan,
    outdated: Outdated | None,
    asked: str | None,
    latest: bool,
) -> tuple[Change | None, str]:
    current = _current(usage)
    if current is None:
        return None, "no locked or installed version to update from"
    pin = next(
        (
            d
            for d in usage.declarations
            if d.group.startswith("requirements:") and pinned(d.specifier)
        ),
        None,
    )
    uses_uv_lock = scan.lock_file is not None and scan.lock_file.name == "uv.lock"
    if asked is not None:
        target = asked
    elif outdated is None:
        return None, (
            f"{current} is the newest release known (ask the index: `devkit-tui outdated`,"
            " or the palette's Check for newer releases)"
        )
    elif latest or (pin is not None and not uses_uv_lock):
        target = outdated.latest  # a requirements pin is the lock: no other specifier
    elif outdated.latest_allowed is None or Version(outdated.latest_allowed) <= Version(current):
        return None, f"the specifier {outdated.specifier!r} allows nothing newer"
    else:
        target = outdated.latest_allowed
    if Version(target) == Version(current):
        return None, f"already at {current}"
    change = Change(
        name=name,
        project=usage.project,
        current=current,
        target=target,
        method="upgrade-package",
        specifier=",".join(s for s in usage.declared if s),
        latest=outdated.latest if outdated else None,
        latest_allowed=outdated.latest_allowed if outdated else None,
        direct=usage.direct,
    )
    if uses_uv_lock:
        declared = [d for d in usage.declarations if not d.group.startswith("requirements:")]
        specifier = _specifier_set(",".join(d.specifier for d in declared if d.specifier))
        if declared and specifier is not None and not specifier.contains(target, prereleases=True):
            change.method = "add"
            change.bumped_from = declared[0].specifier
            change.group = declared[0].group
            change.member = usage.project
            change.extras = declared[0].extras
            change.markers = declared[0].markers
        elif declared:
            change.group = declared[0].group
        return change, ""
    if pin is not None:
        change.method = "pin"
        change.group = pin.group
        change.file = Path(pin.file)
        change.line = pin.line
        return change, ""
    return None, (
        f"{scan.kind} projects are not updated (devkit updates uv.lock projects and "
        "pinned requirements files)"
    )


def _current(usage: Usage) -> str | None:
    versions = []
    for raw in [*usage.locked, *([usage.installed] if usage.installed else [])]:
        try:
            versions.append(Version(raw))
        except InvalidVersion:
            continue
    return str(max(versions)) if versions else None


def pinned(specifier: str) -> bool:
    return specifier.startswith("==") and "," not in specifier and "*" not in specifier


def _specifier_set(text: str) -> SpecifierSet | None:
    if not text:
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _unit_name(folder: Path, scan: ProjectScan, scan_of: dict[str, ProjectScan | None]) -> str:
    for name, other in scan_of.items():
        if other is not None and other.path == folder:
            return name
    return scan.name if scan.path == folder else folder.name


def environment_of(scan: ProjectScan) -> Path | None:
    env = scan.environment
    return env.path if env is not None and env.site_packages is not None else None


def check_command_of(scan: ProjectScan) -> str | None:
    """The project's own `[tool.devkit-tui] update-check`, if it sets one."""
    path = scan.path / "pyproject.toml"
    if not path.is_file():
        return None
    from backend.parsers.toml_file import load_toml

    try:
        data, _ = load_toml(path)
    except Exception:
        return None
    value = data.get("tool", {}).get("devkit-tui", {}).get(CHECK_KEY)
    return value if isinstance(value, str) and value.strip() else None
