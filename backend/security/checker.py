"""The Backend's security part: imports advisory exports into its store and audits the
inventory against them, each check an audited `vulns` operation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from backend.audit.entries import PackageChange
from backend.audit.operations import OperationLog
from backend.inventory.model import Inventory
from backend.security.advisories import (
    DatabaseInfo,
    ImportResult,
    advisories_for,
    database_info,
    import_export,
)
from backend.security.matching import (
    LOCAL_SOURCES,
    PackageResult,
    mark_vulnerable,
    match_inventory,
)
from backend.store.database import Store
from backend.telemetry import names

if TYPE_CHECKING:
    from backend.security.online import OnlineAnswer


class VulnerabilityChecker:
    def __init__(self, store: Store, operations: OperationLog) -> None:
        self._store = store
        self._operations = operations
        self.fixes: dict[tuple[str, str], str] = {}
        """(name, project) to the release that fixes it, from the last check: an update
        of a vulnerable package planned in the dashboard goes there."""
        self.vulnerable: dict[str, list[PackageResult]] = {}
        """Package name to its vulnerable usages, with their findings, from the last check."""
        self.online: OnlineAnswer | None = None
        """What the OSV service said in the last check, when it was asked."""

    async def import_export(self, path: Path) -> ImportResult:
        return await import_export(self._store, path)

    async def database(self) -> DatabaseInfo:
        return await database_info(self._store)

    async def check(
        self, inventory: Inventory, audited: bool = True, osv_url: str | None = None
    ) -> list[PackageResult]:
        """Every package's state, audited as `vulns` (counts by state, the findings),
        and marked on the inventory (`vulnerable`). With `osv_url`, what no imported
        database covers is asked of that OSV service. The dashboard's marks after each
        scan are not audited: only a check someone asked for is an operation."""
        self.online = None
        async with self._operations.operation("vulns", names.VULNS) as operation:
            operation.audited = audited
            info = await database_info(self._store)
            found = await advisories_for(self._store, set(inventory.packages))
            covered = info.records > 0
            if osv_url is not None and not covered:
                from backend.security.online import ask_osv

                self.online = await ask_osv(self._store, osv_url, _auditable(inventory))
            # 10,000 packages take most of a second to match: in a thread, so the dashboard's loop
            # keeps drawing; it reads only what a scan built, which marks never change.
            results = await asyncio.to_thread(
                match_inventory, inventory, found, covered, self.online
            )
            counts: dict[str, int] = {}
            for result in results:
                counts[result.state] = counts.get(result.state, 0) + 1
            vulnerable = [r for r in results if r.state == "vulnerable"]
            operation.details = {
                "states": counts,
                "records": info.records,
                "findings": sum(len(r.findings) for r in vulnerable),
            }
            if self.online is not None:
                operation.details["online"] = self.online.as_json()
            operation.span.set_attribute(names.PACKAGE_COUNT, len(inventory.packages))
            operation.packages = [PackageChange(r.name, r.version, r.fix) for r in vulnerable]
            operation.result = "failure" if vulnerable or counts.get("not-audited") else "success"
        mark_vulnerable(inventory, results)
        self.fixes = {(r.name, r.project): r.fix for r in results if r.fix is not None}
        self.vulnerable = {}
        for result in results:
            if result.state == "vulnerable":
                self.vulnerable.setdefault(result.name, []).append(result)
        return results


def _auditable(inventory: Inventory) -> list[tuple[str, str]]:
    """The (name, version) pairs an advisory database can speak of: not local sources."""
    pairs = []
    for name, row in inventory.packages.items():
        for usage in row.usages:
            if (usage.source or "").partition(":")[0] in LOCAL_SOURCES:
                continue
            pairs += [(name, v) for v in [*usage.locked, *filter(None, [usage.installed])]]
    return sorted(set(pairs))
