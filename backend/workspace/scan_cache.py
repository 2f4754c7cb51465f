"""Each project's whole scan kept between runs, valid while every path it looked at is
as it was.

The parse cache already spares a second run the TOML parsing, but a warm `list` of
the shared projects still spent two thirds of its scan loading parsed locks only to
walk them for the few versions a project reaches. The scan itself is a tenth of the
size. An entry holds the scan and the identity (mtime, ctime, size, inode) of each
path it depended on: the files it read, the files whose absence it noted, and the
folders it listed. One changed identity, and the project is read again (the parse
cache still answers for its unchanged files).

An environment counts as its `site-packages` folder's identity, which every install
and removal changes; that is the rule the parse cache keeps within a process too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.collector import collector_paused

if TYPE_CHECKING:
    from backend.workspace.scanner import ProjectScan

Identity = tuple[int, int, int, int] | None
"""(mtime_ns, ctime_ns, size, inode) of a path, or None when there is nothing there."""

CODE_PACKAGES = ("parsers", "workspace", "graph", "config")
"""The backend packages whose code decides what a scan holds."""


def identity_of(path: Path | str) -> Identity:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


class ScanCache:
    """Scans by key (the folder and what discovery said of it), in `folder/scans`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "scans" if folder is not None else None
        self.hits = 0

    def get(self, key: tuple[Any, ...]) -> ProjectScan | None:
        """The kept scan for `key` when every path it depended on is unchanged."""
        entry = self._entry(key)
        if entry is None:
            return None
        try:
            with entry.open("rb") as file, collector_paused():
                code, kept_key, inputs, scan = pickle.load(file)
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError,
                ImportError):  # fmt: skip
            return None  # none yet, or written by another version
        if code != _code_digest() or kept_key != key:
            return None
        if any(identity_of(path) != identity for path, identity in inputs):
            return None
        self.hits += 1
        return scan  # type: ignore[no-any-return]

    def put(self, key: tuple[Any, ...], inputs: dict[str, Identity], scan: ProjectScan) -> None:
        """Keep `scan`, written whole or not at all (a crash leaves no half entry)."""
        entry = self._entry(key)
        if entry is None:
            return
        record = (_code_digest(), key, tuple(inputs.items()), scan)
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

    def _entry(self, key: tuple[Any, ...]) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.blake2b(repr(key).encode(), digest_size=20).hexdigest()
        return self.folder / f"{name}.pickle"


def interpreter() -> tuple[str, str, str]:
    """What marker evaluation reads from this interpreter (`expected` depends on it)."""
    return (sys.version, sys.platform, os.uname().machine if hasattr(os, "uname") else "")


@cache
def _code_digest() -> str:
    """The source of every module that shapes a scan: an entry written by other code
    is not read."""
    backend = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=16)
    for package in CODE_PACKAGES:
        for source in sorted((backend / package).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()
