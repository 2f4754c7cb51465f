"""The update machinery as one part of the Backend: planning from the inventory and
the index, the updater on the Backend's store and tracer, recovery after a crash."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from backend.events import BackendNotice, EventBus
from backend.update.batch import Updater
from backend.update.plan import Selection, Skipped, UnitPlan, plan_changes
from backend.update.uv_runner import UvMissing, uv_binary

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

    from backend.audit.operations import OperationLog
    from backend.index.outdated import Lookup, Outdated
    from backend.inventory.model import Inventory
    from backend.policy.bundle import LoadedBundle
    from backend.settings import Settings
    from backend.store.database import Store
    from backend.update.policy_plan import PolicyPlan
    from backend.workspace.reader import WorkspaceReader


class UpdateContext(Protocol):
    """What updates need of the Backend that holds them."""

    settings: Settings
    events: EventBus
    operations: OperationLog
    workspace: WorkspaceReader

    @property
    def store(self) -> Store: ...
    @property
    def tracer(self) -> Tracer: ...
    @property
    def inventory(self) -> Inventory | None: ...
    async def scan(self, reason: str = "scan") -> Inventory: ...
    async def outdated(
        self, inventory: Inventory, explicit_index: str | None, offline: bool, **options: Any
    ) -> tuple[list[Outdated], Lookup]: ...


class Updates:
    """Plans, applies (through `updater()`) and recovers updates for one Backend."""

    def __init__(self, backend: UpdateContext) -> None:
        self._backend = backend
        self._recovering = asyncio.Lock()

    def updater(self, require_uv: bool = True) -> Updater:
        """The update machinery on the Backend's store; raises `UvMissing` when uv is
        needed and cannot be found."""
        backend = self._backend
        try:
            uv = uv_binary(backend.settings.uv_path)
        except UvMissing:
            if require_uv:
                raise
            uv = "uv"  # files are still restored; the environment re-sync will say so
        return Updater(
            backend.store,
            backend.operations.record,
            backend.tracer,
            uv,
            backend.settings.update_concurrency,
        )

    async def recover(self) -> list[str]:
        """Restore the projects an interrupted update left half done (a crash or a
        SIGKILL mid-update); returns their names and tells the user."""
        async with self._recovering:
            restored = await self.updater(require_uv=False).recover()
        projects = sorted(entry.project for entry in restored)
        if projects:
            self._backend.events.publish(
                BackendNotice(f"restored after an interrupted update: {', '.join(projects)}")
            )
        return projects

    async def plan(
        self,
        selection: Selection,
        explicit_index: str | None = None,
        offline: bool = False,
        max_age_s: float | None = None,
    ) -> tuple[list[UnitPlan], list[Skipped]]:
        """Which units change and how (nothing resolved or written yet). Targets come
        from the index (or its cache when offline) unless every request names one."""
        backend = self._backend
        inventory = backend.inventory or await backend.scan(reason="scan")
        rows: list[Outdated] = []
        unchecked: dict[str, str] = {}
        needs_index = selection.all_outdated or selection.pairs
        if needs_index or any(r.version is None for r in selection.requests):
            rows, lookup = await backend.outdated(
                inventory, explicit_index, offline, max_age_s=max_age_s
            )
            unchecked = {n: e for n, e in lookup.errors.items() if n not in lookup.releases}
        return plan_changes(inventory, backend.workspace.scans, rows, selection, unchecked)

    async def plan_policy(
        self, loaded: LoadedBundle, environment: str | None = None,
        projects: list[str] | None = None,
    ) -> PolicyPlan:  # fmt: skip
        """The bundle compiled into each lock's constraints, as units to resolve."""
        from backend.update.policy_plan import plan_policy

        backend = self._backend
        inventory = backend.inventory or await backend.scan(reason="scan")
        return plan_policy(inventory, backend.workspace.scans, loaded, environment, projects)
