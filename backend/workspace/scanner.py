"""Turn discovered project folders into `ProjectScan`s: manifests, lock, environment.

The scanner keeps the layout of the last full scan (which folders are projects,
which belong to which uv workspace) so that a watched change re-reads only the
project it touches.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from backend.config.project import ProjectSettings, project_settings
from backend.graph.lock_walk import expected_installed, project_node, reachable_versions
from backend.graph.markers import marker_applies, marker_environment
from backend.parsers.environment import (
    ENV_FOLDER_NAMES,
    find_environment,
    scan_environment,
    site_packages_of,
)
from backend.parsers.pep508 import declaration_from
from backend.parsers.poetry_lock import parse_poetry_lock
from backend.parsers.pylock import parse_pylock
from backend.parsers.pyproject import parse_pyproject
from backend.parsers.records import (
    Declaration,
    Environment,
    FileError,
    Lock,
    ParseFailure,
    PyProject,
)
from backend.parsers.requirements import parse_requirements
from backend.parsers.uv_lock import parse_uv_lock
from backend.telemetry import names
from backend.workspace.discovery import (
    DEFAULT_MAX_DEPTH,
    FoundProject,
    discover,
    enclosing_workspace,
    is_requirements_file,
)
from backend.workspace.kept import Identity, Inputs, identity_of
from backend.workspace.lock_facts import recorded_declarations, sources_of
from backend.workspace.parse_cache import ParseCache
from backend.workspace.pruning import prune_daily
from backend.workspace.scan_cache import ScanCache, interpreter

ProgressCallback = Callable[[int, int, Path], None]
FILE_FORMATS: dict[Callable[..., object], str] = {
    parse_pyproject: "pyproject.toml",
    parse_uv_lock: "uv.lock",
    parse_pylock: "pylock.toml",
    parse_poetry_lock: "poetry.lock",
    parse_requirements: "requirements",
    scan_environment: "environment",
}


@dataclass(frozen=True, slots=True)
class Timing:
    """An operation the scanner did, kept so the backend can make it a span later,
    even when the scan ran in another process."""

    name: str
    start_ns: int
    end_ns: int
    attributes: dict[str, str | int]
    error: str | None = None


@dataclass(slots=True)
class ProjectScan:
    """Everything read for one project; the inventory combines these."""

    path: Path
    name: str
    kind: str
    manifests: list[Path]
    declarations: list[Declaration] = field(default_factory=list)
    locked: dict[str, list[str]] = field(default_factory=dict)
    """Package name to the versions this project's lock holds for it."""
    sources: dict[str, str] = field(default_factory=dict)
    """Where the lock takes each package from (`registry:URL`, `git:...`, `url:...`,
    `path:...`); a registry wins over the other sources of one package."""
    lock_file: Path | None = None
    environment: Environment | None = None
    expected: set[str] | None = None
    """Names the environment should hold, when it exists and that can be known."""
    local_names: set[str] = field(default_factory=set)
    dynamic: set[str] = field(default_factory=set)
    """`[project] dynamic` of its pyproject.toml."""
    index_url: str | None = None
    """The project's default index from `[tool.uv]` (a workspace member inherits it)."""
    workspace: Path | None = None
    settings: ProjectSettings | None = None
    """Its own `[tool.devkit-tui]`, checked."""
    errors: list[FileError] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    """The project read first, then each file actually parsed (cache hits are free)."""
    inputs: Inputs = ()
    """Every path the scan looked at, with its identity then: what a graph built from
    it is kept under between runs."""


@dataclass(slots=True)
class Layout:
    """Where the projects are and how workspaces group them."""

    roots: list[Path]
    projects: dict[Path, FoundProject]
    workspace_of: dict[Path, Path]
    """Member folder to its workspace root folder."""
    timings: list[Timing] = field(default_factory=list)
    """Discovery, and the pyproject parses that found the workspaces."""


class Scanner:
    """Reads projects, reusing parses of unchanged files."""

    def __init__(self, environment: Path | None = None, cache_dir: Path | None = None) -> None:
        self.cache = ParseCache(cache_dir)
        self.kept = ScanCache(cache_dir)
        """Whole scans between runs (with a cache folder)."""
        self._timings: list[Timing] = []
        self._inputs: dict[str, Identity] = {}
        """Every path the scan under way looked at, with its identity then."""
        self.layout: Layout | None = None
        self._environment_override = environment

    def scan_all(
        self,
        roots: list[Path],
        max_depth: int = DEFAULT_MAX_DEPTH,
        progress: ProgressCallback | None = None,
    ) -> list[ProjectScan]:
        """Discover projects under the roots and read each one."""
        started = time.time_ns()
        found = discover(roots, max_depth)
        self._timings = [
            Timing(
                names.DISCOVER,
                started,
                time.time_ns(),
                {names.ROOT_COUNT: len(roots), names.PROJECT_COUNT: len(found)},
            )
        ]
        self.layout = Layout(
            roots=roots,
            projects={p.path: p for p in found},
            workspace_of={},
            timings=self._timings,
        )
        self.layout.workspace_of = self._workspaces(found)
        scans = []
        for done, project in enumerate(found, start=1):
            scans.append(self.scan_project(project.path))
            if progress:
                progress(done, len(found), project.path)
        prune_daily(self.cache.folder)  # what this scan read is marked used by now
        return scans

    def scan_one(self, folder: Path) -> ProjectScan | None:
        """One project alone, as its workspace sees it (a member's lock is its root's):
        what `tree PROJECT` needs, without reading every project under a folder.
        None when the folder holds no project."""
        folder = folder.absolute()
        root = enclosing_workspace(folder) or folder
        here = discover([folder], max_depth=0)
        if not here:
            return None
        around = here if root == folder else [*discover([root], max_depth=0), *here]
        self.layout = Layout([folder], {p.path: p for p in here}, {}, self._timings)
        self.layout.workspace_of = self._workspaces(around)
        return self.scan_project(folder)

    def adopt(self, layout: Layout) -> None:
        """Take the layout of a full scan made elsewhere (in the scan process)."""
        self.layout = layout

    def members_of(self, root: Path) -> list[Path]:
        """Workspace members of `root` (empty when it is not a workspace root)."""
        if self.layout is None:
            return []
        return sorted(m for m, r in self.layout.workspace_of.items() if r == root and m != root)

    def users_of_environment(self, env: Path) -> list[Path]:
        """Projects whose installed environment is `env`."""
        if self.layout is None:
            return []
        if self._environment_override is not None:
            return list(self.layout.projects) if env == self._environment_override else []
        out = []
        for folder in self.layout.projects:
            owner = self.layout.workspace_of.get(folder, folder)
            if env.parent == owner:
                out.append(folder)
        return out

    def scan_project(self, folder: Path, fresh: bool = False) -> ProjectScan:
        """Read one project's manifests, its lock and its environment; a scan kept
        from an earlier run serves while nothing it read changed (`fresh`: read anew,
        as after a watched change)."""
        assert self.layout is not None, "scan_all first"
        started = time.time_ns()
        timings: list[Timing] = []
        key = self._key(folder)
        scan: ProjectScan | None = None if fresh else self.kept.get(key)
        if scan is None:
            self._inputs = {}
            scan = self._scan_project(folder, timings)
            scan.inputs = tuple(self._inputs.items())
            self.kept.put(key, scan.inputs, scan)
        scan.timings = [
            Timing(
                names.PROJECT_READ,
                started,
                time.time_ns(),
                {
                    names.PROJECT_NAME: scan.name,
                    names.PROJECT_KIND: scan.kind,
                    names.ERROR_COUNT: len(scan.errors),
                },
            ),
            *timings,
        ]
        return scan

    def _key(self, folder: Path) -> tuple[object, ...]:
        """What a kept scan of `folder` must have been read under: discovery's view of
        it, its workspace, the environment asked for and this interpreter."""
        assert self.layout is not None
        found = self.layout.projects[folder]
        return (
            str(folder),
            tuple(str(m) for m in found.manifests),
            str(self.layout.workspace_of.get(folder)),
            str(self._environment_override),
            interpreter(),
        )

    def _exists(self, path: Path) -> bool:
        """Whether `path` exists, noted as an input of the scan under way."""
        identity = self._inputs[str(path)] = identity_of(path)
        return identity is not None

    def _scan_project(self, folder: Path, timings: list[Timing]) -> ProjectScan:
        assert self.layout is not None
        self._timings = timings
        found = self.layout.projects[folder]
        manifests = [m for m in found.manifests if self._exists(m)]
        workspace_root = self.layout.workspace_of.get(folder)
        errors: list[FileError] = []
        pyproject = self._read(folder / "pyproject.toml", parse_pyproject, errors)
        scan = ProjectScan(
            path=folder,
            name=(
                pyproject.name if pyproject and pyproject.name else canonicalize_name(folder.name)
            ),
            kind=_kind(manifests, workspace_root, folder),
            manifests=manifests,
            workspace=workspace_root,
            errors=errors,
        )
        if pyproject:
            scan.declarations.extend(pyproject.declarations)
            errors.extend(pyproject.errors)
            scan.local_names |= pyproject.local_sources
            scan.local_names.add(scan.name)
            scan.dynamic = pyproject.dynamic
            scan.index_url = pyproject.index_url
            scan.settings, problems = project_settings(
                folder / "pyproject.toml", pyproject.devkit, pyproject.devkit_lines
            )
            errors.extend(problems)
        if scan.index_url is None and workspace_root is not None and workspace_root != folder:
            root = self._read(workspace_root / "pyproject.toml", parse_pyproject, [])
            scan.index_url = root.index_url if root else None
        if self._exists(folder / "setup.cfg"):
            self._read_setup_cfg(folder / "setup.cfg", scan)
        pins: dict[str, str] = {}
        included: set[Path] = set()
        for manifest in manifests:  # beside the project first, then its requirements/ folder
            if is_requirements_file(manifest) and manifest.resolve() not in included:
                parsed = self._read(manifest, parse_requirements, errors)
                if parsed:
                    included.update(parsed.includes)
                    for path in (*parsed.includes, *parsed.local_projects):
                        self._exists(path)
                    scan.declarations.extend(parsed.declarations)
                    errors.extend(parsed.errors)
                    pins.update(parsed.pins)
                    scan.index_url = scan.index_url or parsed.index_url

        lock = self._lock_for(folder, workspace_root, errors)
        if lock is not None:
            scan.lock_file = lock.path
            errors.extend(lock.errors)
            lock_root = lock.path.parent
            scan.local_names |= {p.name for p in lock.packages if p.local}
            scan.locked = reachable_versions(lock, _relative(folder, lock_root), scan.name)
            scan.sources = sources_of(lock.packages, set(scan.locked))
            if scan.dynamic & {"dependencies", "optional-dependencies"}:
                node = project_node(lock, _relative(folder, lock_root), scan.name)
                scan.declarations += recorded_declarations(
                    node, scan.declarations, scan.local_names, lock.path
                )
        for name, version in pins.items():
            versions = scan.locked.setdefault(name, [])
            if version not in versions:
                versions.append(version)

        env_path = self._find_environment(workspace_root or folder)
        if env_path is not None:
            self._exists(env_path / "lib")  # listed for site-packages
            self._exists(env_path / "Lib" / "site-packages")
            scan.environment = self._read(
                env_path, scan_environment, errors, stamp=site_packages_of(env_path)
            )
            if scan.environment is not None:
                errors.extend(scan.environment.errors)
                if workspace_root is None or scan.name in scan.environment.dists:
                    scan.expected = _expected(scan, lock, folder)
        for name in scan.local_names:
            scan.locked.pop(name, None)
        return scan

    def _lock_for(
        self, folder: Path, workspace_root: Path | None, errors: list[FileError]
    ) -> Lock | None:
        candidates = [
            (folder / "uv.lock", parse_uv_lock),
            *(((workspace_root / "uv.lock", parse_uv_lock),) if workspace_root else ()),
            (folder / "pylock.toml", parse_pylock),
            (folder / "poetry.lock", parse_poetry_lock),
        ]
        self._exists(folder)  # listed for its pylock.*.toml
        extra_pylocks = sorted(folder.glob("pylock.*.toml"))
        candidates += [(path, parse_pylock) for path in extra_pylocks]
        first: Lock | None = None
        for path, parser in candidates:
            if self._exists(path):
                lock = self._read(path, parser, errors)
                if lock is not None and lock.packages:
                    return lock  # an empty uv.lock beside a poetry.lock is not the lock
                first = first or lock
        return first

    def _find_environment(self, owner: Path) -> Path | None:
        """The environment asked for, or the owner's own, its marker file noted."""
        if self._environment_override is not None:
            self._exists(self._environment_override / "pyvenv.cfg")
            return self._environment_override
        for name in ENV_FOLDER_NAMES:
            self._exists(owner / name / "pyvenv.cfg")
        return find_environment(owner)

    def _read_setup_cfg(self, path: Path, scan: ProjectScan) -> None:
        import configparser  # setup.cfg projects are few; the module is ~2 ms to load

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            scan.errors.append(
                FileError(str(path), getattr(exc, "lineno", None), f"invalid setup.cfg: {exc}")
            )
            return
        if parser.has_option("metadata", "name"):
            scan.name = canonicalize_name(parser.get("metadata", "name"))
            scan.local_names.add(scan.name)
        if parser.has_option("options", "install_requires"):
            for line in parser.get("options", "install_requires").splitlines():
                if line.strip():
                    parsed = declaration_from(line.strip(), "main", str(path), None)
                    (scan.errors if isinstance(parsed, FileError) else scan.declarations).append(
                        parsed
                    )

    def _read(self, path: Path, parser, errors: list[FileError], stamp: Path | None = None):  # type: ignore[no-untyped-def]
        """A cached parse of `path`, or None (with an error entry) when it is unusable."""
        if not self._exists(path):
            return None
        if stamp is not None:
            self._exists(stamp)
        misses, started = self.cache.misses, time.time_ns()
        error: str | None = None
        try:
            return self.cache.get(path, parser, stamp)
        except ParseFailure as failure:
            errors.append(failure.error)
            error = failure.error.message
            return None
        finally:
            if self.cache.misses != misses:
                self._timings.append(
                    Timing(
                        names.PARSE,
                        started,
                        time.time_ns(),
                        {names.FILE_PATH: str(path), names.FILE_FORMAT: FILE_FORMATS[parser]},
                        error,
                    )
                )

    def _workspaces(self, found: list[FoundProject]) -> dict[Path, Path]:
        """Map each uv workspace member folder (and the root itself) to the root folder."""
        out: dict[Path, Path] = {}
        for project in found:
            path = project.path / "pyproject.toml"
            if not _may_declare_workspace(path):
                continue
            pyproject: PyProject | None = self._read(path, parse_pyproject, [])
            if pyproject is None:
                continue
            if not pyproject.workspace_members:
                continue
            excluded = {
                Path(p).resolve()
                for pattern in pyproject.workspace_exclude
                for p in glob.glob(str(project.path / pattern))
            }
            out[project.path] = project.path
            for pattern in pyproject.workspace_members:
                for member in sorted(glob.glob(str(project.path / pattern))):
                    member_path = Path(member)
                    if (
                        member_path.resolve() in excluded
                        or not (member_path / "pyproject.toml").exists()
                    ):
                        continue
                    out.setdefault(member_path, project.path)
        return out


def _may_declare_workspace(pyproject: Path) -> bool:
    """False when the file cannot hold `[tool.uv.workspace]` in any TOML spelling (a
    table, dotted keys, an inline table all name it): most projects are answered
    without parsing, or loading a kept parse of, their pyproject.toml."""
    try:
        return b"workspace" in pyproject.read_bytes()
    except OSError:
        return False


def _kind(manifests: list[Path], workspace_root: Path | None, folder: Path) -> str:
    names = {m.name for m in manifests}
    if workspace_root == folder:
        return "uv-workspace"
    if workspace_root is not None:
        return "uv-workspace-member"
    if "uv.lock" in names:
        return "uv"
    if "poetry.lock" in names:
        return "poetry"
    if any(n.startswith("pylock") for n in names):
        return "pylock"
    if "pyproject.toml" in names:
        return "pyproject"
    if names & {"setup.cfg", "setup.py"}:
        return "setuptools"
    return "requirements"


def _relative(folder: Path, lock_root: Path) -> str:
    try:
        rel = folder.relative_to(lock_root).as_posix()
    except ValueError:
        return folder.as_posix()
    return rel or "."


def _expected(scan: ProjectScan, lock: Lock | None, folder: Path) -> set[str] | None:
    """Names `uv sync` would install for this project in its environment."""
    env = scan.environment
    if env is None:
        return None
    if lock is not None and lock.format == "uv.lock":
        return expected_installed(
            lock, _relative(folder, lock.path.parent), scan.name, env.python_version
        )
    environment = marker_environment(env.python_version)
    wanted = {
        d.name
        for d in scan.declarations
        if (d.group in ("main", "dev", "group:dev") or d.group.startswith("requirements:"))
        and marker_applies(d.markers, environment)
    }
    return wanted | (set(scan.locked) if lock is not None else set())
