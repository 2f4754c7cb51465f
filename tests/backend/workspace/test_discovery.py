"""Discovery: which folders are projects, what is skipped, symlink loops, depth."""

from __future__ import annotations

import os
from pathlib import Path

from backend.workspace.discovery import discover
from tests.helpers import make_venv


def touch(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_finds_each_kind_and_skips_tool_folders(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "pyproject.toml")
    touch(tmp_path / "b" / "setup.cfg")
    touch(tmp_path / "c" / "requirements-dev.txt")
    touch(tmp_path / "d" / "poetry.lock")
    touch(tmp_path / "e" / "pylock.toml")
    touch(tmp_path / "f" / "setup.py")
    for skipped in (".git", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox"):
        touch(tmp_path / "a" / skipped / "x" / "pyproject.toml")
    venv = make_venv(tmp_path / "a" / ".venv", {})
    touch(venv / "lib" / "python3.11" / "site-packages" / "pkg" / "pyproject.toml")
    found = [p.path.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a", "b", "c", "d", "e", "f"]


def test_symlink_loops_end(tmp_path: Path) -> None:
    touch(tmp_path / "proj" / "pyproject.toml")
    os.symlink(tmp_path, tmp_path / "proj" / "loop")
    os.symlink(tmp_path / "proj", tmp_path / "again")
    found = discover([tmp_path])
    assert [p.path.name for p in found] == ["proj"]


def test_max_depth(tmp_path: Path) -> None:
    touch(tmp_path / "one" / "two" / "three" / "pyproject.toml")
    assert discover([tmp_path], max_depth=2) == []
    assert len(discover([tmp_path], max_depth=3)) == 1


def test_shared_projects_count(shared_projects: Path) -> None:
    found = discover([shared_projects])
    pyprojects = list(shared_projects.rglob("pyproject.toml"))
    folders = {p.parent for p in pyprojects}
    assert folders <= {p.path for p in found}
    assert len(found) >= 150
