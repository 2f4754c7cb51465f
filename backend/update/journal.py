"""The update journal: each unit's files as they were, written to the store before any
of them is touched, so an update cut short (crash, SIGKILL) is undone on the next
start, and a finished batch can be undone later.

States: `applying` (files may be half written), `done` (kept for undo, with the
hashes of what was written), `rolled-back`, `recovered`, `undone`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from backend.store.database import Store


@dataclass(slots=True)
class JournalEntry:
    id: int
    batch_id: str
    project: str
    folder: Path
    kind: str
    state: str
    before: dict[str, bytes | None]
    after: dict[str, str]
    environment: Path | None
    pid: int
    host: str
    started_ns: int


def digest(data: bytes | None) -> str:
    return hashlib.sha256(data).hexdigest() if data is not None else "absent"


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_atomically(path: Path, data: bytes | None) -> None:
    """Replace the file in one rename (or remove it when it did not exist), so a crash
    leaves the old bytes or the new ones, never a mix."""
    if data is None:
        path.unlink(missing_ok=True)
        return
    temporary = path.with_name(f".{path.name}.devkit-{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    mode = path.stat().st_mode if path.exists() else None
    if mode is not None:
        os.chmod(temporary, mode & 0o7777)
    os.replace(temporary, path)


def restore(folder: Path, before: dict[str, bytes | None]) -> list[str]:
    """Put every file back byte for byte; returns the files that differed."""
    changed = []
    for relative, data in before.items():
        path = folder / relative
        if read_bytes(path) != data:
            write_atomically(path, data)
            changed.append(relative)
    return changed


async def open_entry(
    store: Store,
    batch_id: str,
    project: str,
    folder: Path,
    kind: str,
    before: dict[str, bytes | None],
    environment: Path | None,
) -> int:
    """Record the snapshot; returns only after it is committed."""
    encoded = {
        k: base64.b64encode(v).decode() if v is not None else None for k, v in before.items()
    }
    row = (
        batch_id, project, str(folder), kind, "applying", json.dumps(encoded), None,
        str(environment) if environment else None, os.getpid(), socket.gethostname(),
        time.time_ns(),
    )  # fmt: skip

    def insert(connection):  # type: ignore[no-untyped-def]
        cursor = connection.execute(
            "INSERT INTO update_journal (batch_id, project, folder, kind, state, before, after,"
            " environment, pid, host, started_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        return cursor.lastrowid

    return int(await store.run(insert))


async def set_state(
    store: Store, entry_id: int, state: str, after: dict[str, str] | None = None
) -> None:
    if after is None:
        statement = ("UPDATE update_journal SET state = ?, finished_ns = ? WHERE id = ?",
                     [(state, time.time_ns(), entry_id)])  # fmt: skip
    else:
        statement = (
            "UPDATE update_journal SET state = ?, after = ?, finished_ns = ? WHERE id = ?",
            [(state, json.dumps(after), time.time_ns(), entry_id)],
        )
    await store.write([statement])


async def entries(store: Store, where: str, params: tuple[object, ...] = ()) -> list[JournalEntry]:
    rows = await store.query(
        "SELECT id, batch_id, project, folder, kind, state, before, after, environment, pid,"
        f" host, started_ns FROM update_journal WHERE {where} ORDER BY id",
        params,
    )
    return [
        JournalEntry(
            id=row[0],
            batch_id=row[1],
            project=row[2],
            folder=Path(row[3]),
            kind=row[4],
            state=row[5],
            before={
                k: base64.b64decode(v) if v is not None else None
                for k, v in json.loads(row[6]).items()
            },
            after=json.loads(row[7]) if row[7] else {},
            environment=Path(row[8]) if row[8] else None,
            pid=row[9],
            host=row[10],
            started_ns=row[11],
        )
        for row in rows
    ]


def is_orphaned(entry: JournalEntry) -> bool:
    """An `applying` entry whose process is gone (on this host): it will never finish."""
    if entry.host != socket.gethostname():
        return True
    if entry.pid == os.getpid():
        return False
    try:
        os.kill(entry.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
