"""SVG snapshots: the look of each screen at 80x24 and at 160x48.

The workspace is built at a fixed path so paths in the detail screen are stable;
notifications are cleared so no toast's timing leaks into the picture.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backend.demo import build_demo_workspace
from tests.ui.conftest import make_app, wait_for_inventory

FIXED = Path("/tmp/devkit-tui-snapshot")


@pytest.fixture
def fixed_demo(tmp_path: Path) -> Path:
    shutil.rmtree(FIXED, ignore_errors=True)
    return build_demo_workspace(FIXED / "demo")


def settle(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_inventory(pilot)
        pilot.app.clear_notifications()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_dashboard(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=size, run_before=settle())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_filtered_by_project_view(
    snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(
        app, terminal_size=size, run_before=settle("v", "slash", *"pydantic", "enter")
    )


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_package_detail(
    snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(
        app, terminal_size=size, run_before=settle("slash", *"pydantic", "enter", "enter")
    )


def test_tree_pane_narrow(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle("2"))


def test_errors_screen(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle("e"))
