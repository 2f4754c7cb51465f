"""Appending to and reading the `audit_log` table: one transaction per append, so
two processes on one database keep one chain (see `backend.audit.chain`)."""

from __future__ import annotations

import getpass
import json
import platform
import socket
import sqlite3
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from backend.audit.chain import GENESIS, Verification, entry_hash, hashed_fields, verify_entries
from backend.audit.entries import (
    ACTIONS,
    COLUMNS,
    RESULTS,
    AuditEntry,
    AuditFilter,
    PackageChange,
    entry_from_row,
    row_dict,
)
from backend.store.database import Store


class AuditLog:
    """Appends and reads the `audit_log` table of one store."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], int] = time.time_ns,
        who: tuple[str, str, str] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        """Nanoseconds since the epoch for timestamps (fixed in snapshot tests)."""
        self.who = who
        """(user, host, OS) to record instead of this machine's."""

    async def record(
        self,
        action: str,
        *,
        project: str | None = None,
        packages: Sequence[PackageChange] = (),
        details: dict[str, Any] | None = None,
        result: str = "success",
        duration_ms: float | None = None,
        trace_id: str | None = None,
    ) -> AuditEntry:
        """Append one entry; every operation goes through here."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if result not in RESULTS:
            raise ValueError(f"audit result must be one of {RESULTS}, not {result!r}")
        user, host, os_name = self.who or identity()
        fields: dict[str, Any] = {
            "user": user,
            "host": host,
            "os": os_name,
            "action": action,
            "project": project,
            "packages": [p.as_json() for p in packages],
            "details": json.loads(json.dumps(details or {}, default=str)),
            "result": result,
            # A float always: the REAL column gives one back, and the hash must agree.
            "duration_ms": round(float(duration_ms), 3) if duration_ms is not None else None,
            "trace_id": trace_id,
        }
        clock = self.clock
        row = await self.store.run(lambda connection: _append(connection, fields, clock()))
        return entry_from_row(row)

    async def entries(self, wanted: AuditFilter | None = None) -> list[AuditEntry]:
        wanted = wanted or AuditFilter()
        clauses, params = [], []
        if wanted.since_ns is not None:
            clauses.append("timestamp_ns >= ?")
            params.append(wanted.since_ns)
        if wanted.after_seq is not None:
            clauses.append("seq > ?")
            params.append(wanted.after_seq)
        if wanted.action:
            clauses.append("action = ?")
            params.append(wanted.action)
        if wanted.project:
            clauses.append("project = ?")
            params.append(wanted.project)
        if wanted.package:
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(audit_log.packages) "
                "WHERE json_extract(json_each.value, '$.name') = ?)"
            )
            params.append(wanted.package)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        order = "DESC" if wanted.newest_first else "ASC"
        limit = f"LIMIT {int(wanted.limit)}" if wanted.limit else ""
        rows = await self.store.query(
            f"SELECT {', '.join(COLUMNS)} FROM audit_log {where} ORDER BY seq {order} {limit}",
            params,
        )
        return [entry_from_row(tuple(row)) for row in rows]

    async def last_seq(self) -> int:
        rows = await self.store.query("SELECT MAX(seq) FROM audit_log")
        return int(rows[0][0] or 0)

    async def verify(self) -> Verification:
        rows = await self.store.query(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY seq")
        return verify_entries(row_dict(tuple(row)) for row in rows)


def _append(
    connection: sqlite3.Connection, fields: dict[str, Any], timestamp_ns: int
) -> tuple[Any, ...]:
    """Inside the writer's transaction: chain to the last entry and insert."""
    last = connection.execute(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = {**fields, "seq": seq, "timestamp_ns": timestamp_ns, "prev_hash": prev_hash}
    digest = entry_hash(hashed_fields(entry))
    row = (
        seq,
        entry["timestamp_ns"],
        entry["user"],
        entry["host"],
        entry["os"],
        entry["action"],
        entry["project"],
        json.dumps(entry["packages"], ensure_ascii=False),
        json.dumps(entry["details"], ensure_ascii=False, sort_keys=True),
        entry["result"],
        entry["duration_ms"],
        entry["trace_id"],
        prev_hash,
        digest,
    )
    connection.execute(
        f"INSERT INTO audit_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        row,
    )
    return row


@lru_cache(maxsize=1)
def identity() -> tuple[str, str, str]:
    """Who and where: the login name, the host name, the operating system."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return user, socket.gethostname(), f"{platform.system()} {platform.release()}".strip()
