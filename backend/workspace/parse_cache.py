"""Parse each file once per content: results keyed by path, size and mtime.

A watched workspace re-reads one project at a time; the large shared workspace
lock (hundreds of milliseconds to parse) must not be read again for each member.

With a folder, lock files' results also outlive the process (`devkit-tui tree` run
again skips parsing an unchanged lock): one pickle per file and parser, valid while
the file's identity is the same or, when that changed (a checkout, a `touch`), its
content hash still is, and while the parser's own code is the one that wrote it. The
folder is the user's own cache folder, as trusted as the code that reads it.

A result is kept only when the file had settled (see `kept`) and its identity did not
move while it was parsed and hashed: the entry's identity, content hash and value then
describe one and the same content.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from backend.parsers.records import FileError, ParseFailure
from backend.workspace.kept import identity_of, keep_pickle, load_pickle, unsettled

T = TypeVar("T")


class ParseCache:
    """A memo of parser results (and parse failures) that expires when a file changes."""

    def __init__(self, folder: Path | None = None) -> None:
        self._entries: dict[tuple[Path, Callable[..., Any]], tuple[tuple[int, ...], Any]] = {}
        self.misses = 0
        """Parses actually run; a caller compares it before and after to tell a hit."""
        self.folder = folder
        """Where lock files' results are kept between runs (None: in memory only)."""
        self.disk_hits = 0

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
        elif (kept := self._from_disk(path, parser, stamp_key, stamp)) is not None:
            self.disk_hits += 1
            value = kept
            self._entries[key] = (stamp_key, value)
        else:
            self.misses += 1
            try:
                value = parser(path)
            except ParseFailure as failure:
                value = failure
            self._entries[key] = (stamp_key, value)
            if not isinstance(value, ParseFailure):
                self._to_disk(path, parser, stamp_key, stamp, value)
        if isinstance(value, ParseFailure):
            raise value
        return value

    def forget(self, path: Path) -> None:
        """Drop every cached result for `path` (it was deleted or replaced)."""
        for key in [k for k in self._entries if k[0] == path]:
            del self._entries[key]

    # -- between runs ----------------------------------------------------------------

    def _entry(self, path: Path, parser: Callable[..., Any], stamp: Path | None) -> Path | None:
        if self.folder is None or stamp is not None or parser.__name__ not in KEPT_PARSERS:
            return None
        name = f"{path.absolute()}\0{parser.__module__}.{parser.__qualname__}"
        return self.folder / f"{hashlib.sha256(name.encode()).hexdigest()[:40]}.pickle"

    def _from_disk(
        self, path: Path, parser: Callable[..., Any], stamp_key: tuple[int, ...], stamp: Path | None
    ) -> Any:
        entry = self._entry(path, parser, stamp)
        if entry is None:
            return None
        record = load_pickle(entry, 4)
        if record is None:
            return None  # parse again
        code, identity, digest, value = record
        if code != _code_digest(parser):
            return None
        if identity == stamp_key:
            return value
        try:
            same = _content_digest(path) == digest
        except OSError:
            return None
        if same:
            self._to_disk(path, parser, stamp_key, None, value, digest)
        return value if same else None

    def _to_disk(
        self,
        path: Path,
        parser: Callable[..., Any],
        stamp_key: tuple[int, ...],
        stamp: Path | None,
        value: Any,
        digest: str | None = None,
    ) -> None:
        """Keep the result, written whole or not at all (a crash leaves no half entry),
        when the file had settled and stayed as it was while it was parsed and hashed."""
        entry = self._entry(path, parser, stamp)
        if entry is None or unsettled([stamp_key]):
            return
        with contextlib.suppress(OSError):
            digest = digest or _content_digest(path)
            if identity_of(path) != stamp_key:
                return  # written to meanwhile: the value may be of other content
            keep_pickle(entry, (_code_digest(parser), stamp_key, digest, value))


KEPT_PARSERS = {"parse_uv_lock", "parse_pylock", "parse_poetry_lock", "parse_pyproject"}
"""Results worth keeping between runs: locks, large and slow to parse, and
pyproject.toml, whose every requirement string is parsed by `packaging` (200 of them
took ~190 ms; loading them kept takes a third of that). Requirements files are quick
to read, and an environment changes with every install."""


def _content_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()


@cache
def _code_digest(parser: Callable[..., Any]) -> str:
    """Every parser module's source (the parser, the records it builds, the helpers it
    calls): an entry written by other code is not read."""
    module = sys.modules.get(parser.__module__)
    folder = Path(getattr(module, "__file__", "") or ".").parent
    digest = hashlib.blake2b(digest_size=16)
    for source in sorted(folder.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()
