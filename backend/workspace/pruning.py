"""The cache folder kept from growing: an entry no run has read for `UNUSED_FOR_NS` (its
project moved, was deleted, or was a scratch folder once scanned) is removed, and so is
a temporary file a killed writer left behind. Reading an entry marks it used (its
modification time, moved at most once a day); pruning looks at most once a day.

Entries are keyed by path, so a file edited a thousand times still has one entry: what
piles up is paths, not versions.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

DAY_NS = 86_400 * 10**9
UNUSED_FOR_NS = 30 * DAY_NS
"""An entry unread this long is pruned."""
ABANDONED_FOR_NS = 3_600 * 10**9
"""A `.tmp` file this old is a write that never finished (the writer was killed)."""
MARKER = ".pruned"
"""Its modification time says when the folder was last pruned."""
KEPT_IN = ("", "scans", "graphs")
"""The folders under the cache folder that hold entries."""


def mark_used(entry: Path, modified_ns: int, now_ns: int | None = None) -> None:
    """Record that `entry` was read, unless that was already recorded today."""
    now_ns = now_ns or time.time_ns()
    if now_ns - modified_ns > DAY_NS:
        with contextlib.suppress(OSError):
            os.utime(entry, ns=(now_ns, now_ns))


def prune_daily(folder: Path | None, now_ns: int | None = None) -> int | None:
    """Prune `folder` unless that was done in the last day; how many files went (None:
    not due, or no folder)."""
    if folder is None:
        return None
    now_ns = now_ns or time.time_ns()
    marker = folder / MARKER
    try:
        if now_ns - marker.stat().st_mtime_ns < DAY_NS:
            return None
    except FileNotFoundError:
        if not folder.is_dir():
            return None  # nothing kept yet
    except OSError:
        return None
    with contextlib.suppress(OSError):
        marker.touch()
        os.utime(marker, ns=(now_ns, now_ns))
    return prune(folder, now_ns)


def prune(folder: Path, now_ns: int | None = None) -> int:
    """Remove entries unread for `UNUSED_FOR_NS` and abandoned temporary files."""
    now_ns = now_ns or time.time_ns()
    removed = 0
    for sub in KEPT_IN:
        try:
            files = list(os.scandir(folder / sub))
        except OSError:
            continue
        for file in files:
            if file.name.endswith(".pickle"):
                limit = UNUSED_FOR_NS
            elif file.name.endswith(".tmp"):
                limit = ABANDONED_FOR_NS
            else:
                continue
            with contextlib.suppress(OSError):
                if now_ns - file.stat().st_mtime_ns > limit:
                    os.unlink(file.path)
                    removed += 1
    return removed
