"""The tree pane driven by keys: follow the inventory, invert, go forward, expand,
jump back to the inventory."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.dependency_tree import DependencyTree
from widgets.inventory_table import InventoryTable


def labels(tree: DependencyTree) -> list[str]:
    out = []

    def walk(node, depth: int) -> None:  # type: ignore[no-untyped-def]
        out.append("  " * depth + node.label.plain)
        if node.is_expanded:
            for child in node.children:
                walk(child, depth + 1)

    walk(tree.root, 0)
    return out


async def test_tree_follows_inventory_and_answers_why(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"name:numpy", "enter", "2")
        tree = app.screen.query_one(DependencyTree)
        await wait_until(pilot, lambda: tree.root.label.plain.startswith("numpy"))
        assert labels(tree) == [
            "numpy  why is it here?",
            "  numpy 2.2.1  [conflict]  in data-pipeline",
        ]
        await pilot.press("down", "space")  # expand: who needs numpy there?
        await pilot.pause()
        # The project's edge carries the specifier its uv.lock recorded.
        assert labels(tree)[2:] == ["    project data-pipeline  >=2.1", "    pandas 2.2.3"]
        await pilot.press("f")  # forward from the project
        await pilot.pause()
        forward = labels(tree)
        assert forward[0] == "project data-pipeline"
        assert "  numpy 2.2.1  [conflict]  >=2.1" in forward
        pandas = forward.index("  pandas 2.2.3  >=2.2")
        await pilot.press(*["down"] * pandas, "space")
        await pilot.pause()
        assert "    python-dateutil 2.9.0.post0" in labels(tree)
        await pilot.press("enter")  # back to the inventory, on pandas
        await pilot.pause()
        table = app.screen.query_one(InventoryTable)
        assert app.screen.query_one("#inventory-box").display
        assert table.package_at_cursor() == ("pandas", None)
        assert table.query == ""  # the filter that hid pandas was cleared


async def test_inverted_tree_spans_every_project(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"name:pydantic-core", "enter")
        tree = app.screen.query_one(DependencyTree)
        await wait_until(pilot, lambda: tree.root.label.plain.startswith("pydantic-core"))
        projects = {line.rsplit(" in ", 1)[1] for line in labels(tree)[1:]}
        assert projects == {
            "api-service",
            "data-pipeline",
            "platform",
            "platform-core",
            "platform-cli",
        }


async def test_slash_searches_the_tree(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"name:numpy", "enter", "2")
        tree = app.screen.query_one(DependencyTree)
        await wait_until(pilot, lambda: tree.root.label.plain.startswith("numpy"))
        await pilot.press("f", "slash", *"six", "enter")
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.label.plain == "six 1.17.0"
        path = []
        node = tree.cursor_node
        while node is not None:
            path.append(node.label.plain.split()[0])
            node = node.parent
        assert path[::-1] == ["project", "pandas", "python-dateutil", "six"]


async def test_depth_limit_opens_the_tree_to_it(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for_inventory(pilot)
        await pilot.press("slash", *"name:numpy", "enter", "2")
        tree = app.screen.query_one(DependencyTree)
        await wait_until(pilot, lambda: tree.root.label.plain.startswith("numpy"))
        await pilot.press("f", "d")  # depth 1: the direct dependencies, nothing opens
        await pilot.pause()
        one = labels(tree)
        assert one[0] == "project data-pipeline  depth ≤ 1"
        assert "  pandas 2.2.3  >=2.2" in one and not any(line.startswith("    ") for line in one)
        assert not any(node.allow_expand for node in tree.root.children)
        await pilot.press("d")  # depth 2: every direct dependency opened one level
        await pilot.pause()
        two = labels(tree)
        assert "    python-dateutil 2.9.0.post0" in two
        assert not any(line.startswith("      ") for line in two)  # six is level 3
        await pilot.press("d", "d", "d")  # 3, 5, then no limit: closed again
        await pilot.pause()
        assert labels(tree)[0] == "project data-pipeline"
        assert not any(line.startswith("    ") for line in labels(tree))


async def test_tree_catches_up_when_the_cursor_moves_during_a_build(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """The cursor moves on while the tree builds the last package's graphs, and that
    build ends before the new package's turn: the tree still shows the new package
    (the finished build once marked the new package as shown, so it never came)."""
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:  # every pane on screen
        await wait_for_inventory(pilot)
        tree = app.screen.query_one(DependencyTree)
        await wait_until(pilot, lambda: tree.data_shown is not None)
        assert tree.data_shown.package == "annotated-types"  # type: ignore[union-attr]
        building = threading.Event()
        real_graph = app.backend.project_graph

        def overtaken_graph(folder: Path):  # type: ignore[no-untyped-def]
            building.set()
            deadline = time.monotonic() + 30
            while app._tree_for[0] != "certifi" and time.monotonic() < deadline:  # type: ignore[index]
                time.sleep(0.001)
            return real_graph(folder)

        app.backend.project_graph = overtaken_graph  # type: ignore[method-assign]
        await pilot.press("down")  # anyio: its build waits for the next key
        await wait_until(pilot, building.is_set)
        app.backend.project_graph = real_graph  # type: ignore[method-assign]
        await pilot.press("down")  # certifi
        await wait_until(pilot, lambda: tree.data_shown.package == "certifi", timeout=15)  # type: ignore[union-attr]


async def test_a_failing_background_job_says_so(demo_workspace: Path, tmp_path: Path) -> None:
    """A worker that raises is reported as a notification naming the job and the
    error, and the app stays up."""
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_inventory(pilot)

        def broken_graph(folder: Path):  # type: ignore[no-untyped-def]
            raise RuntimeError("the [b]lock[/b] is unreadable")

        app.backend.project_graph = broken_graph  # type: ignore[method-assign]
        await pilot.press("down")
        await wait_until(pilot, lambda: any("unreadable" in n.message for n in app._notifications))
        note = next(n for n in app._notifications if "unreadable" in n.message)
        assert note.message.startswith("dependency tree: RuntimeError(")
        assert "[b]lock[/b]" in note.message and note.severity == "error"
        assert app.is_running
