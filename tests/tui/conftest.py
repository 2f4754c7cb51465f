"""Helpers for Pilot tests: an app over a workspace, and waiting for it to settle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from app.tui import DevkitApp
from backend.settings import Settings


def make_app(root: Path, db: Path, watch: bool = False) -> DevkitApp:
    return DevkitApp(Settings(roots=[root], db_path=db, watch=watch))


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 60
) -> None:
    """Let the app run until `condition()` holds; fail if it never does (the limit is
    generous: a loaded CI machine is slow, and a condition met early costs nothing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition never became true")
        await pilot.pause(0.02)


async def wait_for_inventory(pilot: Pilot[None], count: int = 1) -> None:
    app = pilot.app
    assert isinstance(app, DevkitApp)
    await wait_until(pilot, lambda: app.updates_applied >= count)
    await pilot.pause()


async def wait_for_watcher(pilot: Pilot[None], manifest: Path) -> None:
    """Rewrite a manifest as it is until a refresh shows the watcher is running (it
    starts after the first scan; a fixed wait is too short on a busy machine)."""
    app = pilot.app
    assert isinstance(app, DevkitApp)
    seen = app.updates_applied
    while app.updates_applied == seen:
        manifest.write_bytes(manifest.read_bytes())
        with contextlib.suppress(AssertionError):
            await wait_until(pilot, lambda: app.updates_applied > seen, timeout=2)
    await pilot.pause()
