"""--otlp-export: devkit's own spans also go to another OTLP/HTTP receiver."""

from __future__ import annotations

from pathlib import Path

from backend.service import Backend
from backend.settings import Settings
from backend.telemetry import names
from tests.backend.telemetry.conftest import Receiving


async def test_own_spans_are_forwarded(
    receiving: Receiving, demo_workspace: Path, tmp_path: Path
) -> None:
    forwarding = Backend(
        Settings(
            roots=[demo_workspace],
            db_path=tmp_path / "other.sqlite3",
            watch=False,
            otlp_export=receiving.traces_url,
        )
    )
    await forwarding.start(scan=False)
    await forwarding.ready()
    await forwarding.scan()
    await forwarding.stop()  # flushes both span processors
    forwarded = await receiving.backend.spans.query(service="devkit-tui", limit=10_000)
    names_seen = {row["name"] for row in forwarded}
    assert {names.SCAN, names.PARSE, names.INVENTORY_BUILD} <= names_seen
    scan = next(row for row in forwarded if row["name"] == names.SCAN)
    assert scan["attributes"][names.PROJECT_COUNT] == 7
