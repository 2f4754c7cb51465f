"""The cache folder does not grow forever: what no scan has read for a month goes (the
project was deleted or moved), what the scans still read stays however old it is, a
write a killed process left half done goes, and the folder is looked through at most
once a day."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from backend.workspace import pruning
from backend.workspace.scanner import Scanner
from tests.helpers import aged


@pytest.fixture
def workspace(shared_projects: Path, tmp_path: Path) -> Path:
    root = tmp_path / "work"
    for name in ("pallets__flask", "0b01001001__spectree"):
        shutil.copytree(shared_projects / name, root / name)
    aged(root)
    return root


def entries(cache: Path) -> set[Path]:
    return {p for p in cache.rglob("*") if p.suffix in (".pickle", ".tmp")}


def backdate(paths: set[Path] | list[Path], days: float) -> None:
    past = time.time_ns() - int(days * pruning.DAY_NS)
    for path in paths:
        os.utime(path, ns=(past, past))


def scan(root: Path, cache: Path) -> Scanner:
    scanner = Scanner(cache_dir=cache)
    scanner.scan_all([root])
    return scanner


def test_entries_no_scan_reads_go_and_the_ones_it_reads_stay(
    workspace: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    spectree = workspace / "0b01001001__spectree"
    scan(workspace, cache)
    kept = entries(cache)
    assert kept and (cache / pruning.MARKER).exists()

    shutil.rmtree(spectree)  # its entries are read by no scan from now on
    backdate(kept, days=40)
    backdate([cache / pruning.MARKER], days=2)
    later = scan(workspace, cache)

    left = entries(cache)
    assert left and left < kept  # spectree's went, flask's stayed
    projects = len(later.layout.projects) if later.layout else 0
    assert projects and later.kept.hits == projects  # flask's scans were read: still used
    again = scan(workspace, cache)
    assert again.kept.hits == projects and again.cache.misses == 0  # nothing parsed again


def test_a_half_written_entry_goes_once_abandoned(workspace: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan(workspace, cache)
    abandoned, in_progress = cache / "tmpold.tmp", cache / "scans" / "tmpnew.tmp"
    abandoned.write_bytes(b"\x80half")
    in_progress.write_bytes(b"\x80half")
    backdate([abandoned], days=1)
    backdate([cache / pruning.MARKER], days=2)

    scan(workspace, cache)
    assert not abandoned.exists()
    assert in_progress.exists()  # another process may still be writing it


def test_the_folder_is_pruned_at_most_once_a_day(workspace: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan(workspace, cache)
    kept = entries(cache)
    backdate(kept, days=40)  # all due, but the marker is from this very scan
    shutil.rmtree(workspace / "0b01001001__spectree")
    scan(workspace, cache)
    assert entries(cache) == kept
    assert pruning.prune_daily(cache) is None  # not due
    assert pruning.prune_daily(None) is None and pruning.prune_daily(tmp_path / "none") is None


def test_reading_an_entry_moves_its_time_once_a_day(tmp_path: Path) -> None:
    entry = tmp_path / "entry.pickle"
    entry.write_bytes(b"")
    backdate([entry], days=0.5)
    before = entry.stat().st_mtime_ns
    pruning.mark_used(entry, before)
    assert entry.stat().st_mtime_ns == before  # marked less than a day ago: no write
    backdate([entry], days=3)
    pruning.mark_used(entry, entry.stat().st_mtime_ns)
    assert time.time_ns() - entry.stat().st_mtime_ns < pruning.DAY_NS
