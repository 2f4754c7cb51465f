"""Watch the roots for changes to manifests, locks and environments (watchfiles)."""

from __future__ import annotations

import asyncio
import fnmatch
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, awatch

from backend.workspace.discovery import SKIP_DIRS, is_manifest_name

ChangeHandler = Callable[[set[Path]], Awaitable[None]]


def relevant_filter(roots: list[Path], span_pattern: str = "") -> Callable[[Change, str], bool]:
    """A watchfiles filter: manifests, locks, dist-info folders inside environments,
    and span files."""

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
            # inotify sees files in a new folder only once it watches that folder, so
            # a project that appears all at once (a clone, a copy) is found from here.
            return True
        return is_manifest_name(parts[-1]) or parts[-1] == "pyvenv.cfg"

    return relevant


async def watch_roots(
    roots: list[Path], on_change: ChangeHandler, stop: asyncio.Event, span_pattern: str = ""
) -> None:
    """Call `on_change` with each burst of relevant changed paths until `stop` is set."""
    existing = [r for r in roots if r.exists()]
    if not existing:
        return
    async for changes in awatch(
        *existing,
        watch_filter=relevant_filter(existing, span_pattern),
        debounce=400,
        step=100,  # how often the watcher wakes to look; the debounce bounds the latency anyway
        stop_event=stop,
        recursive=True,
    ):
        await on_change({Path(p) for _, p in changes})
