"""Which of a project's packages are behind, judged from releases already at hand
(fetched, or read from the cache): pure, so a one-project question can ask it without
an event loop or the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from backend.index.simple_api import DEFAULT_INDEX, Release
from backend.inventory.model import INDEX_FLAGS, Inventory, parsed_version


@dataclass(slots=True)
class Lookup:
    """What the index (or the cache) said, per package name."""

    releases: dict[str, list[Release]] = field(default_factory=dict)
    fetched_ns: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    """Names nobody could answer for (offline with a cold cache)."""
    unindexed: dict[str, str] = field(default_factory=dict)
    """Names that come from no index (a git, URL or path source), with that kind."""
    status: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """PEP 792 status and its reason, for the names whose page said one."""


@dataclass(frozen=True, slots=True)
class Outdated:
    name: str
    project: str
    current: str
    latest_allowed: str | None
    latest: str
    major: bool
    specifier: str

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "project": self.project,
            "current": self.current,
            "latest_allowed": self.latest_allowed,
            "latest": self.latest,
            "major": self.major,
            "specifier": self.specifier,
        }


def outdated(
    inventory: Inventory,
    lookup: Lookup,
    pre: bool = False,
    per_usage: dict[tuple[str, str], Lookup] | None = None,
) -> list[Outdated]:
    """Every project's use of a package whose newest release is newer than its own;
    `per_usage` gives, by (project, name), the lookup of the index it comes from."""
    out = []
    per_usage = per_usage or {}
    for name, row in sorted(inventory.packages.items()):
        for usage in row.usages:
            releases = per_usage.get((usage.project, name), lookup).releases.get(name)
            if not releases:
                continue
            candidates = [
                r.parsed for r in releases if not r.yanked and (pre or not r.parsed.is_prerelease)
            ]
            if not candidates:
                continue
            latest = max(candidates)
            current = _current(usage.locked, usage.installed)
            if current is None or current >= latest:
                continue
            specifier = _specifier(usage.declared)
            allowed = [
                v for v in candidates if specifier is None or specifier.contains(v, prereleases=pre)
            ]
            out.append(
                Outdated(
                    name=name,
                    project=usage.project,
                    current=str(current),
                    latest_allowed=str(max(allowed)) if allowed else None,
                    latest=str(latest),
                    major=latest.major > current.major,
                    specifier=str(specifier) if specifier is not None else "",
                )
            )
    return out


def _current(locked: list[str], installed: str | None) -> Version | None:
    versions = []
    for raw in [*locked, *([installed] if installed else [])]:
        try:
            versions.append(Version(raw))
        except InvalidVersion:
            continue
    return max(versions) if versions else None


def _specifier(declared: list[str]) -> SpecifierSet | None:
    combined = ",".join(s for s in declared if s)
    if not combined:
        return None
    try:
        return SpecifierSet(combined)
    except InvalidSpecifier:
        return None


NO_INDEX_SOURCES = ("git", "url", "path", "directory", "editable", "virtual")


def usage_indexes(
    inventory: Inventory, project_indexes: dict[str, str | None], explicit: str | None = None
) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The index each (project, package) is checked against, as `find_outdated` says,
    and the packages that come from no index, with why."""
    index_of: dict[tuple[str, str], str] = {}
    unindexed: dict[str, str] = {}
    for name, row in inventory.packages.items():
        for usage in row.usages:
            kind, _, where = (usage.source or "").partition(":")
            if kind in NO_INDEX_SOURCES:
                unindexed.setdefault(name, f"{kind} source")
                continue
            index_of[(usage.project, name)] = (
                explicit
                or (where if kind == "registry" and where.startswith("http") else None)
                or project_indexes.get(usage.project)
                or DEFAULT_INDEX
            )
    return index_of, unindexed


def annotate(inventory: Inventory, rows: list[Outdated]) -> None:
    """Mark the inventory: the `outdated` flag and the latest versions on each usage."""
    by_usage = {(r.name, r.project): r for r in rows}
    for name, row in inventory.packages.items():
        row.flags.discard("outdated")
        latest = []
        for usage in row.usages:
            found = by_usage.get((name, usage.project))
            usage.flags.discard("outdated")
            usage.latest = found.latest if found else None
            usage.latest_allowed = found.latest_allowed if found else None
            if found:
                usage.flags.add("outdated")
                latest.append(found.latest)
        if latest:
            row.flags.add("outdated")


def mark_index_facts(
    inventory: Inventory, lookup: Lookup, per_usage: dict[tuple[str, str], Lookup] | None = None
) -> None:
    """The index's word on each usage: `yanked` when its locked or installed release
    is (with the reason), and the project's PEP 792 status when it is not active.
    Usages the index did not answer for keep no such flag."""
    per_usage = per_usage or {}
    index_flags = frozenset(INDEX_FLAGS)
    releases_of: dict[tuple[int, str], dict[Version | None, Release]] = {}
    for name, row in inventory.packages.items():
        row.flags -= index_flags
        for usage in row.usages:
            usage.flags -= index_flags
            if usage.notes:
                for flag in INDEX_FLAGS:
                    usage.notes.pop(flag, None)
            found = per_usage.get((usage.project, name), lookup)
            if found.releases.get(name):  # parsed once per package and index, not per usage
                releases = releases_of.get((id(found), name))
                if releases is None:
                    releases = releases_of[(id(found), name)] = {
                        parsed_version(r.version): r for r in found.releases[name]
                    }
                for version in [*usage.locked, *filter(None, [usage.installed])]:
                    release = releases.get(parsed_version(version))
                    if release is not None and release.yanked:
                        usage.flags.add("yanked")
                        usage.notes["yanked"] = f"{version} yanked" + (
                            f": {release.yanked_reason}" if release.yanked_reason else ""
                        )
            status, reason = found.status.get(name, ("active", None))
            if status in index_flags:
                usage.flags.add(status)
                usage.notes[status] = reason or f"the index marks {name} {status}"
            row.flags |= usage.flags & index_flags
