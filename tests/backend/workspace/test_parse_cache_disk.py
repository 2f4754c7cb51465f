"""Parsed locks kept between runs: a second process skips parsing an unchanged lock,
a touched but equal one too, a changed one is parsed again, and a damaged entry is
parsed again rather than trusted. A lock changed only just now, or written to while it
was parsed, is not kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from backend.parsers import uv_lock
from backend.parsers.records import Lock
from backend.parsers.uv_lock import parse_uv_lock
from backend.workspace.parse_cache import ParseCache
from tests.helpers import aged


def a_lock(shared_projects: Path, tmp_path: Path) -> Path:
    source = shared_projects / "NVIDIA__NeMo-Agent-Toolkit" / "uv.lock"
    lock = tmp_path / "project" / "uv.lock"
    lock.parent.mkdir()
    shutil.copy(source, lock)
    aged(lock)
    return lock


def renamed(lock: Path) -> str:
    return lock.read_text().replace('[[package]]\nname = "', '[[package]]\nname = "renamed-', 1)


def test_an_unchanged_lock_is_read_from_the_cache(shared_projects: Path, tmp_path: Path) -> None:
    lock, folder = a_lock(shared_projects, tmp_path), tmp_path / "cache"
    first = ParseCache(folder)
    parsed = first.get(lock, parse_uv_lock)
    assert (first.misses, first.disk_hits) == (1, 0)

    later = ParseCache(folder)  # as the next process would
    assert later.get(lock, parse_uv_lock) == parsed
    assert (later.misses, later.disk_hits) == (0, 1)

    stamp = lock.stat().st_mtime_ns + 5_000_000_000
    os.utime(lock, ns=(stamp, stamp))  # touched, the same content
    touched = ParseCache(folder)
    assert touched.get(lock, parse_uv_lock) == parsed and touched.misses == 0

    lock.write_text(renamed(lock))
    changed = ParseCache(folder)
    reparsed = changed.get(lock, parse_uv_lock)
    assert changed.misses == 1 and reparsed != parsed
    assert any(p.name.startswith("renamed-") for p in reparsed.packages)


def test_a_damaged_entry_is_parsed_again(shared_projects: Path, tmp_path: Path) -> None:
    lock, folder = a_lock(shared_projects, tmp_path), tmp_path / "cache"
    ParseCache(folder).get(lock, parse_uv_lock)
    (entry,) = folder.iterdir()
    entry.write_bytes(entry.read_bytes()[:100])  # cut short, as by a full disk
    again = ParseCache(folder)
    assert again.get(lock, parse_uv_lock).packages and again.misses == 1


def test_without_a_folder_nothing_is_written(shared_projects: Path, tmp_path: Path) -> None:
    lock = a_lock(shared_projects, tmp_path)
    ParseCache().get(lock, parse_uv_lock)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_a_lock_changed_just_now_is_parsed_but_not_kept(
    shared_projects: Path, tmp_path: Path
) -> None:
    """Within one clock tick a second write of the same size would go unseen."""
    lock, folder = a_lock(shared_projects, tmp_path), tmp_path / "cache"
    lock.write_text(renamed(lock))  # now: not settled
    ParseCache(folder).get(lock, parse_uv_lock)
    assert not folder.exists() or not any(folder.iterdir())
    aged(lock)
    ParseCache(folder).get(lock, parse_uv_lock)
    later = ParseCache(folder)
    later.get(lock, parse_uv_lock)
    assert later.disk_hits == 1


def test_a_lock_written_while_parsed_is_not_kept(shared_projects: Path, tmp_path: Path) -> None:
    """The kept value must be of the content whose hash it is kept under."""
    lock, folder = a_lock(shared_projects, tmp_path), tmp_path / "cache"
    edits = [renamed(lock)]

    def parse_uv_lock(path: Path) -> Lock:  # a kept parser's name
        parsed = uv_lock.parse_uv_lock(path)
        if edits:
            path.write_text(edits.pop())  # an editor saving, mid-parse
        return parsed

    first = ParseCache(folder).get(lock, parse_uv_lock)
    assert not any(p.name.startswith("renamed-") for p in first.packages)
    later = ParseCache(folder)
    again = later.get(lock, parse_uv_lock)
    assert later.misses == 1 and any(p.name.startswith("renamed-") for p in again.packages)
