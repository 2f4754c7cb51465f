"""pylock.toml (PEP 751) and poetry.lock, checked against the real files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.parsers.poetry_lock import parse_poetry_lock
from backend.parsers.pylock import parse_pylock
from backend.parsers.records import ParseFailure


@pytest.mark.parametrize("name", ["pylock.toml", "pylock.legacy.toml"])
def test_real_pylock(shared_projects: Path, name: str) -> None:
    path = shared_projects / "0b01001001__spectree" / name
    reference = tomllib.loads(path.read_text())
    lock = parse_pylock(path)
    assert [(p.name, p.version) for p in lock.packages] == [
        (p["name"].lower().replace("_", "-"), p["version"]) for p in reference["packages"]
    ]
    assert lock.requires_python == reference["requires-python"]


def test_pylock_from_the_future_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text('lock-version = "2.0"\ncreated-by = "someone"\n')
    with pytest.raises(ParseFailure) as caught:
        parse_pylock(path)
    assert caught.value.error.line == 1 and "2.0" in caught.value.error.message


def test_real_poetry_lock(shared_projects: Path) -> None:
    path = shared_projects / "Textualize__textual" / "poetry.lock"
    lock = parse_poetry_lock(path)
    assert len(lock.packages) == 111
    aiohttp = next(p for p in lock.packages if p.name == "aiohttp")
    assert aiohttp.version == "3.13.1"
    assert {e.name for e in aiohttp.dependencies} >= {"aiohappyeyeballs", "yarl"}
