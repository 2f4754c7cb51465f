"""Dependency graphs kept between runs for a one-project question: a later process
gets the very graph it would build, and builds it again when the lock changed or the
entry was written by other code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backend.workspace import graphs
from backend.workspace.graphs import GraphCache
from backend.workspace.scanner import Scanner
from tests.helpers import aged


@pytest.fixture
def project(shared_projects: Path, tmp_path: Path) -> Path:
    flask = tmp_path / "flask"
    flask.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(shared_projects / "pallets__flask" / name, flask / name)
    aged(flask)
    return flask


def graph_cache(project: Path, cache: Path) -> GraphCache:
    """What `tree PROJECT` does in a new process: the project scanned alone."""
    scanner = Scanner(cache_dir=cache)
    scan = scanner.scan_one(project)
    assert scan is not None
    return GraphCache(lambda: {scan.path: scan}, scanner.cache, cache)


def test_a_later_run_gets_the_graph_it_would_build(project: Path, tmp_path: Path) -> None:
    first = graph_cache(project, tmp_path / "cache")
    built = first.graph(project)
    assert built is not None and first.kept_hits == 0

    later = graph_cache(project, tmp_path / "cache")
    kept = later.graph(project)
    assert later.kept_hits == 1
    assert kept == built and kept is not None and len(kept.nodes) > 10


def test_a_changed_lock_builds_the_graph_again(project: Path, tmp_path: Path) -> None:
    graph_cache(project, tmp_path / "cache").graph(project)
    lock = project / "uv.lock"
    lock.write_text(lock.read_text().replace('name = "blinker"', 'name = "blinker-renamed"'))
    aged(project)
    later = graph_cache(project, tmp_path / "cache")
    graph = later.graph(project)
    assert later.kept_hits == 0
    assert graph is not None and any(name == "blinker-renamed" for name, _ in graph.nodes)


@pytest.mark.parametrize("name", ["code_digest", "interpreter"])
def test_a_graph_kept_by_other_code_or_python_is_not_read(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    graph_cache(project, tmp_path / "cache").graph(project)
    monkeypatch.setattr(graphs, name, lambda: "another version")
    later = graph_cache(project, tmp_path / "cache")
    assert later.graph(project) is not None and later.kept_hits == 0


def test_a_project_changed_just_now_keeps_no_graph(project: Path, tmp_path: Path) -> None:
    (project / "pyproject.toml").touch()
    graph_cache(project, tmp_path / "cache").graph(project)
    assert not (tmp_path / "cache" / "graphs").exists()
