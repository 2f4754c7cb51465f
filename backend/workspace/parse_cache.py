"""Parse each file once per content: results keyed by path, size and mtime.

A watched workspace re-reads one project at a time; the large shared workspace
lock (hundreds of milliseconds to parse) must not be read again for each member.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from backend.parsers.records import FileError, ParseFailure

T = TypeVar("T")


class ParseCache:
    """A memo of parser results (and parse failures) that expires when a file changes."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Path, Callable[..., Any]], tuple[tuple[int, ...], Any]] = {}
        self.misses = 0
        """Parses actually run; a caller compares it before and after to tell a hit."""

    def get(self, path: Path, parser: Callable[[Path], T], stamp: Path | None = None) -> T:
        """Return `parser(path)`, reusing the last result while the file is unchanged.

        `stamp` names another path whose change expires the entry (an environment
        is stamped by its site-packages folder, which changes on every install).
        """
        try:
            stat = os.stat(stamp or path)
        except OSError as exc:
            raise ParseFailure(FileError(str(path), None, f"cannot read: {exc.strerror}")) from None
        key = (path, parser)
        stamp_key = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
        cached = self._entries.get(key)
        if cached is not None and cached[0] == stamp_key:
            value = cached[1]
        else:
            self.misses += 1
            try:
                value = parser(path)
            except ParseFailure as failure:
                value = failure
            self._entries[key] = (stamp_key, value)
        if isinstance(value, ParseFailure):
            raise value
        return value

    def forget(self, path: Path) -> None:
        """Drop every cached result for `path` (it was deleted or replaced)."""
        for key in [k for k in self._entries if k[0] == path]:
            del self._entries[key]
