"""The advisory database in the store: OSV records imported from an export (a zip of
JSON records, as osv.dev publishes per ecosystem, or a folder tree of YAML or JSON
files, as the PyPA advisory database is laid out), and read back by package name.

A re-import writes only records whose `modified` changed. A record that cannot be read
is reported with its file and id and skipped; the import goes on.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.security.lookup import Entry, PackageAdvisories, Record, compact, entry_from
from backend.security.osv import Advisory, Affected, BadRecord, advisory_from
from backend.store.database import Statements, Store

RECORD_SUFFIXES = (".json", ".yaml", ".yml")


class ImportProblem(ValueError):
    """The export itself cannot be read (not a zip nor a folder, a broken zip)."""


@dataclass(slots=True)
class Skipped:
    id: str | None
    file: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "reason": self.reason}


@dataclass(slots=True)
class ImportResult:
    read: int = 0
    written: int = 0
    """New records and records whose `modified` changed."""
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    records: int
    imported_from: str | None
    age_s: float | None


def read_export(path: Path) -> Iterator[tuple[str, dict[str, Any] | Skipped]]:
    """(file name, record) for each record of the export; a record that does not parse
    comes as a Skipped."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.suffix in RECORD_SUFFIXES):
            yield str(file), _parsed(str(file), file.read_bytes(), file.suffix)
        return
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        message = f"{path}: neither a folder of OSV records nor a zip of them ({exc})"
        raise ImportProblem(message) from None
    with archive:
        for info in archive.infolist():
            suffix = Path(info.filename).suffix
            if info.is_dir() or suffix not in RECORD_SUFFIXES:
                continue
            yield info.filename, _parsed(info.filename, archive.read(info), suffix)


def _parsed(file: str, data: bytes, suffix: str) -> dict[str, Any] | Skipped:
    try:
        if suffix == ".json":
            record = json.loads(data)
        else:
            import yaml

            record = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (ValueError, UnicodeDecodeError) as exc:  # JSON and YAML errors are ValueErrors
        return Skipped(None, file, f"not JSON or YAML: {exc}".split("\n")[0])
    except Exception as exc:  # yaml.YAMLError is not a ValueError
        return Skipped(None, file, f"not YAML: {exc}".split("\n")[0])
    if not isinstance(record, dict):
        return Skipped(None, file, "not an OSV record (no mapping at the top)")
    return record


async def import_export(store: Store, path: Path) -> ImportResult:
    """Read the export and store what is new or changed."""
    result = ImportResult()
    known = {row[0]: row[1] for row in await store.query("SELECT id, modified FROM advisories")}
    now = time.time_ns()
    rows: list[tuple[Any, ...]] = []
    names: list[tuple[str, str]] = []
    for file, record in read_export(path):
        if isinstance(record, Skipped):
            result.skipped.append(record)
            continue
        result.read += 1
        if known.get(_id(record) or "") == str(record.get("modified") or ""):
            continue  # unchanged: not even parsed again
        try:
            advisory = advisory_from(record)
        except (BadRecord, AttributeError, TypeError) as exc:
            result.skipped.append(Skipped(_id(record), file, str(exc) or type(exc).__name__))
            continue
        if known.get(advisory.id) == advisory.modified:
            continue
        known[advisory.id] = advisory.modified
        rows.append((advisory.id, advisory.modified, int(advisory.withdrawn),
                     json.dumps(record, default=str), str(path), now,
                     *_meta(advisory)))  # fmt: skip
        names += _packages(advisory)
    if rows:
        await store.write(_replacing(rows, names))
    result.written = len(rows)
    return result


def _meta(advisory: Advisory) -> tuple[str, str, float | None, str]:
    return (json.dumps(advisory.aliases), advisory.severity, advisory.score, advisory.summary)


def _packages(advisory: Advisory) -> list[tuple[str, str, str]]:
    """(name, id, compact form) for each package the record names."""
    by_name: dict[str, list[Affected]] = {}
    for affected in advisory.affected:
        by_name.setdefault(affected.name, []).append(affected)
    return [(name, advisory.id, compact(entries)) for name, entries in by_name.items()]


def _replacing(rows: list[tuple[Any, ...]], names: list[tuple[str, str, str]]) -> Statements:
    return [
        ("DELETE FROM advisory_packages WHERE id = ?", [(row[0],) for row in rows]),
        (
            "INSERT OR REPLACE INTO advisories (id, modified, withdrawn, record, source,"
            " imported_ns, aliases, severity, score, summary)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        ),
        ("INSERT OR IGNORE INTO advisory_packages (name, id, ranges) VALUES (?, ?, ?)", names),
    ]


async def index_older_rows(store: Store) -> int:
    """Records imported before matching kept its own columns get them now, from the
    whole record the store kept; returns how many."""
    rows = await store.query(
        "SELECT id, modified, withdrawn, record, source, imported_ns FROM advisories"
        " WHERE aliases IS NULL"
    )
    if not rows:
        return 0
    updated: list[tuple[Any, ...]] = []
    names: list[tuple[str, str, str]] = []
    for row in rows:
        advisory = advisory_from(json.loads(row[3]))
        updated.append((*tuple(row), *_meta(advisory)))
        names += _packages(advisory)
    await store.write(_replacing(updated, names))
    return len(updated)


async def advisories_for(store: Store, names: set[str]) -> dict[str, PackageAdvisories]:
    """The records that name each package (withdrawn ones left out), by PEP 503 name,
    read from the columns kept for matching: no record is parsed again."""
    await index_older_rows(store)
    entries: dict[str, list[Entry]] = {}
    records: dict[str, Record] = {}
    wanted = sorted(names)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = await store.query(
            "SELECT p.name, p.ranges, a.id, a.aliases, a.severity, a.score, a.summary"
            " FROM advisory_packages p JOIN advisories a ON a.id = p.id"
            f" WHERE a.withdrawn = 0 AND p.name IN ({marks})",
            chunk,
        )
        for name, ranges, id_, aliases, severity, score, summary in rows:
            record = records.get(id_)
            if record is None:
                record = Record(id_, tuple(json.loads(aliases)), severity, score, summary)
                records[id_] = record
            entries.setdefault(name, []).append(entry_from(record, ranges))
    return {name: PackageAdvisories(name, found) for name, found in entries.items()}


async def database_info(store: Store) -> DatabaseInfo:
    rows = await store.query(
        "SELECT COUNT(*), MAX(imported_ns), (SELECT source FROM advisories ORDER BY"
        " imported_ns DESC LIMIT 1) FROM advisories"
    )
    count, newest, source = rows[0]
    age = (time.time_ns() - newest) / 1e9 if newest else None
    return DatabaseInfo(count, source, age)


def _id(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    return value if isinstance(value, str) else None
