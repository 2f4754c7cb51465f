"""The audit log: the hash chain verifies, and every kind of tampering is caught and
pinpointed; appends stay chained with two processes writing; exports round-trip."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.audit import from_csv, to_csv
from backend.audit.chain import GENESIS, verify_entries
from backend.audit.entries import EXPORT_FIELDS, AuditFilter, PackageChange, entry_from_json
from backend.audit.log import AuditLog
from backend.store.database import Store
from tests.helpers import REPOSITORY


async def filled_log(db: Path, count: int = 6) -> None:
    store = Store(db)
    await store.open()
    log = AuditLog(store)
    try:
        for index in range(count):
            await log.record(
                "update" if index % 2 else "scan",
                project=f"project-{index % 3}",
                packages=[PackageChange("httpx", "0.27.0", f"0.28.{index}")] if index % 2 else [],
                details={"index": index, "note": "ünïcode", "nested": {"ok": True}},
                result="success" if index != 3 else "failure",
                duration_ms=index * 1.5,
                trace_id=f"{index:032x}",
            )
    finally:
        await store.close()


async def verify(db: Path):  # type: ignore[no-untyped-def]
    store = Store(db)
    await store.open()
    try:
        return await AuditLog(store).verify()
    finally:
        await store.close()


def tamper(db: Path, *statements: str) -> None:
    """Raw SQL, the way someone with the file would: the triggers go first."""
    connection = sqlite3.connect(db)
    connection.execute("DROP TRIGGER audit_log_no_update")
    connection.execute("DROP TRIGGER audit_log_no_delete")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


async def test_an_untouched_chain_verifies(tmp_path: Path) -> None:
    await filled_log(tmp_path / "db.sqlite3")
    result = await verify(tmp_path / "db.sqlite3")
    assert result.ok and result.entries == 6 and result.first_bad_seq is None


async def test_entries_chain_to_each_other(tmp_path: Path) -> None:
    await filled_log(tmp_path / "db.sqlite3", count=3)
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        entries = await AuditLog(store).entries()
    finally:
        await store.close()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert entries[1].packages == (PackageChange("httpx", "0.27.0", "0.28.1"),)
    assert entries[0].timestamp.endswith("Z") and len(entries[0].timestamp) == 30


async def test_update_and_delete_are_refused(tmp_path: Path) -> None:
    await filled_log(tmp_path / "db.sqlite3")
    connection = sqlite3.connect(tmp_path / "db.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE audit_log SET result = 'success' WHERE seq = 4")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM audit_log WHERE seq = 6")
    connection.close()


@pytest.mark.parametrize(
    ("statements", "bad_seq", "words"),
    [
        (["UPDATE audit_log SET result = 'success' WHERE seq = 4"], 4, "changed"),
        (
            ['UPDATE audit_log SET details = \'{"index": 2, "nested": {}}\' WHERE seq = 3'],
            3,
            "changed",
        ),
        (["UPDATE audit_log SET user = 'mallory' WHERE seq = 1"], 1, "changed"),
        (["DELETE FROM audit_log WHERE seq = 2"], 2, "missing"),
        (
            [  # swap the contents of entries 3 and 4
                "UPDATE audit_log SET seq = -3 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                "UPDATE audit_log SET seq = 4 WHERE seq = -3",
            ],
            3,
            "inserted or moved",
        ),
        (
            [  # an entry slipped in, renumbering those after it
                "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5",
                "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 105",
                "INSERT INTO audit_log SELECT 5, timestamp_ns, user, host, os, action, project,"
                " packages, details, result, duration_ms, trace_id, prev_hash, hash"
                " FROM audit_log WHERE seq = 2",
            ],
            5,
            "inserted or moved",
        ),
    ],
)
async def test_tampering_is_pinpointed(
    tmp_path: Path, statements: list[str], bad_seq: int, words: str
) -> None:
    db = tmp_path / "db.sqlite3"
    await filled_log(db)
    tamper(db, *statements)
    result = await verify(db)
    assert not result.ok
    assert result.first_bad_seq == bad_seq
    assert words in (result.problem or "")
    assert result.entries == bad_seq - 1  # every entry before it still verified


WRITER = """
import asyncio, sys
from pathlib import Path
from backend.audit.log import AuditLog
from backend.store.database import Store

async def main():
    store = Store(Path(sys.argv[1]))
    await store.open()
    log = AuditLog(store)
    for n in range(int(sys.argv[3])):  # one transaction each, so the two interleave
        await log.record("scan", details={"writer": sys.argv[2], "n": n})
    await store.close()

asyncio.run(main())
"""


async def test_two_processes_keep_one_chain(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    await filled_log(db, count=1)  # migrate first, so both writers only append
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, "60"], cwd=REPOSITORY, text=True
        )
        for name in ("a", "b")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    result = await verify(db)
    assert result.ok and result.entries == 121
    connection = sqlite3.connect(db)
    writers_seen = {
        json.loads(row[0])["writer"]
        for row in connection.execute("SELECT details FROM audit_log WHERE seq > 1")
    }
    connection.close()
    assert writers_seen == {"a", "b"}


async def test_exports_round_trip_and_still_verify(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    await filled_log(db)
    store = Store(db)
    await store.open()
    try:
        entries = await AuditLog(store).entries()
    finally:
        await store.close()
    documents = [e.as_json() for e in entries]
    assert tuple(documents[0]) == EXPORT_FIELDS  # the CSV's columns, in order
    from_json = [entry_from_json(d) for d in json.loads(json.dumps(documents))]
    from_csv_rows = [entry_from_json(d) for d in from_csv(to_csv(entries))]
    assert verify_entries(from_json).ok and verify_entries(from_csv_rows).ok
    assert [
        {k: row[k] for k in document}
        for row, document in zip(from_csv_rows, documents, strict=True)
    ] == documents
    assert from_json == documents
    from_csv_rows[2]["details"]["index"] = 99  # an export edited after the fact
    assert verify_entries(from_csv_rows).first_bad_seq == 3


async def test_filters(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    await filled_log(db)
    store = Store(db)
    await store.open()
    log = AuditLog(store)
    try:
        updates = await log.entries(AuditFilter(action="update"))
        by_package = await log.entries(AuditFilter(package="httpx"))
        by_project = await log.entries(AuditFilter(project="project-0"))
        newest = await log.entries(AuditFilter(limit=2, newest_first=True))
    finally:
        await store.close()
    assert [e.seq for e in updates] == [2, 4, 6] == [e.seq for e in by_package]
    assert [e.seq for e in by_project] == [1, 4]
    assert [e.seq for e in newest] == [6, 5]


async def test_unknown_action_or_result_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        with pytest.raises(ValueError, match="unknown audit action"):
            await AuditLog(store).record("launch-missiles")
        with pytest.raises(ValueError, match="result"):
            await AuditLog(store).record("scan", result="meh")
    finally:
        await store.close()
