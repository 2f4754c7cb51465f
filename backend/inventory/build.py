"""Combine project scans into one inventory row per package, with its flags."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from backend.graph.markers import marker_applies, marker_environment
from backend.inventory.model import (
    Inventory,
    PackageMetadata,
    PackageRow,
    ProjectInfo,
    Usage,
    parsed_version,
    version_key,
)
from backend.parsers.records import Declaration
from backend.workspace.scanner import ProjectScan


def build_inventory(roots: list[Path], scans: list[ProjectScan]) -> Inventory:
    """Rows for every package any project declares, locks or installs."""
    names = _unique_names(scans)
    local_names = {s.name for s in scans}
    for scan in scans:
        local_names |= scan.local_names
    projects: list[ProjectInfo] = []
    rows: dict[str, PackageRow] = {}
    for scan in scans:
        project = names[scan.path]
        usages = _usages(scan, project, local_names)
        for name, usage in usages.items():
            row = rows.get(name)
            if row is None:
                row = rows[name] = PackageRow(name=name, usages=[], flags=set())
            row.usages.append(usage)
            if row.metadata is None and scan.environment and name in scan.environment.dists:
                dist = scan.environment.dists[name]
                row.metadata = PackageMetadata(
                    dist.summary,
                    dist.license.expression,
                    dist.license.source,
                    dist.size,
                    dist.installer,
                    dist.editable,
                    dist.requires_dist,
                )
        projects.append(
            ProjectInfo(
                path=scan.path,
                name=project,
                kind=scan.kind,
                manifests=scan.manifests,
                environment=scan.environment.path if scan.environment else None,
                errors=scan.errors,
                workspace=scan.workspace,
                package_count=len(usages),
            )
        )
    for row in rows.values():
        flag_drift(row)
        row.flags = set().union(*(u.flags for u in row.usages))
    return Inventory(roots=roots, projects=projects, packages=dict(sorted(rows.items())))


def _unique_names(scans: list[ProjectScan]) -> dict[Path, str]:
    """Project names, made unique with the folder name where two projects share one."""
    counts: dict[str, int] = {}
    for scan in scans:
        counts[scan.name] = counts.get(scan.name, 0) + 1
    out = {}
    for scan in scans:
        if counts[scan.name] == 1:
            out[scan.path] = scan.name
        else:
            out[scan.path] = f"{scan.name} ({scan.path.parent.name}/{scan.path.name})"
    return out


def _usages(scan: ProjectScan, project: str, local_names: set[str]) -> dict[str, Usage]:
    declared: dict[str, list[Declaration]] = {}
    for declaration in scan.declarations:
        if declaration.name not in local_names and not declaration.editable:
            declared.setdefault(declaration.name, []).append(declaration)
    installed = {}
    if scan.environment is not None:
        installed = {n: d for n, d in scan.environment.dists.items() if n not in local_names}
    names = set(declared) | set(scan.locked) | set(installed)
    env_markers = marker_environment(scan.environment.python_version) if scan.environment else None
    usages: dict[str, Usage] = {}
    resolution = str(scan.lock_file) if scan.lock_file else None
    environment = str(scan.environment.path) if scan.environment else None
    for name in sorted(names):
        dist = installed.get(name)
        locked = scan.locked.get(name, [])
        usage = Usage(
            project=project,
            declarations=declared.get(name, []),
            locked=sorted(locked, key=version_key) if len(locked) > 1 else list(locked),
            installed=dist.version if dist else None,
            direct=name in declared,
            resolution=resolution,
            environment=environment,
            source=scan.sources.get(name),
            license=dist.license if dist else None,
        )
        _flag_usage(name, usage, scan, env_markers)
        usages[name] = usage
    return usages


def _flag_usage(
    name: str, usage: Usage, scan: ProjectScan, env_markers: dict[str, str] | None
) -> None:
    for declaration in usage.declarations:
        spec = _specifier(declaration.specifier)
        if spec is None or not str(spec):
            continue
        if usage.locked and not any(_satisfies(spec, v) for v in usage.locked):
            usage.flags.add("conflict")
        applies = marker_applies(declaration.markers, env_markers)
        if usage.installed and applies and not _satisfies(spec, usage.installed):
            usage.flags.add("conflict")
    if scan.environment is None:
        return
    if usage.installed is None:
        expected = scan.expected
        wanted_by_declaration = any(
            d.group in ("main", "dev", "group:dev") or d.group.startswith("requirements:")
            for d in usage.declarations
            if marker_applies(d.markers, env_markers)
        )
        if (expected is not None and name in expected) or (
            expected is None and wanted_by_declaration
        ):
            usage.flags.add("missing")
    else:
        if not usage.declarations and not usage.locked:
            usage.flags.add("extraneous")
        if usage.locked and usage.installed not in usage.locked:
            usage.flags.add("env-drift")


def resolutions_of(row: PackageRow) -> dict[str, tuple[list[str], list[str]]]:
    """Where a package's locked versions come from: each lock file (or a project's own
    pins, by project name) with the versions it holds and the projects that use it."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for usage in row.usages:
        if not usage.locked:
            continue
        versions, projects = out.setdefault(usage.resolution or usage.project, ([], []))
        versions.extend(v for v in usage.locked if v not in versions)
        projects.append(usage.project)
    for versions, _ in out.values():
        versions.sort(key=version_key)
    return out


def flag_drift(row: PackageRow) -> None:
    """`drift`: different resolutions (locks, or projects' own pins) hold different
    versions, or different environments have different ones installed. A lock that
    holds several versions by marker (a fork), and the members of one workspace lock,
    are one resolution: what they hold is information, not drift."""
    resolved = {frozenset(versions) for versions, _ in resolutions_of(row).values()}
    installed = {u.environment or u.project: u.installed for u in row.usages if u.installed}
    if len(resolved) > 1 or len(set(installed.values())) > 1:
        for usage in row.usages:
            if usage.locked or usage.installed:
                usage.flags.add("drift")


@lru_cache(maxsize=8192)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _satisfies(spec: SpecifierSet, version: str) -> bool:
    parsed = parsed_version(version)
    return True if parsed is None else spec.contains(parsed, prereleases=True)
