"""Shared fixtures: the reference data in ../shared, a private database, workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.demo import build_demo_workspace

pytest_plugins = ["tests.support.update_fixtures"]
"""The local package index and uv kept quiet, for every test that runs uv."""

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PROJECTS = SHARED / "projects"


@pytest.fixture(autouse=True)
def private_database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test writes to its own database, never to the user's data folder."""
    path = tmp_path_factory.mktemp("db") / "devkit.sqlite3"
    monkeypatch.setenv("DEVKIT_DB", str(path))
    monkeypatch.setenv("DEVKIT_CACHE", str(path.parent / "cache"))  # nor to its cache
    return path


@pytest.fixture
def shared_projects() -> Path:
    """The real lock files and manifests of ../shared/data/projects."""
    if not PROJECTS.is_dir():
        pytest.skip(f"reference data not found at {PROJECTS} (it lives beside the repository)")
    return PROJECTS


@pytest.fixture
def demo_workspace(tmp_path: Path) -> Path:
    return build_demo_workspace(tmp_path / "demo")
