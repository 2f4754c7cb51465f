"""`devkit-tui update` and `undo` end to end: real projects locked by the real uv
against a local index, every file checked byte for byte after a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from backend.parsers.uv_lock import parse_uv_lock
from tests.helpers import REPOSITORY
from tests.support.local_index import LocalIndex
from tests.support.update_projects import (
    loosen,
    requirements_project,
    uv,
    uv_project,
    workspace_project,
)


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", str(db)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def update_json(root: Path, db: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = cli("update", *args, "--root", str(root), "--json", "--yes", db=db)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def locked(project: Path, name: str) -> str | None:
    lock = parse_uv_lock(project / "uv.lock")
    return next((p.version for p in lock.packages if p.name == name), None)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file outside the environment, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".venv" not in p.parts
    }


def installed(project: Path, name: str) -> str | None:
    found = list((project / ".venv").glob(f"lib/python*/site-packages/{name}-*.dist-info"))
    return found[0].name.removesuffix(".dist-info").split("-")[1] if found else None


def by_project(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["project"]: p for p in document["projects"]}


def test_within_the_specifier_only_the_lock_moves(tmp_path: Path, local_index: LocalIndex) -> None:
    app = uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2", "beta>=1"])  # fmt: skip
    pyproject = (app / "pyproject.toml").read_bytes()
    db = tmp_path / "db.sqlite3"
    code, document = update_json(tmp_path / "ws", db, "alpha")
    assert code == 0, document
    assert document["schema"] == "devkit.update/1" and document["dry_run"] is False
    project = by_project(document)["app"]
    assert project["result"] == "success" and project["error"] is None
    assert project["changes"][0] | {} == {
        **project["changes"][0], "name": "alpha", "from": "1.0.0", "to": "1.1.0",
        "method": "upgrade-package",
    }  # fmt: skip
    assert project["lock_diff"]["changed"] == [{"name": "alpha", "from": "1.0.0", "to": "1.1.0"}]
    assert locked(app, "alpha") == "1.1.0" and locked(app, "beta") == "1.0.0"
    assert (app / "pyproject.toml").read_bytes() == pyproject
    uv("lock", "--check", cwd=app)

    audit = json.loads(cli("audit", "--action", "update", "--json", db=db).stdout)
    entry = audit["entries"][-1]
    assert entry["project"] == "app" and entry["result"] == "success"
    assert entry["packages"] == [{"name": "alpha", "from": "1.0.0", "to": "1.1.0"}]
    assert "uv lock --upgrade-package alpha==1.1.0" in entry["details"]["commands"]
    assert "uv lock --check" in entry["details"]["commands"]
    assert entry["trace_id"]


def test_latest_bumps_the_specifier_in_its_group_with_uv_add(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app = uv_project(
        tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"],
        dev=(["beta==1.0.0"], ["beta>=1,<2"]),
    )  # fmt: skip
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "beta", "--latest")
    assert code == 0, document
    change = by_project(document)["app"]["changes"][0]
    assert (change["method"], change["to"], change["group"]) == ("add", "2.0.0", "group:dev")
    text = (app / "pyproject.toml").read_text()
    # still in the dev group, with its upper bound raised only as far as needed
    assert '"beta>=2.0.0,<3"' in text.split("[dependency-groups]")[1]
    diff = by_project(document)["app"]["file_diffs"]["pyproject.toml"]
    assert '+    "beta>=2.0.0,<3",' in diff and any(line.startswith("-") for line in diff)
    assert "beta" not in text.split("[dependency-groups]")[0]
    assert locked(app, "beta") == "2.0.0" and locked(app, "gamma") == "1.0.0"


def test_an_asked_for_version_outside_the_specifier_is_exact(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """alpha 2.0.0 needs beta 2: the plan shows the transitive change too."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2"])  # fmt: skip
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "alpha==2.0.0",
                                 "--dry-run")  # fmt: skip
    assert code == 0 and document["dry_run"] is True
    project = by_project(document)["app"]
    assert project["result"] == "planned"
    assert project["changes"][0]["method"] == "add"
    assert {"name": "beta", "from": "1.0.0", "to": "2.0.0"} in project["lock_diff"]["changed"]
    assert locked(app, "alpha") == "1.0.0"  # a dry run changes nothing


def test_a_requirements_pin_is_rewritten_with_its_hashes(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    project = requirements_project(tmp_path / "ws" / "reqs", local_index,
                                   {"gamma": "1.0.0", "beta": "1.0.0"})  # fmt: skip
    before = (project / "requirements.txt").read_text()
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "gamma", "--latest")
    assert code == 0, document
    assert by_project(document)["reqs"]["changes"][0]["method"] == "pin"
    after = (project / "requirements.txt").read_text()
    expected = before.replace("gamma==1.0.0", "gamma==1.0.5").replace(
        local_index.hashes[("gamma", "1.0.0")], local_index.hashes[("gamma", "1.0.5")]
    )
    assert after == expected  # comments, the index line and beta's lines untouched


def test_a_failed_resolution_touches_nothing(tmp_path: Path, local_index: LocalIndex) -> None:
    """delta 1.1.0 needs a package the index does not have."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["delta==1.0.0"], ["delta>=1"])
    files = snapshot(app)
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "delta==1.1.0")
    assert code == 1
    project = by_project(document)["app"]
    assert project["result"] == "failed" and "no-such-package" in project["error"]
    assert snapshot(app) == files


def test_a_failing_check_rolls_back_files_and_environment(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    check = f"{sys.executable} -c 'raise SystemExit(3)'"
    good = uv_project(tmp_path / "ws" / "good", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                      ["alpha>=1,<2"])  # fmt: skip
    also = uv_project(tmp_path / "ws" / "also", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                      ["alpha>=1,<2"])  # fmt: skip
    bad = uv_project(tmp_path / "ws" / "bad", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2"], check=check, venv=True)  # fmt: skip
    files = snapshot(bad)
    assert installed(bad, "alpha") == "1.0.0"
    db = tmp_path / "db.sqlite3"
    code, document = update_json(tmp_path / "ws", db, "alpha", "--jobs", "3")
    assert code == 1
    results = {name: p["result"] for name, p in by_project(document).items()}
    assert results == {"good": "success", "also": "success", "bad": "rolled-back"}
    assert "exit 3" in by_project(document)["bad"]["error"]
    assert snapshot(bad) == files
    assert installed(bad, "alpha") == "1.0.0"  # re-synced to the old lock
    assert locked(good, "alpha") == locked(also, "alpha") == "1.1.0"
    audit = json.loads(cli("audit", "--json", db=db).stdout)["entries"]
    rollback = [e for e in audit if e["action"] == "rollback"]
    assert [e["project"] for e in rollback] == ["bad"]
    assert rollback[0]["details"]["outcome"] == "rolled-back"


def test_undo_restores_the_last_batch_and_refuses_edited_projects(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    one = uv_project(tmp_path / "ws" / "one", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    two = uv_project(tmp_path / "ws" / "two", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    before_one, before_two = snapshot(one), snapshot(two)
    db = tmp_path / "db.sqlite3"
    code, _ = update_json(tmp_path / "ws", db, "gamma")
    assert code == 0 and locked(one, "gamma") == locked(two, "gamma") == "1.0.5"
    with open(two / "uv.lock", "a") as handle:
        handle.write("\n")  # someone touched it since
    done = cli("undo", "--json", db=db)
    outcome = json.loads(done.stdout)
    assert done.returncode == 1
    assert outcome["restored"] == ["one"] and "uv.lock changed" in outcome["refused"]["two"]
    assert snapshot(one) == before_one and snapshot(two) != before_two
    audit = json.loads(cli("audit", "--action", "undo", "--json", db=db).stdout)["entries"]
    assert audit[-1]["result"] == "partial"
    again = json.loads(cli("undo", "--json", db=db).stdout)
    assert again["restored"] == [] and "two" in again["refused"]  # still the newest batch


def test_offline_targets_come_from_the_cache(tmp_path: Path, local_index: LocalIndex) -> None:
    app = uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    db = tmp_path / "db.sqlite3"
    _, cold = update_json(tmp_path / "ws", db, "gamma", "--offline", "--dry-run")
    assert cold["projects"] == [] and "newest release known" in cold["skipped"][0]["reason"]
    assert cli("outdated", str(tmp_path / "ws"), "--json", db=db).returncode == 0  # warms it
    _, warm = update_json(tmp_path / "ws", db, "gamma", "--offline", "--dry-run")
    assert by_project(warm)["app"]["changes"][0]["to"] == "1.0.5"
    assert locked(app, "gamma") == "1.0.0"


def test_names_and_versions_are_checked_before_any_command(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    for bad in ("alpha;rm -rf /", "alpha==$(id)", "--index-url=http://x"):
        done = cli("update", bad, "--root", str(tmp_path / "ws"), "--yes", db=tmp_path / "d")
        assert done.returncode == 2, (bad, done.stderr)


def test_a_workspace_member_is_bumped_in_its_own_pyproject(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """Members share the root's lock: one unit, `uv add --package MEMBER`."""
    root = workspace_project(tmp_path / "ws" / "mono", local_index)
    # beta 1.0.0 is locked; both members loosen it, as alpha 2 needs beta 2
    loosen(root / "packages" / "cli" / "pyproject.toml", "beta==1.0.0", "beta>=1")
    core = root / "packages" / "core" / "pyproject.toml"
    loosen(core, '"alpha==1.0.0", "beta==1.0.0"', '"alpha>=1,<2"')
    uv("lock", cwd=root)
    cli_pyproject = (root / "packages" / "cli" / "pyproject.toml").read_bytes()
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "alpha", "--latest")
    assert code == 0, document
    (unit,) = document["projects"]
    assert unit["folder"] == str(root) and unit["result"] == "success"
    assert unit["commands"][0] == "uv add --no-sync --package core alpha<3,>=2.0.0"
    assert '"alpha>=2.0.0,<3"' in core.read_text()  # uv writes the floor first
    assert (root / "packages" / "cli" / "pyproject.toml").read_bytes() == cli_pyproject
    assert locked(root, "alpha") == "2.0.0" and locked(root, "beta") == "2.0.0"


def test_all_outdated_of_one_project(tmp_path: Path, local_index: LocalIndex) -> None:
    uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "gamma==1.0.0",
               "beta==1.0.0"], ["alpha>=1,<2", "gamma>=1", "beta>=1"])  # fmt: skip
    uv_project(tmp_path / "ws" / "other", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    db = tmp_path / "db.sqlite3"
    code, document = update_json(tmp_path / "ws", db, "--all-outdated", "--project", "app",
                                 "--dry-run")  # fmt: skip
    assert code == 0
    (unit,) = document["projects"]
    targets = {c["name"]: c["to"] for c in unit["changes"]}
    assert unit["project"] == "app"
    assert targets == {"alpha": "1.1.0", "gamma": "1.0.5", "beta": "2.0.0"}  # not 2.1.0rc1


def test_a_requirements_environment_is_synced_and_undo_resyncs_it(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    project = requirements_project(tmp_path / "ws" / "reqs", local_index, {"gamma": "1.0.0"})
    uv("venv", "--quiet", ".venv", cwd=project)
    uv("pip", "install", "--python", ".venv", "-r", "requirements.txt", cwd=project)
    assert installed(project, "gamma") == "1.0.0"
    db = tmp_path / "db.sqlite3"
    code, document = update_json(tmp_path / "ws", db, "gamma", "--latest")
    assert code == 0, document
    assert installed(project, "gamma") == "1.0.5"  # verified by installing the new pins
    assert any(c.startswith("uv pip install") for c in by_project(document)["reqs"]["commands"])
    assert cli("undo", db=db).returncode == 0
    assert "gamma==1.0.0" in (project / "requirements.txt").read_text()
    assert installed(project, "gamma") == "1.0.0"  # re-synced to the old pins


def test_a_workspace_environment_keeps_every_member(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    root = workspace_project(tmp_path / "ws" / "mono", local_index)
    loosen(root / "packages" / "core" / "pyproject.toml", '"alpha==1.0.0"', '"alpha>=1,<2"')
    uv("sync", "--all-packages", cwd=root)
    assert installed(root, "alpha") == "1.0.0" and installed(root, "gamma") == "1.0.0"
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "alpha")
    assert code == 0, document
    assert installed(root, "alpha") == "1.1.0"
    assert installed(root, "gamma") == "1.0.0"  # the other member's packages stay
    assert cli("undo", db=tmp_path / "db.sqlite3").returncode == 0
    assert installed(root, "alpha") == "1.0.0"  # the members' environment re-synced too


def test_a_path_source_outside_the_project_resolves_in_the_scratch_copy(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """`lib = { path = "../lib" }`: the scratch copy links the sibling at the same place."""
    lib = tmp_path / "ws" / "lib"
    lib.mkdir(parents=True)
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "lib"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["beta>=1"]\n\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n'
    )
    sources = '\n[tool.uv.sources]\nlib = { path = "../lib" }\n'
    app = uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0", "lib"],
                     ["alpha>=1,<2", "lib"], extra=sources)  # fmt: skip
    code, document = update_json(
        tmp_path / "ws", tmp_path / "db.sqlite3", "alpha", "--project", "app"
    )
    assert code == 0, document
    assert by_project(document)["app"]["result"] == "success"
    assert locked(app, "alpha") == "1.1.0"


def test_an_exact_pin_stays_exact_and_a_lock_rewrite_is_said(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """`--latest` over `gamma==1.0.0` keeps an exact pin; the plan says that uv moved
    the lock's revision when the lock was written by an older uv."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma==1.0.0"])
    lock = app / "uv.lock"
    lock.write_text(lock.read_text().replace("revision = 5", "revision = 2", 1))
    code, document = update_json(tmp_path / "ws", tmp_path / "db.sqlite3", "gamma", "--latest",
                                 "--dry-run")  # fmt: skip
    assert code == 0, document
    unit = by_project(document)["app"]
    assert unit["commands"][0] == "uv add --no-sync gamma==1.0.5"
    assert '+    "gamma==1.0.5",' in unit["file_diffs"]["pyproject.toml"]
    assert "uv.lock revision 2 -> 5" in unit["lock_diff"]["notes"]
