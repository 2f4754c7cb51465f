"""A scan process that stops answering does not leave the dashboard scanning forever:
it is killed and the scan runs in the parent."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from app.commands.dashboard import begin_first_scan
from backend.events import BackendProblem, InventoryUpdated
from backend.service import Backend
from backend.settings import Settings


async def test_a_stalled_scan_process_is_replaced(
    demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    service = Backend(settings, scan_in_child=True, first_scan=begin_first_scan(settings))
    service.workspace.stall_after_s = 1.0
    events = service.subscribe()
    child = service.workspace.child
    assert child is not None
    processes = list(child._pool._processes.values())  # type: ignore[attr-defined]
    os.kill(processes[0].pid, signal.SIGSTOP)  # alive, silent: as a deadlocked child
    await service.start()
    try:
        seen: list[object] = []
        while not any(isinstance(e, InventoryUpdated) for e in seen):
            seen.append(await asyncio.wait_for(events.get(), 30))
    finally:
        await service.stop()
    problems = [e.message for e in seen if isinstance(e, BackendProblem)]
    assert any("scan process gave no sign of life" in m for m in problems)
    inventory = next(e.inventory for e in seen if isinstance(e, InventoryUpdated))
    assert len(inventory.projects) == 7 and service.workspace.child is None
    processes[0].join(5)
    assert not processes[0].is_alive()  # killed, not left stopped
