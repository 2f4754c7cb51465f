"""Lock drift: where pyproject.toml and what uv.lock recorded for the project disagree,
read from the locks the scan already parsed (the parse cache)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from backend.graph.lock_walk import project_node
from backend.parsers.records import Declaration, LockedPackage, ParseFailure
from backend.parsers.uv_lock import parse_uv_lock
from backend.workspace.parse_cache import ParseCache
from backend.workspace.scanner import ProjectScan

_LOCKED_GROUPS = ("main", "extra:", "group:", "dev")


def lock_drift(
    declarations: Sequence[Declaration],
    node: LockedPackage | None,
    local: Collection[str] = (),
    dynamic: Collection[str] = (),
) -> list[str]:
    """Where pyproject.toml and the requirements uv.lock recorded for the project
    (`[package.metadata]`) disagree: what `uv lock --check` would refuse. `local`
    names come from paths or the workspace, and URL requirements have no specifier:
    both are only checked for presence. When a build backend fills in the
    dependencies (`dynamic`), pyproject.toml does not hold them and nothing is said."""
    if node is None or not node.recorded:
        return []
    if {"dependencies", "optional-dependencies"} & set(dynamic):
        return []
    declared: dict[str, list[str | None]] = {}
    for d in declarations:
        if not d.group.startswith(_LOCKED_GROUPS):
            continue
        key = d.name
        if d.group.startswith("group:") or d.group == "dev":
            key = f"{d.group.removeprefix('group:')}:{d.name}"
        declared.setdefault(key, []).append(None if d.url or d.name in local else d.specifier)
    evidence = []
    for key, specifiers in sorted(declared.items()):
        recorded = node.recorded.get(key)
        if recorded is None:
            shown = next((s for s in specifiers if s), None)
            evidence.append(f"{key} {shown or '(any)'} is declared but not in uv.lock")
            continue
        for specifier in dict.fromkeys(specifiers):
            if specifier is not None and not _recorded_as(specifier, recorded):
                evidence.append(
                    f"{key}: pyproject.toml says {specifier or '(any)'},"
                    f" uv.lock recorded {_shown(recorded)}"
                )
    for key in sorted(set(node.recorded) - set(declared)):
        evidence.append(f"{key} is in uv.lock but no longer declared")
    return evidence


def _recorded_as(specifier: str, recorded: list[str | None]) -> bool:
    """Whether one of the lock's entries for a requirement is this declaration: the same
    specifier, or a URL, git or path source, for which uv records no specifier."""
    return any(entry is None or _same(specifier, entry) for entry in recorded)


def _shown(recorded: list[str | None]) -> str:
    return " | ".join(dict.fromkeys(entry or "(any)" for entry in recorded if entry is not None))


def lock_drift_all(scans: dict[Path, ProjectScan], cache: ParseCache) -> dict[Path, list[str]]:
    """Each uv project's pyproject against its lock node, by project folder."""
    out: dict[Path, list[str]] = {}
    for folder, scan in list(scans.items()):
        lock_file = scan.lock_file
        if lock_file is None or lock_file.name != "uv.lock":
            continue
        try:
            lock = cache.get(lock_file, parse_uv_lock)
        except ParseFailure:
            continue
        relative = folder.relative_to(lock_file.parent).as_posix() or "."
        node = project_node(lock, relative, scan.name)
        out[folder] = lock_drift(scan.declarations, node, scan.local_names, scan.dynamic)
    return out


def _same(left: str, right: str) -> bool:
    try:
        return SpecifierSet(left) == SpecifierSet(right)
    except InvalidSpecifier:
        return left.replace(" ", "") == right.replace(" ", "")
