"""Plain data carried from the parsers to the inventory.

These are slotted dataclasses rather than pydantic models: parsers create tens of
thousands of them on a large workspace, and they never cross a process boundary
as they are (the JSON document in `backend.schema` does).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

from backend.parsers.licenses import License

C = TypeVar("C", bound=type)


def quick_pickle(cls: C) -> C:
    """A frozen slotted dataclass pickled as a plain tuple of its fields. Python's own
    state functions for such classes call `fields()` for every object: a kept lock of
    100,000 edges spends most of its load there (0.9 s of 1.3 s)."""
    names = tuple(f.name for f in fields(cls))
    state_of = attrgetter(*names)

    def getstate(self: Any) -> tuple[Any, ...]:
        state = state_of(self)
        return state if len(names) > 1 else (state,)

    def setstate(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = getstate  # type: ignore[attr-defined]
    cls.__setstate__ = setstate  # type: ignore[attr-defined]
    return cls


def pickled_by_init(cls: C) -> C:
    """A slotted dataclass pickled as a call of its own `__init__` with its fields:
    one generated function per object where Python's state functions (or
    `quick_pickle`'s) run a loop of attribute sets. A 10,000-package inventory loads
    in a fifth of the time, which the dashboard waits for at start; a kept graph's
    edges in three quarters. Every field must be an `__init__` argument, and
    `__post_init__` must not exist."""
    names = tuple(f.name for f in fields(cls))
    assert all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__"), cls
    state_of = attrgetter(*names)

    def reduce(self: Any) -> tuple[Any, ...]:
        state = state_of(self)
        return (cls, state if len(names) > 1 else (state,))

    cls.__reduce__ = reduce  # type: ignore[assignment,method-assign]
    return cls


@quick_pickle
@dataclass(frozen=True, slots=True)
class FileError:
    """Something in a file that could not be read; the rest of the work goes on."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ParseFailure(Exception):
    """Raised by a parser when a whole file is unusable; carries the error entry."""

    def __init__(self, error: FileError) -> None:
        super().__init__(str(error))
        self.error = error


@quick_pickle
@dataclass(frozen=True, slots=True)
class Declaration:
    """One requirement a project declares, with where it was declared.

    `group` is `main`, `extra:NAME`, `group:NAME`, `dev` (uv's legacy
    dev-dependencies) or `requirements:FILE`.
    """

    name: str
    specifier: str
    group: str
    file: str
    line: int | None = None
    markers: str | None = None
    extras: tuple[str, ...] = ()
    url: str | None = None
    editable: bool = False


@quick_pickle
@dataclass(frozen=True, slots=True)
class LockEdge:
    """A dependency edge inside a lock file (uv.lock `dependencies` entries)."""

    name: str
    version: str | None = None
    markers: str | None = None
    extras: tuple[str, ...] = ()


@dataclass(slots=True)
class LockedPackage:
    """One package entry of a lock; a lock may hold one name at several versions."""

    name: str
    version: str | None
    source: str
    local: bool = False
    """True for the project itself, workspace members and path packages."""
    source_path: str | None = None
    """For local sources: the path relative to the lock's folder."""
    dependencies: list[LockEdge] = field(default_factory=list)
    optional: dict[str, list[LockEdge]] = field(default_factory=dict)
    dev: dict[str, list[LockEdge]] = field(default_factory=dict)
    markers: str | None = None
    specifiers: dict[str, str] = field(default_factory=dict)
    """For local packages: the specifier each direct requirement was declared with,
    by `group:NAME` (dev groups) or plain name (`[package.metadata] requires-dist`)."""
    requires: list[tuple[str, str, str | None]] = field(default_factory=list)
    """For local packages: `[package.metadata] requires-dist` as (name, specifier,
    marker), what the build backend declared (the only record of dynamic dependencies)."""
    recorded: dict[str, list[str | None]] = field(default_factory=dict)
    """Every entry the lock recorded for each of those keys (one requirement can be
    declared several times, by marker): its specifier, or None for a URL, git or path
    source, which records no specifier."""


@dataclass(slots=True)
class Lock:
    """A parsed lock file of any format, reduced to what the inventory needs."""

    path: Path
    format: str
    packages: list[LockedPackage]
    members: list[str] = field(default_factory=list)
    root_groups: dict[str, list[LockEdge]] = field(default_factory=dict)
    """Dependency groups of a virtual workspace root (`[manifest.dependency-groups]`)."""
    requires_python: str | None = None
    errors: list[FileError] = field(default_factory=list)
    """Entries the lock holds that could not be used (an invalid version, say)."""


@dataclass(slots=True)
class InstalledDist:
    """A distribution found in an environment's site-packages."""

    name: str
    version: str
    path: str
    requires_dist: tuple[str, ...] = ()
    summary: str = ""
    license: License = field(default_factory=License)
    size: int | None = None
    installer: str = ""
    editable: bool = False


@dataclass(slots=True)
class Environment:
    """A virtual environment and what is installed in it."""

    path: Path
    python_version: str | None
    site_packages: Path | None
    dists: dict[str, InstalledDist] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)


@dataclass(slots=True)
class PyProject:
    """What a pyproject.toml says about a project's dependencies and workspace."""

    path: Path
    name: str | None
    declarations: list[Declaration] = field(default_factory=list)
    workspace_members: list[str] = field(default_factory=list)
    workspace_exclude: list[str] = field(default_factory=list)
    local_sources: set[str] = field(default_factory=set)
    """Dependencies that `[tool.uv.sources]` points at a path or the workspace."""
    dynamic: set[str] = field(default_factory=set)
    """`[project] dynamic`: fields a build backend fills in (`dependencies`, say)."""
    index_url: str | None = None
    """The default index of `[tool.uv]`, when the project names one."""
    devkit: dict[str, Any] = field(default_factory=dict)
    """The project keys of its `[tool.devkit-tui]`, as written."""
    devkit_lines: dict[str, int] = field(default_factory=dict)
    """The line of each of those keys."""
    errors: list[FileError] = field(default_factory=list)
