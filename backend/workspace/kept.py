"""What the caches kept between runs (parses, scans, graphs) share: a file's identity,
the rule that a path changed only just now is not trusted, and how an entry is written
(whole or not at all) and read (anything unreadable is no entry).

A file's times move in clock ticks (milliseconds, or seconds on some file systems), so
two writes of the same size within one tick leave the same identity. What was read
from a path changed in the last `SETTLE_NS` is therefore not kept: it may change again
unseen (git calls such index entries racy).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from backend.collector import collector_paused
from backend.workspace.pruning import mark_used

Identity = tuple[int, int, int, int] | None
"""(mtime_ns, ctime_ns, size, inode) of a path, or None when there is nothing there."""

Inputs = tuple[tuple[str, Identity], ...]
"""Paths something read (or found missing, or listed), each with its identity then."""

SETTLE_NS = 2_000_000_000
"""A path changed more recently than this is not trusted to show its next change."""


def identity_of(path: Path | str) -> Identity:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


def unsettled(identities: Iterable[Identity]) -> bool:
    """Whether any of these paths changed within the last `SETTLE_NS`."""
    recent = time.time_ns() - SETTLE_NS
    return any(identity is not None and identity[0] > recent for identity in identities)


def unchanged(inputs: Inputs) -> bool:
    """Whether every path is as it was."""
    return all(identity_of(path) == identity for path, identity in inputs)


def keep_pickle(entry: Path, record: object) -> None:
    """Write `record` to `entry` whole or not at all (a crash leaves no half entry);
    a full disk or an unpicklable value leaves nothing."""
    with contextlib.suppress(OSError, pickle.PickleError, TypeError, AttributeError):
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(record, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def load_pickle(entry: Path, fields: int) -> tuple[Any, ...] | None:
    """The record `keep_pickle` wrote, read with the garbage collector paused (a kept
    lock is 100,000 objects); None when there is none yet, or it was cut short, or it
    was written by another version (of devkit, or of a class it holds)."""
    try:
        with entry.open("rb") as file, collector_paused():
            record = pickle.load(file)
            mark_used(entry, os.fstat(file.fileno()).st_mtime_ns)
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError,
            ImportError):  # fmt: skip
        return None
    return record if isinstance(record, tuple) and len(record) == fields else None
