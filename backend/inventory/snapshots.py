"""Store inventory snapshots: one per project whose picture changed, with a timestamp."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any

from backend.inventory.model import Inventory, ProjectInfo, Usage
from backend.json_text import compact
from backend.store.database import Store

_INSERT_SNAPSHOT = (
    "INSERT INTO inventory_snapshots (id, taken_at_ns, project_path, project_name, kind, digest,"
    " package_count, error_count, errors, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_PACKAGE = (
    "INSERT INTO snapshot_packages (snapshot_id, name, declared, groups, locked, installed,"
    " direct, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class SnapshotRecorder:
    """Writes a project's snapshot only when its content differs from the last one stored."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._last_digest: dict[str, str] = {}

    async def load(self) -> None:
        """Remember the newest stored digest of each project, so restarts write nothing new."""
        rows = await self.store.query(
            "SELECT project_path, digest FROM inventory_snapshots s WHERE taken_at_ns = (SELECT"
            " max(taken_at_ns) FROM inventory_snapshots t WHERE t.project_path = s.project_path)"
        )
        self._last_digest = {row[0]: row[1] for row in rows}

    async def record(self, inventory: Inventory, reason: str) -> int:
        """Store snapshots of changed projects; returns how many were written.

        The rows and digests are computed in a thread: on a large workspace that is
        tens of milliseconds the UI should spend drawing instead.
        """
        snapshots, packages = await asyncio.to_thread(self._changed_rows, inventory, reason)
        if snapshots:
            await self.store.write([(_INSERT_SNAPSHOT, snapshots), (_INSERT_PACKAGE, packages)])
        return len(snapshots)

    def _changed_rows(
        self, inventory: Inventory, reason: str
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        usages: dict[str, list[tuple[str, Usage]]] = {p.name: [] for p in inventory.projects}
        for row in inventory.packages.values():
            for usage in row.usages:
                usages.setdefault(usage.project, []).append((row.name, usage))
        snapshots: list[tuple[Any, ...]] = []
        packages: list[tuple[Any, ...]] = []
        for project in inventory.projects:
            rows = [_package_row(name, usage) for name, usage in usages.get(project.name, [])]
            digest = _digest(project, rows)
            key = str(project.path)
            if self._last_digest.get(key) == digest:
                continue
            snapshot_id = secrets.randbits(62)
            errors = compact([[e.file, e.line, e.message] for e in project.errors])
            snapshots.append(
                (
                    snapshot_id,
                    inventory.built_at_ns,
                    key,
                    project.name,
                    project.kind,
                    digest,
                    len(rows),
                    len(project.errors),
                    errors,
                    reason,
                )
            )
            packages.extend((snapshot_id, *r) for r in rows)
            self._last_digest[key] = digest
        return snapshots, packages


def _package_row(name: str, usage: Usage) -> tuple[Any, ...]:
    return (
        name,
        compact(usage.declared),
        compact(usage.groups),
        compact(usage.locked),
        usage.installed,
        int(usage.direct),
        compact(sorted(usage.flags)),
    )


def _digest(project: ProjectInfo, rows: list[tuple[Any, ...]]) -> str:
    payload = compact([project.name, project.kind, [str(e) for e in project.errors], rows])
    return hashlib.sha256(payload.encode()).hexdigest()
