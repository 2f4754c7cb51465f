"""The inventory: one row per package across every project, with its usages and flags.

Flag names are a contract of `devkit-tui list --json`:
`drift`, `conflict`, `missing`, `extraneous`, `env-drift`, `outdated`, `vulnerable`, and
from the index `yanked`, `archived`, `quarantined`, `deprecated`, and `policy` (a rule of
the team's bundle is broken).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from backend.parsers.licenses import License
from backend.parsers.records import Declaration, FileError, pickled_by_init

INDEX_FLAGS = ("yanked", "archived", "quarantined", "deprecated")
"""What the index says of a release (yanked) or of the project (PEP 792 status)."""
SEVERITIES = ("critical", "high", "medium", "low", "unknown")
"""Worst first, as advisories rate them (GHSA's MODERATE is medium)."""
FLAGS = ("drift", "conflict", "missing", "extraneous", "env-drift", "outdated", "vulnerable",
         *INDEX_FLAGS, "policy")  # fmt: skip


@pickled_by_init
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


@pickled_by_init
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
    resolution: str | None = None
    """The lock file its locked versions come from (one for every member of a uv
    workspace); None for pins of the project's own."""
    environment: str | None = None
    """The environment its installed version was read from."""
    source: str | None = None
    """Where its lock takes it from: `registry:URL`, `git:...`, `url:...`, `path:...`."""
    notes: dict[str, str] = field(default_factory=dict)
    """Why a flag is set, where the source says (a yank reason, a status reason)."""
    severity: str | None = None
    """The worst severity of its findings, when it is `vulnerable`."""
    license: License | None = None
    """Its installed copy's licence; None when it is not installed."""

    @property
    def declared(self) -> list[str]:
        """Each declared specifier, in declaration order, without repeats."""
        return list(dict.fromkeys(d.specifier for d in self.declarations))

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(d.group for d in self.declarations))


@pickled_by_init
@dataclass(slots=True)
class PackageMetadata:
    """From the first installed copy found: shown in the detail screen."""

    summary: str = ""
    license: str = ""
    license_source: str | None = None
    size: int | None = None
    installer: str = ""
    editable: bool = False
    requires_dist: tuple[str, ...] = ()


@pickled_by_init
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
        return sorted(found, key=version_key)

    @property
    def projects(self) -> list[str]:
        return [u.project for u in self.usages]

    @property
    def severity(self) -> str | None:
        """The worst severity of any usage's findings."""
        found = [u.severity for u in self.usages if u.severity]
        return min(found, key=SEVERITIES.index) if found else None


@pickled_by_init
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


@lru_cache(maxsize=16384)
def parsed_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def version_key(text: str) -> tuple[int, Version | str]:
    """Sorts versions by PEP 440 order; unparseable ones first, as text."""
    parsed = parsed_version(text)
    return (1, parsed) if parsed is not None else (0, text)
