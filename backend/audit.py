"""The audit log: every operation devkit performs, append-only and hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
canonical JSON (sorted keys, no spaces, UTF-8; every field but `hash`), so a
changed field, a removed row or rows put in another order break the chain where
it happened. Appending reads the last hash and inserts inside one write
transaction, so two processes writing to one database keep one valid chain.

A hash chain cannot show that the newest entries were cut off (nothing comes
after them to disagree); keep exports if that matters.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import platform
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from backend.store import Store

GENESIS = "0" * 64
"""The `prev_hash` of the first entry."""
RESULTS = ("success", "failure", "partial")
ACTIONS = (
    "scan",
    "ingest-start",
    "ingest-stop",
    "export",
    "config-change",
    "verify",
    "update",
    "rollback",
    "undo",
    "check",
    "security-scan",
)
COLUMNS = (
    "seq",
    "timestamp_ns",
    "user",
    "host",
    "os",
    "action",
    "project",
    "packages",
    "details",
    "result",
    "duration_ms",
    "trace_id",
    "prev_hash",
    "hash",
)


EXPORT_FIELDS = (
    "seq",
    "timestamp",
    "timestamp_ns",
    "user",
    "host",
    "os",
    "action",
    "project",
    "packages",
    "details",
    "result",
    "duration_ms",
    "trace_id",
    "hash",
    "prev_hash",
)
"""The fields of an exported entry (`as_json`), in order: the CSV's columns."""


@dataclass(frozen=True, slots=True)
class PackageChange:
    """A package an operation touched; `from_version`/`to_version` where they apply."""

    name: str
    from_version: str | None = None
    to_version: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"name": self.name, "from": self.from_version, "to": self.to_version}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    timestamp_ns: int
    user: str
    host: str
    os: str
    action: str
    project: str | None
    packages: tuple[PackageChange, ...]
    details: dict[str, Any]
    result: str
    duration_ms: float | None
    trace_id: str | None
    prev_hash: str
    hash: str

    @property
    def timestamp(self) -> str:
        """ISO 8601 in UTC with nanoseconds: `2026-11-23T12:00:00.123456789Z`."""
        seconds, nanos = divmod(self.timestamp_ns, 1_000_000_000)
        when = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{when}.{nanos:09d}Z"

    def summary(self) -> str:
        """A few words on what the entry's details say, per action."""
        details = self.details
        if self.action == "scan":
            errors = details.get("errors", 0)
            return (
                f"{details.get('reason', '')}: {details.get('projects', 0)} projects,"
                f" {details.get('packages', 0)} packages"
                + (f", {errors} unreadable file{'s' * (errors != 1)}" if errors else "")
            )
        if self.action in ("ingest-start", "ingest-stop"):
            stored = details.get("spans_stored")
            return f"{details.get('source', '')}" + (
                f": {stored} spans" if stored is not None else ""
            )
        if self.action == "export":
            return f"{details.get('format', '')}: {details.get('entries', 0)} entries"
        if self.action == "verify":
            return (
                f"{details.get('entries', 0)} entries intact"
                if details.get("ok")
                else f"broken at {details.get('first_bad_seq')}: {details.get('problem')}"
            )
        if self.action == "check":
            stats = details.get("statistics", {})
            levels = stats.get("by_level", {})
            return (
                f"{levels.get('violation', 0)} violations, {stats.get('total', 0)} findings,"
                f" {stats.get('samples', 0)} spans"
            )
        if self.action == "config-change":
            return ", ".join(sorted(details.get("changed", {})))
        if self.action in ("update", "rollback"):
            error = str(details.get("error") or "").strip().splitlines()
            return str(details.get("outcome", "")) + (f": {error[0]}" if error else "")
        if self.action == "undo":
            return (
                f"batch {details.get('batch')}: {len(details.get('restored', []))} restored,"
                f" {len(details.get('refused', {}))} refused"
            )
        return ""

    def as_json(self) -> dict[str, Any]:
        """The `devkit.audit/1` entry (plus `timestamp_ns`)."""
        return {
            "seq": self.seq,
            "timestamp": self.timestamp,
            "timestamp_ns": self.timestamp_ns,
            "user": self.user,
            "host": self.host,
            "os": self.os,
            "action": self.action,
            "project": self.project,
            "packages": [p.as_json() for p in self.packages],
            "details": self.details,
            "result": self.result,
            "duration_ms": self.duration_ms,
            "trace_id": self.trace_id,
            "hash": self.hash,
            "prev_hash": self.prev_hash,
        }


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class AuditFilter:
    since_ns: int | None = None
    action: str | None = None
    project: str | None = None
    package: str | None = None
    limit: int | None = None
    newest_first: bool = False
    after_seq: int | None = None


def hashed_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """What the hash covers, from a stored row or an exported entry alike."""
    return {
        "seq": entry["seq"],
        "timestamp_ns": entry["timestamp_ns"],
        "user": entry["user"],
        "host": entry["host"],
        "os": entry["os"],
        "action": entry["action"],
        "project": entry["project"],
        "packages": entry["packages"],
        "details": entry["details"],
        "result": entry["result"],
        "duration_ms": entry["duration_ms"],
        "trace_id": entry["trace_id"],
        "prev_hash": entry["prev_hash"],
    }


def entry_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((fields["prev_hash"] + canonical).encode("utf-8")).hexdigest()


def verify_entries(entries: Iterable[dict[str, Any]]) -> Verification:
    """Walk the chain in `seq` order (stored rows or an export read back) and name the
    first entry that was changed, removed, or inserted out of order."""
    expected_seq, expected_prev, count = 1, GENESIS, 0
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            problem = (
                f"entry {expected_seq} is missing (the next one stored is {seq})"
                if seq > expected_seq
                else f"entry {seq} appears again after entry {expected_seq - 1}"
            )
            return Verification(False, count, expected_seq, problem)
        if entry["prev_hash"] != expected_prev:
            problem = (
                f"entry {seq} does not follow entry {seq - 1}: it was inserted or moved,"
                " or the one before it was replaced"
                if seq > 1
                else "entry 1 does not start the chain"
            )
            return Verification(False, count, seq, problem)
        if entry_hash(hashed_fields(entry)) != entry["hash"]:
            return Verification(False, count, seq, f"entry {seq} was changed after it was written")
        expected_seq, expected_prev, count = seq + 1, entry["hash"], count + 1
    return Verification(True, count)


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
        return verify_entries(_row_dict(tuple(row)) for row in rows)


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


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    entry = dict(zip(COLUMNS, row, strict=True))
    entry["packages"] = json.loads(entry["packages"])
    entry["details"] = json.loads(entry["details"])
    return entry


def entry_from_row(row: tuple[Any, ...]) -> AuditEntry:
    entry = _row_dict(row)
    return AuditEntry(
        **{
            **entry,
            "packages": tuple(
                PackageChange(p.get("name", ""), p.get("from"), p.get("to"))
                for p in entry["packages"]
            ),
        }
    )


def entry_from_json(document: dict[str, Any]) -> dict[str, Any]:
    """An exported entry (JSON or CSV read back) in the shape `verify_entries` walks."""
    return {
        **document,
        "seq": int(document["seq"]),
        "timestamp_ns": int(document["timestamp_ns"]),
        "duration_ms": (
            float(document["duration_ms"]) if document["duration_ms"] not in (None, "") else None
        ),
        "project": document["project"] or None,
        "trace_id": document["trace_id"] or None,
    }


def trace_id_of(span: Any) -> str | None:
    """The 32-hex trace id of an OpenTelemetry span, or None for a no-op span."""
    context = span.get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


@lru_cache(maxsize=1)
def identity() -> tuple[str, str, str]:
    """Who and where: the login name, the host name, the operating system."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return user, socket.gethostname(), f"{platform.system()} {platform.release()}".strip()
