"""The SQLite store: migrations, WAL, batched single writer, durability, snapshots."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend.service import Backend
from backend.settings import Settings
from backend.store.database import Store, StoreError
from backend.store.migrations import MIGRATIONS


async def test_migrates_to_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"inventory_snapshots", "snapshot_packages"} <= tables


async def test_a_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(StoreError, match="newer than this devkit-tui knows"):
        await Store(path).open()


async def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database"):
        await Store(path).open()


async def test_concurrent_writes_are_batched_and_all_committed(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3", batch_size=64)
    await store.open()
    sql = (
        "INSERT INTO inventory_snapshots (id, taken_at_ns, project_path, project_name, kind,"
        " digest, package_count, error_count, errors, reason) VALUES (?, 0, 'p', 'p', 'k', 'd',"
        " 0, 0, '[]', 'test')"
    )
    await asyncio.gather(*(store.write([(sql, [(i,)])]) for i in range(500)))
    rows = await store.query("SELECT count(*) FROM inventory_snapshots")
    assert rows[0][0] == 500
    assert store.version < 500  # batched: fewer commits than writes
    await store.close()


async def test_a_bad_write_fails_alone(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    good = "INSERT INTO snapshot_packages VALUES (1, 'a', '[]', '[]', '[]', NULL, 0, '[]')"
    bad = "INSERT INTO no_such_table VALUES (1)"
    results = await asyncio.gather(
        store.write([(good, [()])]),
        store.write([(bad, [()])]),
        store.write([(good, [()])]),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StoreError)
    assert (await store.query("SELECT count(*) FROM snapshot_packages"))[0][0] == 2
    await store.close()


async def test_snapshots_are_stored_once_per_change(demo_workspace: Path, tmp_path: Path) -> None:
    settings = Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    backend = Backend(settings)
    await backend.start(scan=False)
    await backend.scan()
    await backend.scan()  # nothing changed: nothing new stored
    rows = await backend.store.query(
        "SELECT count(*), count(DISTINCT project_path) FROM inventory_snapshots"
    )
    assert tuple(rows[0]) == (7, 7)
    lock = demo_workspace / "data-pipeline" / "uv.lock"
    lock.write_text(lock.read_text().replace('version = "2.2.1"', 'version = "2.3.0"'))
    await backend.scan()
    rows = await backend.store.query(
        "SELECT s.project_name, p.locked FROM inventory_snapshots s JOIN snapshot_packages p"
        " ON p.snapshot_id = s.id WHERE p.name = 'numpy' ORDER BY s.taken_at_ns"
    )
    assert [tuple(r) for r in rows] == [
        ("data-pipeline", '["2.2.1"]'),
        ("data-pipeline", '["2.3.0"]'),
    ]
    await backend.stop()


def test_committed_snapshots_survive_sigkill(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    script = textwrap.dedent(f"""
        import asyncio, os, sys
        from pathlib import Path
        from backend.service import Backend
        from backend.settings import Settings
        async def main():
            settings = Settings(roots=[Path({str(demo_workspace)!r})], db_path=Path({str(db)!r}))
            backend = Backend(settings)
            await backend.start(scan=False)
            await backend.scan()
            print("committed", flush=True)
            await asyncio.sleep(60)
        asyncio.run(main())
    """)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "committed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM inventory_snapshots").fetchone()[0] == 7
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_an_interactive_read_does_not_queue_behind_a_long_one(tmp_path: Path) -> None:
    """A trace opened while a background read scans the store answers at once: it has
    its own connection, opened on first use."""
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        long_read = asyncio.ensure_future(store.query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
            " SELECT count(*) FROM n"
        ))  # fmt: skip
        await asyncio.sleep(0)  # handed to the background reader's thread
        assert not long_read.done()
        answer = await store.query("SELECT 41 + 1", interactive=True)
        assert [tuple(r) for r in answer] == [(42,)]
        assert not long_read.done()  # answered while the long read still runs
        assert [tuple(r) for r in await long_read] == [(3000000,)]
    finally:
        await store.close()
