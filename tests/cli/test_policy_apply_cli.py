"""`devkit-tui policy apply`: a bundle compiled into real uv projects' constraints and a
requirements project's constraints file, on the local index, through the update
machinery (plan, apply, audit, undo); a project uv cannot bring in line is left as it
was, with uv's explanation."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from tests.cli.test_update_cli import by_project, cli, installed, locked, snapshot
from tests.support.local_index import LocalIndex
from tests.support.update_projects import (
    loosen,
    requirements_project,
    uv,
    uv_project,
    workspace_project,
)

BUNDLE = """\
[[minimum]]
name = "alpha"
version = "1.1.0"

[[deny]]
id = "no-old-beta"
name = "beta"
versions = "<2"
reason = "beta 1 leaks"

[[deny]]
name = "no-such-package"

[licenses]
allow = ["MIT"]
"""


def apply(root: Path, db: Path, bundle: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = cli("policy", "apply", str(root), "--bundle", str(bundle), "--json", *args, db=db)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def constraints(pyproject: Path) -> list[str]:
    document = tomllib.loads(pyproject.read_text())
    return document.get("tool", {}).get("uv", {}).get("constraint-dependencies", [])


def test_the_bundle_becomes_the_lock_s_constraints_and_undo_restores(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app = uv_project(
        tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
        ["alpha>=1", "beta>=1"], venv=True,
        extra='\n[tool.uv]\nconstraint-dependencies = ["gamma<2"]  # the team\'s own\n',
    )  # fmt: skip
    bundle = tmp_path / "bundle.toml"
    bundle.write_text(BUNDLE)
    db = tmp_path / "db.sqlite3"
    files = snapshot(app)

    code, preview = apply(tmp_path / "ws", db, bundle, "--dry-run")
    assert code == 0, preview
    assert preview["schema"] == "devkit.policy-apply/1" and preview["dry_run"] is True
    assert snapshot(app) == files  # a dry run writes nothing
    unit = by_project(preview)["app"]
    assert unit["result"] == "planned"
    assert unit["constraints"] == ["alpha>=1.1.0", "beta>=2"]
    added = [line for line in unit["file_diffs"]["pyproject.toml"] if line.startswith("+")]
    assert '+    "alpha>=1.1.0",' in added and '+    "beta>=2",' in added
    assert {"name": "beta", "from": "1.0.0", "to": "2.0.0"} in unit["lock_diff"]["changed"]
    rules = {r["rule"]: r for r in preview["rules"]}
    assert rules["minimum:alpha"]["constraint"] == "alpha>=1.1.0"
    assert rules["no-old-beta"]["constraint"] == "beta>=2"
    assert rules["deny:no-such-package"]["compiled"] is False
    assert rules["licenses"]["compiled"] is False and "checked" in rules["licenses"]["why"]

    code, done = apply(tmp_path / "ws", db, bundle, "--yes")
    assert code == 0, done
    assert by_project(done)["app"]["result"] == "success"
    assert constraints(app / "pyproject.toml") == ["gamma<2", "alpha>=1.1.0", "beta>=2"]
    assert locked(app, "alpha") == "2.0.0" and locked(app, "beta") == "2.0.0"
    assert installed(app, "beta") == "2.0.0"
    uv("lock", "--check", cwd=app)
    audit = json.loads(cli("audit", "--action", "policy-apply", "--json", db=db).stdout)
    entry = audit["entries"][-1]
    assert entry["project"] == "app" and entry["result"] == "success"
    assert entry["details"]["constraints"] == ["alpha>=1.1.0", "beta>=2"]
    assert {"name": "beta", "from": "1.0.0", "to": "2.0.0"} in entry["packages"]

    code, again = apply(tmp_path / "ws", db, bundle, "--yes")  # already in line
    assert code == 0 and by_project(again)["app"]["result"] == "skipped"

    undone = cli("undo", "--json", db=db)
    assert json.loads(undone.stdout)["restored"] == ["app"], undone.stderr
    assert snapshot(app) == files
    assert installed(app, "beta") == "1.0.0"


def test_a_project_that_cannot_comply_is_left_as_it_was(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    pinned = uv_project(tmp_path / "ws" / "pinned", local_index, ["beta==1.0.0"], ["beta==1.0.0"])
    fine = uv_project(tmp_path / "ws" / "fine", local_index, ["beta==1.0.0"], ["beta>=1"])
    bundle = tmp_path / "bundle.toml"
    bundle.write_text(BUNDLE)
    files = snapshot(pinned)
    code, document = apply(tmp_path / "ws", tmp_path / "db.sqlite3", bundle, "--yes")
    assert code == 1
    refused = by_project(document)["pinned"]
    assert refused["result"] == "failed"
    assert "beta==1.0.0" in refused["error"] and "beta>=2" in refused["error"]  # uv's words
    assert snapshot(pinned) == files
    assert by_project(document)["fine"]["result"] == "success"
    assert locked(fine, "beta") == "2.0.0"


def test_a_workspace_gets_the_block_at_its_root_only(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    root = workspace_project(tmp_path / "ws", local_index)
    for member in ("core", "cli"):
        loosen(root / "packages" / member / "pyproject.toml", "beta==1.0.0", "beta>=1")
    uv("lock", cwd=root)
    members = {m: (root / "packages" / m / "pyproject.toml").read_bytes() for m in ("core", "cli")}
    bundle = tmp_path / "bundle.toml"
    bundle.write_text('[[minimum]]\nname = "beta"\nversion = "2"\n')
    code, document = apply(root, tmp_path / "db.sqlite3", bundle, "--yes")
    assert code == 0, document
    assert [p["project"] for p in document["projects"]] == [root.name]
    assert constraints(root / "pyproject.toml") == ["beta>=2"]
    assert {m: (root / "packages" / m / "pyproject.toml").read_bytes() for m in members} == members
    assert locked(root, "beta") == "2.0.0"
    uv("lock", "--check", cwd=root)


def test_a_requirements_project_gets_a_constraints_file(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    project = requirements_project(tmp_path / "ws" / "reqs", local_index,
                                   {"alpha": "1.0.0", "beta": "1.0.0"})  # fmt: skip
    before = (project / "requirements.txt").read_text()
    bundle = tmp_path / "bundle.toml"
    bundle.write_text('[[deny]]\nname = "beta"\nversions = "<2"\n')
    db = tmp_path / "db.sqlite3"
    code, document = apply(tmp_path / "ws", db, bundle, "--yes")
    assert code == 0, document
    unit = by_project(document)["reqs"]
    assert unit["result"] == "success"
    assert unit["changes"][0] | {} == {**unit["changes"][0], "name": "beta", "from": "1.0.0",
                                       "to": "2.0.0", "method": "pin"}  # fmt: skip
    written = (project / "devkit-constraints.txt").read_text()
    assert written.splitlines()[-1] == "beta>=2" and str(bundle) in written
    after = (project / "requirements.txt").read_text()
    expected = before.replace("beta==1.0.0", "beta==2.0.0").replace(
        local_index.hashes[("beta", "1.0.0")], local_index.hashes[("beta", "2.0.0")]
    )
    assert after == expected + "-c devkit-constraints.txt  # devkit-tui policy\n"
    installed_check = cli("policy", "check", str(tmp_path / "ws"), "--bundle", str(bundle), db=db)
    assert installed_check.returncode == 0, installed_check.stdout

    undone = json.loads(cli("undo", "--json", db=db).stdout)
    assert undone["restored"] == ["reqs"]
    assert (project / "requirements.txt").read_text() == before
    assert not (project / "devkit-constraints.txt").exists()
