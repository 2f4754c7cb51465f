"""The audit log says when an update failed: every failed update is an `update`
entry with result `failure` and its error, and a rollback names its cause."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.cli.test_update_cli import cli, update_json
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project


def entries(db: Path, *filters: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(cli("audit", "--json", *filters, db=db).stdout)["entries"]


def test_a_failed_resolution_is_an_update_failure(tmp_path: Path, local_index: LocalIndex) -> None:
    uv_project(tmp_path / "ws" / "app", local_index, ["delta==1.0.0"], ["delta>=1"])
    db = tmp_path / "db.sqlite3"
    code, _ = update_json(tmp_path / "ws", db, "delta==1.1.0")  # needs a missing package
    assert code == 1
    failed = [e for e in entries(db, "--action", "update") if e["result"] == "failure"]
    assert [e["project"] for e in failed] == ["app"]
    assert failed[0]["details"]["step"] == "resolve"
    assert "no-such-package" in failed[0]["details"]["error"]
    assert failed[0]["packages"] == [{"name": "delta", "from": "1.0.0", "to": "1.1.0"}]


def test_a_rolled_back_update_is_a_failure_and_its_rollback_names_the_cause(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    check = f"{sys.executable} -c 'raise SystemExit(3)'"
    uv_project(tmp_path / "ws" / "bad", local_index, ["alpha==1.0.0", "beta==1.0.0"],
               ["alpha>=1,<2"], check=check)  # fmt: skip
    db = tmp_path / "db.sqlite3"
    code, _ = update_json(tmp_path / "ws", db, "alpha")
    assert code == 1
    update, rollback = entries(db, "--action", "update"), entries(db, "--action", "rollback")
    assert [(e["project"], e["result"]) for e in update] == [("bad", "failure")]
    assert update[0]["details"]["step"] == "check" and "exit 3" in update[0]["details"]["error"]
    assert [(e["project"], e["result"]) for e in rollback] == [("bad", "success")]
    assert rollback[0]["details"]["cause"] == "check"
    assert rollback[0]["trace_id"] == update[0]["trace_id"]
