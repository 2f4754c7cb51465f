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

A scan that read a path changed in the last two seconds is not kept (see `kept`).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from backend.workspace.kept import Inputs, keep_pickle, load_pickle, unchanged, unsettled

CODE_PACKAGES = ("parsers", "workspace", "graph", "config")
"""The backend packages whose code decides what a scan holds."""


class ScanCache:
    """Scans by key (the folder and what discovery said of it), in `folder/scans`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "scans" if folder is not None else None
        self.hits = 0

    def get(self, key: tuple[Any, ...]) -> Any:
        """The kept scan (a `ProjectScan`) for `key`, when every path it depended on is
        unchanged; None otherwise."""
        entry = self._entry(key)
        if entry is None:
            return None
        record = load_pickle(entry, 4)
        if record is None:
            return None
        code, kept_key, inputs, scan = record
        if code != code_digest() or kept_key != key:
            return None
        if not unchanged(inputs):
            return None
        self.hits += 1
        return scan

    def put(self, key: tuple[Any, ...], inputs: Inputs, scan: object) -> None:
        """Keep `scan`, written whole or not at all (a crash leaves no half entry),
        unless a path it read has only just changed."""
        entry = self._entry(key)
        if entry is None or unsettled(identity for _, identity in inputs):
            return
        keep_pickle(entry, (code_digest(), key, inputs, scan))

    def _entry(self, key: tuple[Any, ...]) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.blake2b(repr(key).encode(), digest_size=20).hexdigest()
        return self.folder / f"{name}.pickle"


def interpreter() -> tuple[str, str, str]:
    """What marker evaluation reads from this interpreter (`expected` depends on it)."""
    return (sys.version, sys.platform, os.uname().machine if hasattr(os, "uname") else "")


@cache
def code_digest() -> str:
    """The source of every module that shapes a scan: an entry written by other code
    is not read."""
    backend = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=16)
    for package in CODE_PACKAGES:
        for source in sorted((backend / package).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()
