"""The inventory pane driven by keys, as a person would."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from screens.errors import ErrorsScreen
from screens.help import HelpScreen
from screens.package_detail import PackageDetailScreen
from tests.helpers import add_dist, site_packages
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.inventory_table import InventoryTable


def column(table: DataTable, key: str) -> list[str]:  # type: ignore[type-arg]
    return [cell.plain for cell in table.get_column(key)]


async def test_filter_as_you_type_and_clear(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        everything = column(table, "name")
        assert len(everything) == 38
        await pilot.press("slash", *"drift")
        await pilot.pause()
        assert column(table, "name") == [
            "certifi",
            "charset-normalizer",
            "idna",
            "pydantic",
            "pydantic-core",
            "urllib3",
        ]
        status = app.screen.query_one("#inventory-status", Static)
        assert "6/38 packages" in str(status.render()) and "/drift" in str(status.render())
        await pilot.press("backspace", *"", "escape")
        await pilot.pause()
        assert column(table, "name") == everything
        await pilot.press("slash", *"flag:conflict project:data")
        await pilot.pause()
        assert column(table, "name") == ["numpy"]


async def test_sort_by_key_and_by_header_click(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        names = column(table, "name")
        assert names == sorted(names)
        await pilot.press("S")  # reverse the name sort
        await pilot.pause()
        assert column(table, "name") == sorted(names, reverse=True)
        await pilot.press("s", "s", "s")  # name -> versions -> flags -> projects
        await pilot.pause()
        counts = [int(c) for c in column(table, "projects")]
        assert counts == sorted(counts) and table.order.column == "projects"
        await pilot.click(InventoryTable, offset=(30, 0))  # the Versions header
        await pilot.pause()
        assert table.order.column == "versions"


async def test_mark_rows_with_space(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        table = app.screen.query_one(InventoryTable)
        await pilot.press("space", "j", "j", "space", "j", "space", "k", "space")
        await pilot.pause()
        names = column(table, "name")
        assert table.marked == {names[0], names[3]}
        assert column(table, "mark")[:4] == ["●", " ", " ", "●"]
        await pilot.press("slash", *"pydantic", "enter")
        await pilot.pause()
        assert table.marked == {names[0], names[3]}  # marks outlive a filter
        assert "2 marked" in str(app.screen.query_one("#inventory-status", Static).render())


async def test_enter_opens_detail_and_escape_closes(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"httpx", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PackageDetailScreen))
        usages = app.screen.query_one(DataTable)
        assert [c.plain for c in usages.get_row_at(0)][:6] == [
            "api-service",
            ">=0.27",
            "main",
            "0.28.1",
            "0.27.2",
            "direct",
        ]
        meta = str(app.screen.query_one("#detail-meta", Static).render())
        assert "The next generation HTTP client." in meta
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PackageDetailScreen)


async def test_view_by_project(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("v", "slash", *"name:typer")
        await pilot.pause()
        table = app.screen.query_one(InventoryTable)
        assert column(table, "project") == ["platform", "platform-cli"]
        assert table.order.column == "project"
        assert column(table, "direct") == ["transitive", "direct"]


async def test_untrusted_summary_is_shown_as_text(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project).mkdir()
    (project / "requirements.txt").write_text("evil==1.0\nloud==1.0\n")
    from tests.helpers import make_venv

    venv = make_venv(project / ".venv", {})
    add_dist(site_packages(venv), "evil", "1.0", summary="[bold red]not markup[/] \x1b[2J")
    add_dist(site_packages(venv), "loud", "1.0", summary="[link=http://x]click[/link]")
    app = make_app(tmp_path, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("enter")  # evil is the first row
        await wait_until(pilot, lambda: isinstance(app.screen, PackageDetailScreen))
        meta = app.screen.query_one("#detail-meta", Static).render()
        plain = meta.plain if hasattr(meta, "plain") else str(meta)
        assert "[bold red]not markup[/] \\x1b[2J" in plain
        assert "\x1b" not in plain
        await pilot.press("escape", "j", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PackageDetailScreen))
        meta = app.screen.query_one("#detail-meta", Static).render()
        assert "[link=http://x]click[/link]" in (
            meta.plain if hasattr(meta, "plain") else str(meta)
        )


async def test_errors_screen_lists_bad_files(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorsScreen))
        listing = str(app.screen.query_one("#errors-list", Static).render())
        assert "broken-service  pyproject.toml:8" in listing
        assert "invalid TOML: missing comma between array elements" in listing


async def test_digits_switch_panes_when_narrow(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_inventory(pilot)
        screen = app.screen
        assert screen.query_one("#inventory-box").display
        assert not screen.query_one("#tree-box").display
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one("#tree-box").display
        assert not screen.query_one("#inventory-box").display
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # 2 -> 3 -> 4 -> 5 -> 6 -> 1
        await pilot.pause()
        assert screen.query_one("#inventory-box").display
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Filter the inventory" in str(app.screen.query_one(Static).render())


async def test_too_small_terminal_says_so(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#too-small").display
        assert not app.screen.query_one("#panes").display


async def test_copy_the_package_name(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"httpx", "enter", "y")
        await pilot.pause()
        assert app.clipboard == "httpx"
