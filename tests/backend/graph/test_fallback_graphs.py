"""Projects without a uv.lock still get a tree: from pylock.toml, else from what is
installed in their environment (Requires-Dist), through the same CLI contract."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from backend.graph.fallbacks import graph_from_environment
from backend.graph.markers import marker_environment
from backend.parsers.environment import scan_environment
from tests.helpers import REPOSITORY, add_dist, make_venv, site_packages


def tree_json(folder: Path, db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "tree", str(folder), "--json", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_pylock_without_uv_lock(shared_projects: Path, tmp_path: Path) -> None:
    project = tmp_path / "spectree"
    project.mkdir()
    for name in ("pyproject.toml", "pylock.toml"):
        shutil.copy(shared_projects / "0b01001001__spectree" / name, project / name)
    document = tree_json(project, tmp_path / "db.sqlite3")
    assert document["source"] == "pylock.toml" and document["project"] == "spectree"
    direct = {e["child"]: e for e in document["edges"] if e["parent"] == "spectree"}
    # Versions come from the pylock, specifiers and groups from pyproject.toml.
    assert direct["pydantic"]["child_version"] == "2.11.7"
    assert direct["pydantic"]["specifier"] and direct["pydantic"]["group"] == "main"
    assert {"extra:flask", "extra:falcon"} <= {e["group"] for e in direct.values()}
    assert not any("missing" in e["flags"] for e in direct.values() if e["active"])


def environment_project(tmp_path: Path) -> Path:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        "[project]\n"
        'name = "svc"\nversion = "1.0"\n'
        'dependencies = ["alpha>=1", "absent"]\n'
        "[project.optional-dependencies]\n"
        'fast = ["speedy"]\n'
        "[dependency-groups]\n"
        'test = ["checker==2.0"]\n'
    )
    venv = make_venv(project / ".venv", {})
    site = site_packages(venv)
    add_dist(
        site,
        "alpha",
        "1.5",
        requires=(
            "gamma>=3",
            "winonly; sys_platform == 'win32'",
            'rocket; extra == "boost"',
        ),
    )
    add_dist(site, "gamma", "2.0")
    add_dist(site, "speedy", "1.0", requires=("alpha",))
    add_dist(site, "checker", "1.0")
    add_dist(site, "rocket", "9.0")
    return project


def test_environment_graph_from_requires_dist(tmp_path: Path) -> None:
    project = environment_project(tmp_path)
    document = tree_json(project, tmp_path / "db.sqlite3")
    assert document["source"] == "environment"
    edges = {(e["parent"], e["child"]): e for e in document["edges"]}
    assert edges[("svc", "alpha")]["child_version"] == "1.5"
    assert edges[("svc", "speedy")]["group"] == "extra:fast"
    # checker 1.0 is installed but the group pins ==2.0: possibly conflicting.
    assert edges[("svc", "checker")]["group"] == "group:test"
    assert "conflict" in edges[("svc", "checker")]["flags"]
    # gamma>=3 required by alpha, 2.0 installed.
    assert edges[("alpha", "gamma")]["specifier"] == ">=3"
    assert "conflict" in edges[("alpha", "gamma")]["flags"]
    # A requirement for another platform stays, dimmed, and is not "missing here".
    assert edges[("alpha", "winonly")]["active"] is False
    assert "missing" in edges[("svc", "absent")]["flags"]
    # speedy -> alpha closes no cycle; alpha's extra is not requested, so no rocket.
    assert ("alpha", "rocket") not in edges
    assert "conflict" in {f for n in document["nodes"] if n["name"] == "gamma" for f in n["flags"]}


def test_requested_extra_of_an_installed_dist(tmp_path: Path) -> None:
    project = environment_project(tmp_path)
    text = (project / "pyproject.toml").read_text().replace('"alpha>=1"', '"alpha[boost]>=1"')
    (project / "pyproject.toml").write_text(text)
    document = tree_json(project, tmp_path / "db.sqlite3", "--package", "alpha")
    edges = {(e["parent"], e["child"]): e for e in document["edges"]}
    assert edges[("alpha", "rocket")]["group"] == "extra:boost"
    assert edges[("alpha", "rocket")]["active"] is True


def test_environment_without_declarations_shows_top_level_dists(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / ".venv", {})
    site = site_packages(venv)
    add_dist(site, "top", "1.0", requires=("leaf",))
    add_dist(site, "leaf", "1.0")
    add_dist(site, "loner", "3.0")
    graph = graph_from_environment(scan_environment(venv), "bare", [], marker_environment("3.11"))
    assert {e.child for e in graph.children(graph.root)} == {("top", "1.0"), ("loner", "3.0")}
    assert [e.child for e in graph.children(("top", "1.0"))] == [("leaf", "1.0")]
