"""`devkit-tui remediate` on the other indicators, each degraded on purpose with the
real uv on the local index: a vulnerable pin (an imported advisory), a lock that
breaks its specifier, an environment that breaks it, packages nothing locks, a policy
bundle, a requirements project. Each yields its strategies, smallest first; applying
one reaches the score it was expected to."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_remediate_cli import LOW, by_project, remediate
from tests.cli.test_update_cli import cli, installed, locked, snapshot
from tests.support.local_index import LocalIndex
from tests.support.update_projects import loosen, requirements_project, uv, uv_project


def advisory(folder: Path, id_: str, name: str, fixed: str) -> Path:
    folder.mkdir(exist_ok=True)
    events = [{"introduced": "0"}, {"fixed": fixed}]
    record = {"id": id_, "modified": "2024-01-01T00:00:00Z", "affected": [
        {"package": {"ecosystem": "PyPI", "name": name},
         "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}  # fmt: skip
    (folder / f"{id_}.json").write_text(json.dumps(record))
    return folder


def strategies_of(document: dict, project: str, indicator: str) -> list[dict]:
    return [s for s in by_project(document)[project]["strategies"] if s["indicator"] == indicator]


def test_a_vulnerable_pin_moves_to_its_fix_or_its_newest_release(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """alpha 1.0.0 is affected until 1.1.0. The first strategy moves it there; with
    the index cache knowing of 2.0.0, the second moves it to the newest release."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1", "beta>=1"], extra=LOW)  # fmt: skip
    db = tmp_path / "db.sqlite3"
    imported = cli("vulns", "--import", str(advisory(tmp_path / "osv", "TEST-1", "alpha", "1.1.0")),
                   db=db)  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    known = cli("outdated", str(tmp_path / "ws"), "--index-url", local_index.simple, db=db)
    assert "2.0.0" in known.stdout, known.stderr  # the index cache now knows alpha 2.0.0

    code, preview = remediate(tmp_path / "ws", db, "--dry-run")
    assert code == 0
    first, newest = strategies_of(preview, "app", "vulnerable-dependency")
    assert (first["id"], first["action"]) == ("app:vulnerable-dependency:1", "fix")
    assert first["actions"] == ["alpha -> 1.1.0 in app"] and first["risk"]["major_bumps"] == 0
    assert newest["actions"] == ["alpha -> 2.0.0 in app"] and newest["risk"]["major_bumps"] == 1
    assert first["expected_score"] < by_project(preview)["app"]["before"]["score"]

    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", first["id"])
    assert code == 0, done
    run = by_project(done)["app"]
    assert run["applied"] == [first["id"]] and locked(app, "alpha") == "1.1.0"
    assert "vulnerable-dependency" not in run["after"]["indicators"]
    assert run["after"]["score"] == first["expected_score"] and run["criteria_met"]
    uv("lock", "--check", cwd=app)


def test_a_lock_that_breaks_its_specifier_is_moved_within_it(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """pyproject.toml asks for alpha>=1.1 over a lock of 1.0.0: a conflict, and a stale
    lock. Upgrading alpha within its specifier ends both, as the projection said."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2", "beta>=1"], extra=LOW)  # fmt: skip
    loosen(app / "pyproject.toml", '"alpha>=1,<2"', '"alpha>=1.1,<2"')
    db = tmp_path / "db.sqlite3"
    code, preview = remediate(tmp_path / "ws", db, "--dry-run")
    assert code == 0
    before = by_project(preview)["app"]["before"]
    assert {"dependency-conflict", "lock-drift"} <= set(before["indicators"])
    moved, everything = strategies_of(preview, "app", "dependency-conflict")
    assert moved["actions"] == ["uv lock --upgrade-package alpha"]
    assert everything["actions"] == ["uv lock --upgrade"]

    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", moved["id"])
    assert code == 0, done
    run = by_project(done)["app"]
    assert locked(app, "alpha") == "1.1.0" and locked(app, "beta") == "1.0.0"
    assert run["after"]["indicators"] == [] and run["after"]["score"] == moved["expected_score"]
    uv("lock", "--check", cwd=app)


def test_an_environment_that_breaks_its_specifier_is_synced_first(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """beta 2.0.0 installed where pyproject.toml says beta<2 and the lock 1.0.0: the
    lock is right, so the smallest repair is a sync; delta, which nothing locks, is
    removed only by the exact sync, the environment-drift's second strategy."""
    app = uv_project(tmp_path / "ws" / "app", local_index, ["beta==1.0.0"], ["beta>=1,<2"],
                     venv=True, extra=LOW)  # fmt: skip
    uv("pip", "install", "--python", ".venv", "--index-url", local_index.simple, "beta==2.0.0",
       "delta==1.0.0", cwd=app)  # fmt: skip
    db = tmp_path / "db.sqlite3"
    code, preview = remediate(tmp_path / "ws", db, "--dry-run")
    assert code == 0
    conflict = strategies_of(preview, "app", "dependency-conflict")
    assert [(s["action"], s["actions"]) for s in conflict] == [
        ("sync", ["uv sync --locked --inexact"]),
        ("upgrade", ["uv lock --upgrade-package beta"]),
        ("upgrade", ["uv lock --upgrade"]),
    ]
    assert conflict[0]["risk"]["undoable"] is False and conflict[0]["risk"]["files"] == [".venv"]
    inexact, exact = strategies_of(preview, "app", "environment-drift")
    assert inexact["actions"] == ["uv sync --locked --inexact"] and not inexact.get("trace")
    assert exact["actions"] == ["uv sync --locked", "remove delta"]
    assert by_project(preview)["app"]["plan"][0]["commands"] == ["uv sync --locked --inexact"]

    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", exact["id"])
    assert code == 0, done
    run = by_project(done)["app"]
    assert run["applied"] == [exact["id"]]
    assert installed(app, "beta") == "1.0.0" and installed(app, "delta") is None
    assert run["after"]["indicators"] == [] and run["after"]["score"] == exact["expected_score"]
    assert conflict[0]["expected_score"] == exact["expected_score"]  # both end in the lock's


def test_the_policy_bundle_becomes_the_lock_s_constraints(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    ws = tmp_path / "ws"
    app = uv_project(ws / "app", local_index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1", "beta>=1"], extra=LOW)  # fmt: skip
    (ws / "devkit-bundle.toml").write_text('[[minimum]]\nname = "alpha"\nversion = "1.1.0"\n')
    db = tmp_path / "db.sqlite3"
    code, done = remediate(ws, db, "--yes")
    assert code == 0, done
    run = by_project(done)["app"]
    (policy,) = strategies_of(done, "app", "policy-violation")
    assert policy["action"] == "constrain" and policy["risk"]["files"] == ["pyproject.toml",
                                                                           "uv.lock"]  # fmt: skip
    assert run["applied"] == [policy["id"]]
    (change,) = [c for c in run["plan"][0]["lock_diff"]["changed"] if c["name"] == "alpha"]
    assert locked(app, "alpha") == change["to"] != "1.0.0"  # what the plan said
    assert "alpha>=1.1.0" in (app / "pyproject.toml").read_text()
    assert run["after"]["indicators"] == [] and run["after"]["score"] == policy["expected_score"]
    audit = json.loads(cli("audit", "--action", "remediate", "--json", db=db).stdout)["entries"]
    assert [e["details"]["strategies"] for e in audit] == [[policy["id"]]]
    assert json.loads(cli("undo", "--json", db=db).stdout)["restored"] == ["app"]
    assert locked(app, "alpha") == "1.0.0"


def test_a_requirements_project_is_reinstalled_from_its_pins(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """No pyproject: the user's `[charter]` speaks for it; the sync is `uv pip install -r`,
    which writes no file, so nothing is journaled and undo has nothing to restore."""
    pins = requirements_project(tmp_path / "ws" / "pins", local_index, {"gamma": "1.0.5"})
    uv("venv", "--quiet", ".venv", cwd=pins)
    uv("pip", "install", "--python", ".venv", "--index-url", local_index.simple, "gamma==1.0.0",
       cwd=pins)  # fmt: skip
    config = tmp_path / "config.toml"
    config.write_text('[charter]\nthreshold = "LOW"\n')
    db = tmp_path / "db.sqlite3"
    code, done = remediate(tmp_path / "ws", db, "--yes", "--config", str(config))
    assert code == 0, done
    run = by_project(done)["pins"]
    (sync,) = strategies_of(done, "pins", "environment-drift")
    assert sync["actions"] == ["uv pip install -r (each pin file)"]
    assert sync["risk"]["undoable"] is False
    (step,) = run["plan"][0]["commands"]  # the plan's one step, as the apply ran it
    assert step.startswith("uv pip install --python") and step.endswith("-r requirements.txt")
    (conflict,) = strategies_of(done, "pins", "dependency-conflict")  # 1.0.0 breaks ==1.0.5
    assert conflict["action"] == "sync"  # no lock to move: the pins are right
    assert run["applied"] == [conflict["id"], sync["id"]] and installed(pins, "gamma") == "1.0.5"
    assert run["after"]["indicators"] == [] and run["after"]["score"] == sync["expected_score"]
    assert sync["expected_score"] == conflict["expected_score"]  # one sync ends both
    assert json.loads(cli("undo", "--json", db=db).stdout)["restored"] == []


def worse_workspace(ws: Path, index: LocalIndex, db: Path) -> dict[str, Path]:
    """alpha drifts (1.0.0 in `one`, 1.1.0 in `two` and `pinned`); moving one and two
    to alpha's newest release, 2.0.0, drags beta to 2.0.0 with it, while `pinned`
    keeps alpha 1.1.0 and beta 1.0.0: then two packages drift where one did."""
    folders = {
        "one": uv_project(ws / "one", index, ["alpha==1.0.0", "beta==1.0.0"],
                          ["alpha>=1", "beta>=1"], extra=LOW),
        "two": uv_project(ws / "two", index, ["alpha==1.1.0", "beta==1.0.0"],
                          ["alpha>=1", "beta>=1"], extra=LOW),
        "pinned": uv_project(ws / "pinned", index, ["alpha==1.1.0", "beta==1.0.0"],
                             ["alpha==1.1.0", "beta==1.0.0"], extra=LOW),
    }  # fmt: skip
    known = cli("outdated", str(ws), "--index-url", index.simple, db=db)
    assert "2.0.0" in known.stdout, known.stderr
    return folders


def test_a_remediation_that_makes_things_worse_says_so_and_undo_restores(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """The projection alone cannot know beta moves; the plan's resolution does, so the
    expected score, once developed, is the worse one the apply then reaches."""
    db = tmp_path / "db.sqlite3"
    folders = worse_workspace(tmp_path / "ws", local_index, db)
    files = {name: snapshot(folder) for name, folder in folders.items()}
    code, preview = remediate(tmp_path / "ws", db, "--dry-run", "--strategy",
                              "one:version-drift:2")  # fmt: skip
    assert code == 0
    here, newest = strategies_of(preview, "one", "version-drift")  # "all" would be `here`
    assert here["actions"] == ["alpha -> 1.1.0 in one"] and here["expected_from"] == "projection"
    assert newest["id"] == "one:version-drift:2"
    assert newest["actions"] == ["alpha -> 2.0.0 in one", "alpha -> 2.0.0 in two"]
    assert newest["risk"]["major_bumps"] == 2 and newest["expected_from"] == "resolution"
    before = by_project(preview)["one"]["before"]["score"]
    assert newest["expected_score"] > before  # foretold from what uv resolved

    code, done = remediate(tmp_path / "ws", db, "--yes", "--strategy", "one:version-drift:2")
    assert code == 0  # worse, yet within the criteria: the JSON says so, the exit does not
    run = by_project(done)["one"]
    assert run["applied"] == ["one:version-drift:2"] and run["worse"] is True
    assert run["after"]["score"] == newest["expected_score"]
    assert locked(folders["one"], "beta") == "2.0.0"
    undone = json.loads(cli("undo", "--json", db=db).stdout)
    assert sorted(undone["restored"]) == ["one", "two"]
    assert {name: snapshot(folder) for name, folder in folders.items()} == files
