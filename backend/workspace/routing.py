"""Which projects a set of changed paths touches, or that the layout itself moved.

The watcher hands over paths; this decides whether re-reading a few projects is
enough (a manifest, a lock, an installed dist changed) or whether the folders must be
discovered again (a project, manifest or environment appeared or went away, or a
workspace root's pyproject changed and with it, perhaps, the membership).
"""

from __future__ import annotations

from pathlib import Path

from backend.workspace.discovery import discover, project_folder_of
from backend.workspace.scanner import Scanner

NEW_FOLDER_DEPTH = 4
"""How deep a new folder is searched for projects before deciding to rediscover."""


def affected_projects(scanner: Scanner, paths: set[Path]) -> set[Path] | None:
    """Project folders to re-read, or None when a full rescan is needed. Forgets the
    parse cache of environments that changed, so their dists are read again."""
    layout = scanner.layout
    if layout is None:
        return None
    folders: set[Path] = set()
    for path in paths:
        env = environment_of(path)
        if env is not None:
            scanner.cache.forget(env)
            folders |= set(scanner.users_of_environment(env))
            continue
        if path.is_dir():
            if path not in layout.projects and discover([path], max_depth=NEW_FOLDER_DEPTH):
                return None  # a new folder that holds projects: rediscover
            continue
        folder = project_folder_of(path)
        known = layout.projects.get(folder)
        if known is None or path.name == "pyvenv.cfg":
            return None  # a new project, or a new environment: rediscover
        if path not in known.manifests or not path.exists():
            return None  # a manifest appeared or went away
        if path.name == "pyproject.toml" and folder in layout.workspace_of.values():
            return None  # workspace membership may have changed
        folders.add(folder)
        folders |= set(scanner.members_of(folder))
    return folders


def environment_of(path: Path) -> Path | None:
    """For a path inside `<env>/lib/pythonX.Y/site-packages` (or `lib64`, the link uv
    and venv make on 64-bit Linux, which is the path the watcher may report), or
    `<env>/Lib/site-packages` on Windows, the `<env>` folder."""
    parts = path.parts
    if "site-packages" not in parts:
        return None
    index = parts.index("site-packages")
    unix = index >= 2 and parts[index - 2] in ("lib", "lib64")
    cut = index - 2 if unix else index - 1
    return Path(*parts[:cut]) if cut > 0 else None
