"""Find every Python project folder under the roots, without following symlink loops."""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from backend.settings import DEFAULT_MAX_DEPTH

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".eggs",
    }
)
LOCK_FILES = ("uv.lock", "pylock.toml", "poetry.lock")
MANIFEST_FILES = ("pyproject.toml", "setup.cfg", "setup.py", *LOCK_FILES)


@dataclass(slots=True)
class FoundProject:
    """A folder that holds at least one Python manifest or lock file."""

    path: Path
    manifests: list[Path] = field(default_factory=list)


REQUIREMENTS_FOLDER = "requirements"
"""A project's folder of requirements files (`requirements/dev.txt`, pip-tools'
`requirements/main.in`): every `*.txt` and `*.in` in it belongs to the project."""


def is_manifest_name(name: str) -> bool:
    """True for the file names that make a folder a Python project."""
    return (
        name in MANIFEST_FILES
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
        or is_pylock_name(name)
    )


def is_requirements_file(path: Path) -> bool:
    """`requirements*.txt` / `.in` beside the project, or any `.txt` / `.in` in its
    `requirements/` folder."""
    if path.suffix not in (".txt", ".in"):
        return False
    return path.name.startswith("requirements") or path.parent.name == REQUIREMENTS_FOLDER


def is_manifest_path(path: Path) -> bool:
    """A file that is one of a project's manifests, by its name and place."""
    return is_manifest_name(path.name) or (
        path.parent.name == REQUIREMENTS_FOLDER and is_requirements_file(path)
    )


def project_folder_of(manifest: Path) -> Path:
    """The project a manifest belongs to: its folder, or the project that holds the
    `requirements/` folder it is in."""
    parent = manifest.parent
    if parent.name == REQUIREMENTS_FOLDER and is_requirements_file(manifest):
        return parent.parent
    return parent


def is_pylock_name(name: str) -> bool:
    """`pylock.toml` and PEP 751's named variants, `pylock.NAME.toml`."""
    return name.startswith("pylock.") and name.endswith(".toml")


def discover(roots: list[Path], max_depth: int = DEFAULT_MAX_DEPTH) -> list[FoundProject]:
    """Walk each root breadth-first; skip tool folders and virtualenvs; visit each dir once."""
    found: dict[Path, FoundProject] = {}
    visited: set[tuple[int, int]] = set()
    for root in roots:
        queue: deque[tuple[Path, int]] = deque([(root, 0)])
        while queue:
            folder, depth = queue.popleft()
            try:
                stat = folder.stat()
            except OSError:
                continue
            identity = (stat.st_dev, stat.st_ino)
            if identity in visited:
                continue  # a symlink back into a folder we have seen: no loops
            visited.add(identity)
            try:
                with os.scandir(folder) as entries:
                    items = sorted(entries, key=lambda e: e.name)
            except OSError:
                continue
            names = {e.name for e in items}
            if "pyvenv.cfg" in names:
                continue  # a virtualenv: its insides are an environment, not projects
            manifests = [folder / e.name for e in items if is_manifest_name(e.name) and _is_file(e)]
            kept = next((e for e in items if e.name == REQUIREMENTS_FOLDER and _is_dir(e)), None)
            if kept is not None:
                manifests += _requirements_in(folder / kept.name)
            if manifests:
                found.setdefault(folder, FoundProject(folder)).manifests = manifests
            if depth >= max_depth:
                continue
            children = [
                e
                for e in items
                if _is_dir(e)
                and e is not kept
                and e.name not in SKIP_DIRS
                and not e.name.endswith((".egg-info", ".dist-info"))
            ]
            # Real folders first, so a project is named by its real path, not a symlink's.
            children.sort(key=lambda e: e.is_symlink())
            queue.extend((folder / e.name, depth + 1) for e in children)
    return sorted(found.values(), key=lambda p: str(p.path))


def _requirements_in(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            found = [folder / e.name for e in entries if _is_file(e)]
    except OSError:
        return []
    return sorted(p for p in found if is_requirements_file(p))


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def enclosing_workspace(folder: Path) -> Path | None:
    """The uv workspace root above `folder` (a member's folder), if any: the nearest
    parent whose pyproject.toml has `[tool.uv.workspace]` and that holds a uv.lock."""
    from backend.parsers.records import ParseFailure
    from backend.parsers.toml_file import load_toml

    for parent in folder.absolute().parents:
        manifest = parent / "pyproject.toml"
        if not (manifest.is_file() and (parent / "uv.lock").is_file()):
            continue
        try:
            document, _ = load_toml(manifest)
        except ParseFailure:
            continue
        if "workspace" in document.get("tool", {}).get("uv", {}):
            return parent
    return None
