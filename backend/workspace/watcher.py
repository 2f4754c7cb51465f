"""Watch the roots for changes to manifests, locks and environments (watchfiles).

Each folder is watched on its own, not recursively: every folder of the roots a project
may live in, and of each environment only the environment itself, its `lib` folders and
its `site-packages`, where an install, an upgrade or an uninstall adds or removes a
`*.dist-info` folder. The thousands of files of installed packages are never watched,
so an environment costs a handful of watches, and a write inside one makes no event.
When a folder appears or goes away the folders are walked again and the watch restarts.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from pathlib import Path

from watchfiles import Change, awatch

from backend.setting_names import BUNDLE_FILE
from backend.workspace.discovery import SKIP_DIRS, is_manifest_path

ChangeHandler = Callable[[set[Path]], Awaitable[None]]


def relevant_filter(roots: list[Path], span_pattern: str = "") -> Callable[[Change, str], bool]:
    """A watchfiles filter: manifests, locks, dist-info folders inside environments,
    new folders, span files and policy bundles."""

    def relevant(change: Change, path: str) -> bool:
        full = Path(path)
        parts = full.parts
        for root in roots:
            if full.is_relative_to(root):
                parts = full.relative_to(root).parts
                break
        if not parts:
            return False
        if "site-packages" in parts:
            return any(part.endswith(".dist-info") for part in parts)
        if any(part in SKIP_DIRS for part in parts):
            return False
        if span_pattern and fnmatch.fnmatch(parts[-1], span_pattern):
            return True
        if change == Change.added and os.path.isdir(path):
            # a project that appears all at once (a clone, a copy) is found from here
            return True
        return is_manifest_path(full) or parts[-1] in ("pyvenv.cfg", BUNDLE_FILE)

    return relevant


def watched_folders(roots: Iterable[Path]) -> list[Path]:
    """The folders to watch, each on its own: every folder under the roots except the
    skipped ones, and inside an environment (a folder with `pyvenv.cfg`) only the
    folders that lead to its `site-packages` and `site-packages` itself."""
    found: dict[Path, None] = {}
    queue = [root for root in roots if root.is_dir()]
    while queue:
        folder = queue.pop()
        if folder in found:
            continue
        found[folder] = None
        children = _subfolders(folder)
        if (folder / "pyvenv.cfg").is_file():
            found.update(dict.fromkeys(_environment_folders(folder)))
            continue
        queue.extend(
            child
            for child in children
            if child.name not in SKIP_DIRS and not child.name.endswith((".egg-info", ".dist-info"))
        )
    return sorted(found)


def _environment_folders(environment: Path) -> list[Path]:
    """`lib`, `lib/pythonX.Y`, `lib/pythonX.Y/site-packages`, or `Lib` and
    `Lib/site-packages` on Windows; `lib64` is uv's and venv's link to `lib`, so it is
    not watched twice."""
    folders: list[Path] = []
    for lib in (environment / "lib", environment / "Lib"):
        if not lib.is_dir() or lib.is_symlink():
            continue
        versions = [p for p in _subfolders(lib) if p.name.startswith("python")]
        for folder in (lib, *versions):
            folders.append(folder)
            if (folder / "site-packages").is_dir():
                folders.append(folder / "site-packages")
    return folders


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _moves_folders(changes: set[tuple[Change, str]], watched: set[Path]) -> bool:
    """Whether a batch means the folders to watch changed: a folder appeared outside
    site-packages, a watched one went away, or an environment came or went."""
    for change, raw in changes:
        path = Path(raw)
        if path.name == "pyvenv.cfg":
            return True
        if change == Change.deleted and path in watched:
            return True
        if change == Change.added and "site-packages" not in path.parts and path.is_dir():
            return True
    return False


async def watch_roots(
    roots: list[Path], on_change: ChangeHandler, stop: asyncio.Event, span_pattern: str = ""
) -> None:
    """Call `on_change` with each burst of relevant changed paths until `stop` is set."""
    existing = [r for r in roots if r.exists()]
    if not existing:
        return
    relevant = relevant_filter(existing, span_pattern)
    watched: set[Path] = set()
    while not stop.is_set():
        folders = await asyncio.to_thread(watched_folders, existing)
        appeared = set(folders) - watched if watched else set()
        watched = set(folders)
        bursts = awatch(
            *folders,
            watch_filter=relevant,
            debounce=400,
            step=100,  # how often the watcher wakes to look; the debounce bounds the latency
            stop_event=stop,
            recursive=False,
            ignore_permission_denied=True,
        )
        first = asyncio.ensure_future(anext(bursts))
        await asyncio.sleep(0)  # awatch sets its watches up before it first waits
        if appeared:  # read again what was written in them before they were watched
            await on_change(appeared)
        try:
            if not await _follow(bursts, first, watched, on_change):
                return
        finally:
            await bursts.aclose()


async def _follow(
    bursts: AsyncGenerator[set[tuple[Change, str]], None],
    first: asyncio.Future[set[tuple[Change, str]]],
    watched: set[Path],
    on_change: ChangeHandler,
) -> bool:
    """Hand each burst on; True when the folders to watch changed (walk them again)."""
    try:
        changes = await first
        while True:
            moved = _moves_folders(changes, watched)
            await on_change({Path(p) for _, p in changes})
            if moved:
                return True
            changes = await anext(bursts)
    except StopAsyncIteration:
        return False
