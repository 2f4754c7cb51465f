"""Audit entries as read and exported: the actions and results, the fields and their
order, filters, and the conversions from stored rows and exported documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backend.audit.fields import ACTIONS, COLUMNS, EXPORT_FIELDS, RESULTS

__all__ = ["ACTIONS", "COLUMNS", "EXPORT_FIELDS", "RESULTS", "AuditEntry", "AuditFilter"]


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


@dataclass(slots=True)
class AuditFilter:
    since_ns: int | None = None
    action: str | None = None
    project: str | None = None
    package: str | None = None
    limit: int | None = None
    newest_first: bool = False
    after_seq: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The filters an export used, as its audit entry records them."""
        return {
            key: value
            for key, value in (
                ("since_ns", self.since_ns),
                ("action", self.action),
                ("project", self.project),
                ("package", self.package),
            )
            if value is not None
        }


def row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    entry = dict(zip(COLUMNS, row, strict=True))
    entry["packages"] = json.loads(entry["packages"])
    entry["details"] = json.loads(entry["details"])
    return entry


def entry_from_row(row: tuple[Any, ...]) -> AuditEntry:
    entry = row_dict(row)
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
