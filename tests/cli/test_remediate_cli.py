"""`devkit-tui remediate`: projects degraded on purpose with the real uv on the local
index (a stale lock, an environment out of sync, two projects on different versions
of one package, a failing check); each indicator's strategies, the plan, the apply
through the update machinery, the score after equal to the expected one, the
charter's threshold and allowed actions honoured, undo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.cli.test_update_cli import cli, installed, locked, snapshot
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv, uv_project

LOW = '\n[tool.devkit-tui.charter]\nthreshold = "LOW"\n'


def remediate(root: Path, db: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = cli("remediate", str(root), "--json", *args, db=db)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def by_project(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["project"]: p for p in document["projects"]}


def stale(folder: Path, index: LocalIndex, charter: str = LOW, check: str | None = None) -> Path:
    """Locked with alpha only; pyproject.toml then asks for gamma too."""
    app = uv_project(folder, index, ["alpha==1.0.0", "beta==1.0.0"], ["alpha>=1"],
                     extra=charter, check=check)  # fmt: skip
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"alpha>=1"', '"alpha>=1", "gamma>=1"'))
    return app


def test_a_stale_lock_is_relocked_to_the_expected_score(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app = stale(tmp_path / "ws" / "app", local_index)
    db = tmp_path / "db.sqlite3"
    files = snapshot(app)
    code, preview = remediate(tmp_path / "ws", db, "--dry-run")
    assert code == 0 and preview["schema"] == "devkit.remediate/1"
    project = by_project(preview)["app"]
    assert project["before"]["indicators"] == ["lock-drift"] and project["needs_action"]
    ids = [s["id"] for s in project["strategies"]]
    assert ids == ["app:lock-drift:1", "app:lock-drift:2", "app:lock-drift:3"]
    assert [s["actions"] for s in project["strategies"][1:]] == [
        ["uv lock --upgrade-package alpha", "uv lock --upgrade-package gamma"],
        ["uv lock --upgrade"],
    ]  # smallest first: then the direct dependencies, then everything
    first = project["strategies"][0]
    assert first["actions"] == ["uv lock"] and first["risk"]["files"] == ["uv.lock"]
    assert first["expected_score"] < project["before"]["score"]
    assert project["chosen"] == ["app:lock-drift:1"] and project["applied"] == []
    assert [u["result"] for u in project["plan"]] == ["planned"]
    assert {"name": "gamma", "version": "1.0.5"} in project["plan"][0]["lock_diff"]["added"]
    assert snapshot(app) == files  # a dry run writes nothing

    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", "app:lock-drift:1")
    assert code == 0, done
    project = by_project(done)["app"]
    assert project["applied"] == ["app:lock-drift:1"] and project["criteria_met"] is True
    assert project["after"]["score"] == first["expected_score"]
    assert project["after"]["indicators"] == [] and project["worse"] is False
    assert locked(app, "gamma") == "1.0.5" and locked(app, "alpha") == "1.0.0"
    uv("lock", "--check", cwd=app)
    audit = json.loads(cli("audit", "--action", "remediate", "--json", db=db).stdout)["entries"]
    assert [(e["project"], e["result"]) for e in audit] == [("app", "success")]
    assert audit[0]["details"]["strategies"] == ["app:lock-drift:1"]
    history = json.loads(cli("entropy", str(tmp_path / "ws"), "--json", db=db).stdout)
    assert history["projects"][0]["score"] == first["expected_score"]

    assert json.loads(cli("undo", "--json", db=db).stdout)["restored"] == ["app"]
    assert snapshot(app) == files


def test_an_environment_out_of_sync_is_synced(tmp_path: Path, local_index: LocalIndex) -> None:
    app = uv_project(tmp_path / "ws" / "app", local_index, ["beta==1.0.0"], ["beta>=1"],
                     venv=True, extra=LOW)  # fmt: skip
    uv("pip", "install", "--python", ".venv", "--index-url", local_index.simple, "beta==2.0.0",
       cwd=app)  # fmt: skip
    code, done = remediate(tmp_path / "ws", tmp_path / "db.sqlite3", "--yes")
    assert code == 0, done
    project = by_project(done)["app"]
    assert project["chosen"] == ["app:environment-drift:1"] == project["applied"]
    assert project["strategies"][0]["actions"] == ["uv sync --locked --inexact"]
    assert installed(app, "beta") == "1.0.0"
    assert project["after"]["score"] == project["strategies"][0]["expected_score"]


def test_drifting_versions_are_aligned(tmp_path: Path, local_index: LocalIndex) -> None:
    one = uv_project(tmp_path / "ws" / "one", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2"], extra=LOW)  # fmt: skip
    two = uv_project(tmp_path / "ws" / "two", local_index, ["alpha==1.1.0", "beta==1.0.0"],
                     ["alpha>=1"], extra=LOW)  # fmt: skip
    code, done = remediate(tmp_path / "ws", tmp_path / "db.sqlite3", "--yes",
                           "--strategy", "one:version-drift:1")  # fmt: skip
    assert code == 0, done
    strategies = by_project(done)["one"]["strategies"]
    assert [s["id"] for s in strategies] == ["one:version-drift:1"]  # "all" is the same here
    assert strategies[0]["actions"] == ["alpha -> 1.1.0 in one"]
    assert strategies[0]["risk"] == {"files": ["uv.lock"], "major_bumps": 0, "projects": ["one"],
                                     "undoable": True}  # fmt: skip
    assert locked(one, "alpha") == locked(two, "alpha") == "1.1.0"
    assert by_project(done)["one"]["after"]["indicators"] == []


def test_aligning_one_project_leaves_a_pinned_one_drifting_as_expected(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """The projection judges drift again: a third project pinned on the old version
    keeps the package drifting, and the expected score says so."""
    one = uv_project(tmp_path / "ws" / "one", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1"], extra=LOW)  # fmt: skip
    uv_project(tmp_path / "ws" / "two", local_index, ["alpha==1.1.0", "beta==1.0.0"],
               ["alpha>=1"], extra=LOW)  # fmt: skip
    pinned = uv_project(tmp_path / "ws" / "pinned", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                        ["alpha==1.0.0"], extra=LOW)  # fmt: skip
    db = tmp_path / "db.sqlite3"
    code, preview = remediate(tmp_path / "ws", db, "--dry-run", "--project", "one")
    assert code == 0
    strategies = {s["id"]: s for s in by_project(preview)["one"]["strategies"]}
    assert strategies["one:version-drift:1"]["actions"] == ["alpha -> 1.1.0 in one"]
    assert "one:version-drift:2" not in strategies  # `pinned` may not move; no broader one
    expected = strategies["one:version-drift:1"]
    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", "one:version-drift:1")
    assert code == 0  # the default criteria do not name version drift
    run = by_project(done)["one"]
    assert run["applied"] == ["one:version-drift:1"]
    assert locked(one, "alpha") == "1.1.0" and locked(pinned, "alpha") == "1.0.0"
    assert "version-drift" in run["after"]["indicators"]  # `pinned` still holds 1.0.0
    assert run["after"]["score"] == expected["expected_score"] == run["before"]["score"]
    assert run["worse"] is False  # foretold: moving `one` alone does not end the drift


def test_the_charter_s_threshold_and_actions_are_honoured(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    quiet = stale(tmp_path / "ws" / "quiet", local_index, charter="")  # MEDIUM: not yet
    strict = stale(tmp_path / "ws" / "strict", local_index,
                   charter=LOW + 'actions = ["sync"]\n')  # fmt: skip
    files = {p: snapshot(p) for p in (quiet, strict)}
    code, done = remediate(tmp_path / "ws", tmp_path / "db.sqlite3", "--yes",
                           "--strategy", "strict:lock-drift:1")  # fmt: skip
    assert code == 1  # strict still breaks its criteria, and may not be re-locked
    assert by_project(done)["quiet"]["needs_action"] is False
    assert by_project(done)["quiet"]["chosen"] == []
    strict_run = by_project(done)["strict"]
    assert strict_run["charter"]["actions"] == ["sync"]
    assert [s["allowed"] for s in strict_run["strategies"]] == [False, False, False]
    assert strict_run["chosen"] == [] and strict_run["applied"] == []
    assert "uv.lock is out of date with pyproject.toml" in strict_run["unmet"]
    assert {p: snapshot(p) for p in (quiet, strict)} == files


def test_a_failing_step_rolls_back(tmp_path: Path, local_index: LocalIndex) -> None:
    failing = f"{sys.executable} -c 'raise SystemExit(3)'"
    app = stale(tmp_path / "ws" / "app", local_index, check=failing)
    files = snapshot(app)
    code, done = remediate(tmp_path / "ws", tmp_path / "db.sqlite3", "--yes")
    assert code == 1
    project = by_project(done)["app"]
    assert [u["result"] for u in project["plan"]] == ["rolled-back"]
    assert project["applied"] == [] and project["criteria_met"] is False
    assert snapshot(app) == files
