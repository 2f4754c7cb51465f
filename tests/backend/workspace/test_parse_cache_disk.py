"""Parsed locks kept between runs: a second process skips parsing an unchanged lock,
a touched but equal one too, a changed one is parsed again, and a damaged entry is
parsed again rather than trusted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from backend.parsers.uv_lock import parse_uv_lock
from backend.workspace.parse_cache import ParseCache


def a_lock(shared_projects: Path, tmp_path: Path) -> Path:
    source = shared_projects / "NVIDIA__NeMo-Agent-Toolkit" / "uv.lock"
    lock = tmp_path / "project" / "uv.lock"
    lock.parent.mkdir()
    shutil.copy(source, lock)
    return lock


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

    text = lock.read_text().replace('[[package]]\nname = "', '[[package]]\nname = "renamed-', 1)
    lock.write_text(text)
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
