"""Combine project scans into one inventory row per package, with its flags.

Flag names are a contract of `devkit-tui list --json`:
`drift`, `conflict`, `missing`, `extraneous`, `env-drift`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from backend.lock_graph import marker_applies, marker_environment
from backend.models import Declaration, FileError
from backend.scanner import ProjectScan

FLAGS = ("drift", "conflict", "missing", "extraneous", "env-drift", "outdated")


@dataclass(slots=True)
class ProjectInfo:
    """A project as the inventory shows it."""

    path: Path
    name: str
    kind: str
    manifests: list[Path]
    environment: Path | None
    errors: list[FileError]
    workspace: Path | None = None
    package_count: int = 0


@dataclass(slots=True)
class Usage:
    """How one project uses one package."""

    project: str
    declarations: list[Declaration]
    locked: list[str]
    installed: str | None
    direct: bool
    flags: set[str] = field(default_factory=set)
    latest: str | None = None
    """The newest release on the index, when it is newer (see backend.index)."""
    latest_allowed: str | None = None
    """The newest release the declared specifier allows."""

    @property
    def declared(self) -> list[str]:
        """Each declared specifier, in declaration order, without repeats."""
        return list(dict.fromkeys(d.specifier for d in self.declarations))

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(d.group for d in self.declarations))


@dataclass(slots=True)
class PackageMetadata:
    """From the first installed copy found: shown in the detail screen."""

    summary: str = ""
    license: str = ""
    size: int | None = None
    installer: str = ""
    editable: bool = False
    requires_dist: tuple[str, ...] = ()


@dataclass(slots=True)
class PackageRow:
    """One package across all projects."""

    name: str
    usages: list[Usage]
    flags: set[str]
    metadata: PackageMetadata | None = None

    @property
    def versions(self) -> list[str]:
        """Every locked or installed version, oldest first."""
        found = {v for u in self.usages for v in u.locked}
        found |= {u.installed for u in self.usages if u.installed}
        return sorted(found, key=_version_key)

    @property
    def projects(self) -> list[str]:
        return [u.project for u in self.usages]


@dataclass(slots=True)
class Inventory:
    """The whole picture: projects and packages under the roots."""

    roots: list[Path]
    projects: list[ProjectInfo]
    packages: dict[str, PackageRow]
    built_at_ns: int = field(default_factory=time.time_ns)

    @property
    def error_count(self) -> int:
        return sum(len(p.errors) for p in self.projects)


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
                    dist.license,
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
        _flag_drift(row)
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
    for name in sorted(names):
        dist = installed.get(name)
        usage = Usage(
            project=project,
            declarations=declared.get(name, []),
            locked=sorted(scan.locked.get(name, []), key=_version_key),
            installed=dist.version if dist else None,
            direct=name in declared,
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


def _flag_drift(row: PackageRow) -> None:
    locked_sets = {tuple(u.locked) for u in row.usages if u.locked}
    installed = {u.installed for u in row.usages if u.installed}
    if len(locked_sets) > 1 or len(installed) > 1:
        for usage in row.usages:
            if usage.locked or usage.installed:
                usage.flags.add("drift")


@lru_cache(maxsize=8192)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


@lru_cache(maxsize=16384)
def _parsed_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _satisfies(spec: SpecifierSet, version: str) -> bool:
    parsed = _parsed_version(version)
    return True if parsed is None else spec.contains(parsed, prereleases=True)


def _version_key(text: str) -> tuple[int, Version | str]:
    parsed = _parsed_version(text)
    return (1, parsed) if parsed is not None else (0, text)
