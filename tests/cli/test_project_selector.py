"""The one rule for every command that takes a project: a folder or a name, as uv takes
`--project`; one that matches nothing exits 2 naming the known projects. A member's
folder is read with the workspace that locks it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_update_cli import cli
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project, workspace_project


def test_update_takes_a_folder_or_a_name_and_refuses_an_unknown_one(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    ws = tmp_path / "ws"
    uv_project(ws / "alpha-user", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    uv_project(ws / "other", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    db = tmp_path / "db.sqlite3"
    for selector in (str(ws / "alpha-user"), "alpha-user", "Alpha_User"):
        done = cli("update", "gamma", "--project", selector, "--root", str(ws),
                   "--dry-run", "--json", db=db)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert [p["project"] for p in json.loads(done.stdout)["projects"]] == ["alpha-user"]

    nope = cli("update", "gamma", "--project", "nope", "--root", str(ws), "--dry-run", db=db)
    assert nope.returncode == 2 and nope.stdout == ""
    assert "'nope'" in nope.stderr and "alpha-user, other" in nope.stderr


def test_tree_of_a_members_folder_uses_the_workspace_lock(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    root = workspace_project(tmp_path / "mono", local_index)
    db = tmp_path / "db.sqlite3"
    by_folder = cli("tree", str(root / "packages" / "core"), "--json", db=db)
    assert by_folder.returncode == 0, by_folder.stderr
    first = json.loads(by_folder.stdout)
    assert first["flags_left_out"] == ["drift", "outdated"]  # one project read, nothing stored
    by_name = cli("tree", "core", "--root", str(root), "--json", db=db)  # reads every project
    named = json.loads(by_name.stdout)
    assert named["flags_left_out"] == ["outdated"]  # that read stored drift; no index asked
    for key in ("flags_left_out", "note"):
        first.pop(key), named.pop(key)
    assert first == named
    names = {n["name"] for n in json.loads(by_folder.stdout)["nodes"]}
    assert {"core", "alpha", "beta"} <= names and "gamma" not in names

    unknown = cli("tree", "nope", "--root", str(root), db=db)
    assert unknown.returncode == 2 and "known projects: cli, core" in unknown.stderr
