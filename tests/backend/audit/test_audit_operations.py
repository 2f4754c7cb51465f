"""Every operation so far writes its audit entry: scans (`list`, `tree` by name, the
dashboard's), ingest sessions, exports, configuration changes and verification. A
question that reads one project and stores nothing (`tree FOLDER`) is not one."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from backend.audit.entries import AuditFilter
from backend.service import Backend
from backend.settings import Settings
from tests.helpers import REPOSITORY


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
    )


def audit_json(db: Path, *args: str) -> list[dict[str, Any]]:
    result = cli(db, "audit", "--json", *args)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "devkit.audit/1"
    return document["entries"]


def test_cli_operations_are_audited(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert cli(db, "list", str(demo_workspace), "--json").returncode == 1  # broken-service
    by_name = cli(db, "tree", "api-service", "--root", str(demo_workspace))  # reads them all
    assert by_name.returncode == 0, by_name.stderr
    entries = audit_json(db)
    assert [e["action"] for e in entries] == ["config-change", "scan", "scan"]
    assert cli(db, "tree", str(demo_workspace / "api-service")).returncode == 0
    after = [e["action"] for e in audit_json(db)]  # the export above is audited itself
    assert after == ["config-change", "scan", "scan", "export"]  # the tree stored nothing
    listed, tree = entries[1], entries[2]
    assert listed["details"]["reason"] == "list" and listed["project"] is None
    assert listed["result"] == "partial"  # broken-service's pyproject cannot be read
    assert listed["details"]["errors"] == 1 and listed["details"]["projects"] == 7
    assert tree["details"]["reason"] == "tree" and tree["result"] == "partial"  # all 7 read
    assert listed["duration_ms"] > 0 and listed["user"] and listed["host"] and listed["os"]
    expected_keys = {
        "seq", "timestamp", "user", "host", "os", "action", "project", "packages",
        "details", "result", "duration_ms", "trace_id", "hash", "prev_hash",
    }  # fmt: skip
    assert expected_keys <= set(listed)
    # The trace id is the scan span's, and that span is in the store.
    connection = sqlite3.connect(db)
    names = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM spans WHERE hex(trace_id) = upper(?)", (listed["trace_id"],)
        )
    }
    connection.close()
    assert "devkit.scan" in names and "devkit.project.read" in names

    # Exports are audited too, with their format and size.
    csv_result = cli(db, "audit", "--csv", "--action", "scan")
    assert csv_result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(csv_result.stdout)))
    assert [r["action"] for r in rows] == ["scan", "scan"]
    exports = audit_json(db, "--action", "export")
    assert [e["details"]["format"] for e in exports] == ["json", "json", "csv"]
    assert exports[2]["details"]["entries"] == 2
    assert exports[2]["details"]["filters"] == {"action": "scan"}


def test_verify_reports_and_is_audited(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert cli(db, "list", str(demo_workspace)).returncode == 1  # broken-service
    good = cli(db, "audit", "--verify", "--json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout) == {
        "ok": True,
        "entries": 2,
        "first_bad_seq": None,
        "problem": None,
    }
    connection = sqlite3.connect(db)
    connection.execute("DROP TRIGGER audit_log_no_update")
    connection.execute("UPDATE audit_log SET project = 'elsewhere' WHERE seq = 2")
    connection.commit()
    connection.close()
    bad = cli(db, "audit", "--verify", "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["first_bad_seq"] == 2
    assert "entry 2 was changed" in report["problem"]
    text = cli(db, "audit", "--verify")
    assert text.returncode == 1 and "BROKEN at entry 2" in text.stdout
    verifies = audit_json(db, "--action", "verify")
    assert [v["result"] for v in verifies] == ["success", "failure", "failure"]
    assert verifies[1]["details"]["first_bad_seq"] == 2


def test_verify_refuses_filters(tmp_path: Path) -> None:
    result = cli(tmp_path / "db.sqlite3", "audit", "--verify", "--action", "scan")
    assert result.returncode == 2 and "--verify" in result.stderr


async def test_ingest_sessions_and_config_changes(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"

    async def session(port: int, receive: bool) -> Backend:
        backend = Backend(Settings(roots=[demo_workspace], db_path=db, watch=True, otlp_port=port))
        await backend.start()
        await backend.ready()
        if receive:
            await backend.start_receiver()
        for _ in range(500):  # the watcher's session begins after the first scan
            if "watch" in backend.operations.open_sessions():
                break
            await asyncio.sleep(0.01)
        await backend.stop()
        return backend

    await session(0, receive=True)
    await session(0, receive=False)  # same settings: no new config-change
    await session(4319, receive=False)

    check = Backend(Settings(roots=[demo_workspace], db_path=db, watch=False))
    await check.start(scan=False)
    await check.ready()
    try:
        entries = await check.audit_entries()
        changes = await check.audit_entries(AuditFilter(action="config-change"))
    finally:
        await check.stop()
    sessions = [(e.action, e.details["source"]) for e in entries if e.action.startswith("ingest")]
    assert sessions[:4] == [
        ("ingest-start", "otlp-http"),
        ("ingest-start", "watch"),
        ("ingest-stop", "otlp-http"),
        ("ingest-stop", "watch"),
    ] or sessions[:4] == [
        ("ingest-start", "watch"),
        ("ingest-start", "otlp-http"),
        ("ingest-stop", "otlp-http"),
        ("ingest-stop", "watch"),
    ]
    stop = next(e for e in entries if e.action == "ingest-stop")
    assert stop.duration_ms is not None and "spans_stored" in stop.details
    url = next(e for e in entries if e.action == "ingest-start" and "url" in e.details)
    assert url.details["url"].startswith("http://127.0.0.1:")
    # First run: the whole configuration; then only what changed (the port, twice:
    # 4319, then back to the default for the checking backend).
    assert len(changes) == 3
    assert set(changes[1].details["changed"]) == {"otlp_port"}
    assert changes[1].details["changed"]["otlp_port"] == {"from": 0, "to": 4319}
    assert changes[2].details["changed"]["otlp_port"] == {"from": 4319, "to": 4318}
