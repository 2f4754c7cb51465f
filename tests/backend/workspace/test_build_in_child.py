"""The dashboard's first inventory is built in the scan process, beside its scans:
there it takes no GIL from the UI. It is the inventory this process would build,
and its build span is still there, under the scan, timed in the child."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.commands.dashboard import begin_first_scan
from backend.events import InventoryUpdated
from backend.inventory.build import build_inventory
from backend.inventory.document import inventory_json
from backend.service import Backend
from backend.settings import Settings
from backend.telemetry import names


async def scan_spans(service: Backend) -> list[dict[str, object]]:
    """devkit's own spans, once the scan's span has ended (it ends after the
    inventory is published and its snapshot stored)."""
    for _ in range(1000):
        await service.flush_spans()
        spans = await service.spans.query(service=names.SERVICE, limit=10_000)
        if any(s["name"] == names.SCAN for s in spans):
            return spans
        await asyncio.sleep(0.01)
    raise AssertionError("the scan span never ended")


async def test_the_child_builds_the_inventory_this_process_would(
    demo_workspace: Path, tmp_path: Path
) -> None:
    settings = Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    service = Backend(settings, scan_in_child=True, first_scan=begin_first_scan(settings))
    events = service.subscribe()
    await service.start()
    try:
        event = await asyncio.wait_for(events.get(), 30)
        while not isinstance(event, InventoryUpdated):
            event = await asyncio.wait_for(events.get(), 30)
        assert service.workspace.derived is not None
        assert service.workspace.derived[0] is event.inventory
        here = build_inventory([demo_workspace], list(service.workspace.scans.values()))
        assert inventory_json(event.inventory) == inventory_json(here)
        spans = await scan_spans(service)
    finally:
        await service.stop()
    scan = next(s for s in spans if s["name"] == names.SCAN)
    build = next(s for s in spans if s["name"] == names.INVENTORY_BUILD)
    assert build["parent_span_id"] == scan["span_id"]
    assert build["attributes"][names.PACKAGE_COUNT] == len(here.packages)
    start, end = service.workspace.derived[1:]
    assert (build["start_time_unix_nano"], build["end_time_unix_nano"]) == (start, end)
