"""Whole scans kept between runs: a later scanner serves unchanged projects without
reading a file, and any change to what a project's scan looked at (a file it read, an
included requirements file, a lock or environment that appeared) reads that project,
and only that one, again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.workspace import scan_cache
from backend.workspace.scanner import ProjectScan, Scanner
from tests.helpers import aged


@pytest.fixture
def workspace(shared_projects: Path, tmp_path: Path) -> Path:
    root = tmp_path / "work"
    flask = root / "flask"
    flask.mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(shared_projects / "pallets__flask" / name, flask / name)
    shutil.copytree(shared_projects / "0b01001001__spectree", root / "spectree")
    pinned = root / "pinned"
    pinned.mkdir()
    (pinned / "requirements.txt").write_text("-r base.txt\nrich==13.7.1\n")
    (pinned / "base.txt").write_text("attrs==23.1.0\n")
    (pinned / ".venv" / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    aged(root)
    return root


def scanned(root: Path, cache: Path) -> tuple[Scanner, dict[str, ProjectScan]]:
    scanner = Scanner(cache_dir=cache)
    scans = scanner.scan_all([root])
    return scanner, {scan.path.name: scan for scan in scans}


def without_timings(scan: ProjectScan) -> ProjectScan:
    scan.timings = []
    return scan


def test_a_later_scan_of_unchanged_projects_reads_no_file(workspace: Path, tmp_path: Path) -> None:
    first, before = scanned(workspace, tmp_path / "cache")
    assert first.kept.hits == 0 and first.cache.misses > 0

    later, after = scanned(workspace, tmp_path / "cache")
    assert later.kept.hits == len(before) == 3
    assert later.cache.misses == 0
    assert {n: without_timings(s) for n, s in after.items()} == {
        n: without_timings(s) for n, s in before.items()
    }
    assert after["flask"].locked and after["pinned"].locked["attrs"] == ["23.1.0"]


def _edit_included(root: Path) -> None:
    (root / "pinned" / "base.txt").write_text("attrs==24.2.0\n")


def _add_environment(root: Path) -> None:
    """The folder was there; its marker file makes it an environment."""
    (root / "pinned" / ".venv" / "pyvenv.cfg").write_text("version_info = 3.11.7\n")


def _add_pylock(root: Path) -> None:
    shutil.copy(root / "spectree" / "pylock.toml", root / "pinned" / "pylock.extra.toml")


def _remove_lock(root: Path) -> None:
    (root / "flask" / "uv.lock").unlink()


@pytest.mark.parametrize(
    ("change", "project", "check"),
    [
        (_edit_included, "pinned", lambda s: s.locked["attrs"] == ["24.2.0"]),
        (_add_environment, "pinned", lambda s: s.environment is not None),
        (_add_pylock, "pinned", lambda s: s.lock_file is not None),
        (_remove_lock, "flask", lambda s: s.lock_file is None and not s.locked),
    ],
    ids=["included-file-edited", "environment-created", "lock-added", "lock-removed"],
)
def test_a_change_to_what_a_scan_looked_at_reads_that_project_again(
    workspace: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    project: str,
    check: Callable[[ProjectScan], bool],
) -> None:
    _, before = scanned(workspace, tmp_path / "cache")
    assert not check(before[project])
    change(workspace)
    later, after = scanned(workspace, tmp_path / "cache")
    assert check(after[project])
    assert later.kept.hits == len(after) - 1


def test_a_scan_of_a_file_changed_just_now_is_not_kept(workspace: Path, tmp_path: Path) -> None:
    """Two writes of one size within a clock tick leave one identity, so a scan that
    read a file changed just now is not trusted to show that file's next change."""
    _edit_included(workspace)
    scanned(workspace, tmp_path / "cache")
    again, after = scanned(workspace, tmp_path / "cache")
    assert again.kept.hits == 2  # `pinned` was read again: its scan was not kept
    assert after["pinned"].locked["attrs"] == ["24.2.0"]

    aged(workspace)  # settled now
    scanned(workspace, tmp_path / "cache")
    settled, _ = scanned(workspace, tmp_path / "cache")
    assert settled.kept.hits == 3


def test_an_entry_written_by_other_code_is_not_read(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned(workspace, tmp_path / "cache")
    monkeypatch.setattr(scan_cache, "code_digest", lambda: "another version")
    later, _ = scanned(workspace, tmp_path / "cache")
    assert later.kept.hits == 0


def test_a_damaged_entry_is_read_again(workspace: Path, tmp_path: Path) -> None:
    scanned(workspace, tmp_path / "cache")
    for entry in (tmp_path / "cache" / "scans").iterdir():
        entry.write_bytes(entry.read_bytes()[:50])  # cut short, as by a full disk
    later, after = scanned(workspace, tmp_path / "cache")
    assert later.kept.hits == 0 and after["flask"].locked
