"""Every table of the dashboard: the k9s keys move it, and a line drawn before the
table measured its new rows is never shown again once it has."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult

from widgets.navigable_table import NavigableTable


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield NavigableTable(cursor_type="row")


async def test_lines_drawn_before_measuring_are_not_kept() -> None:
    app = OneTable()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.query_one(NavigableTable)
        table.add_column("Package", key="package")
        table.add_column("Version", key="version")
        await pilot.pause()
        table.add_row("a-package-with-a-long-name", "1.2.3")
        early = table.render_line(0).text  # drawn before the idle measure, as a busy app may
        assert early.index("Version") < len("a-package-with-a-long-name")
        await table._on_idle(events.Idle())  # what the message loop runs when it empties
        header = table.render_line(0).text
        assert header.index("Version") > len("a-package-with-a-long-name")


async def test_vim_keys_move_the_cursor() -> None:
    app = OneTable()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(NavigableTable)
        table.add_column("n", key="n")
        for number in range(30):
            table.add_row(str(number), key=str(number))
        table.focus()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 29
        await pilot.press("g")
        assert table.cursor_row == 0


class Packages(NavigableTable[object]):
    SHRINKS = {"name": 8, "versions": 6}
    IN_VIEW = "flags"


class PackagesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Packages()


async def test_columns_give_way_with_an_ellipsis_and_key_columns_stay_in_view() -> None:
    from rich.text import Text

    app = PackagesApp()
    async with app.run_test(size=(100, 8)) as pilot:
        table = app.query_one(Packages)
        for label in ("Name", "Versions", "Flags", "Declared"):
            table.add_column(label, key=label.lower())
        long_name, versions = "charset-normalizer-extras", "2024.8.30 2024.12.14"
        table.add_row(Text(long_name), Text(versions), Text("drift,outdated"), Text(">=2024"))
        await pilot.pause()
        assert long_name in table.render_line(1).text  # wide enough: nothing is cut

        await pilot.resize_terminal(44, 8)
        await pilot.pause()
        row = table.render_line(1).text
        assert "drift,outdated" in row  # the key column, whole and on screen
        assert "charset…" in row and "2024.8.30 202…" in row  # cut, and they say so
        assert long_name not in row

        await pilot.resize_terminal(100, 8)
        await pilot.pause()
        assert long_name in table.render_line(1).text  # wide again: whole again


async def test_many_rows_removed_at_once_leave_the_rest_in_order() -> None:
    """`remove_rows` renumbers once: what is left keeps its order, its keys find their
    rows, the cursor stays inside the table, and the table can still sort and grow."""
    app = OneTable()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(NavigableTable)
        table.add_column("n", key="n")
        for number in range(1000):
            table.add_row(Text(str(number)), key=str(number))
        table.move_cursor(row=990)
        await pilot.pause()
        table.remove_rows([str(n) for n in range(1000) if n % 7])  # keep multiples of 7
        kept = [str(n) for n in range(0, 1000, 7)]
        assert table.row_count == len(kept) == 143
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == kept
        assert all(table.get_row_index(key) == i for i, key in enumerate(kept))
        assert table.cursor_row == table.row_count - 1  # was on a removed row past the end
        table.remove_rows(["not-a-row", "7"])  # unknown keys are ignored
        table.add_row(Text("new"), key="new")
        table.sort("n", key=lambda cell: cell.plain)
        assert table.row_count == 143 and str(table.get_row_at(0)[0]) == "0"
        await pilot.pause()


async def test_widths_of_plain_rows_are_their_cell_lengths() -> None:
    """New one-line Text rows are measured from their cell lengths (wide characters
    count twice), as Rich would measure them."""
    app = OneTable()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.query_one(NavigableTable)
        table.add_column("Package", key="package")
        table.add_column("Version", key="version")
        table.add_row(Text("numpy"), Text("2.2.1"))
        table.add_row(Text("日本語パッケージ"), Text("1.0"))
        await pilot.pause()
        widths = {key.value: column.content_width for key, column in table.columns.items()}
        assert widths == {"package": 16, "version": len("Version")}


async def test_rows_removed_leave_the_lines_drawn_meanwhile_in_place() -> None:
    """A filter keystroke hides rows; the lines drawn for what is left are right (the
    columns keep their widths), so measuring when idle does not draw them all again:
    a 10,000-row table would be drawn twice per key."""
    app = OneTable()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(NavigableTable)
        table.add_column("n", key="n")
        for number in range(100):
            table.add_row(Text(f"row {number}"), key=str(number))
        await pilot.pause()
        drawn: list[int] = []
        draw = table._render_line_in_row

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            drawn.append(1)
            return draw(*args, **kwargs)

        table._render_line_in_row = counted  # type: ignore[method-assign]
        table.remove_rows([str(n) for n in range(50)])
        first = table.render_line(1).text
        assert drawn and "row 50" in first
        drawn.clear()
        await table._on_idle(events.Idle())
        assert table.render_line(1).text == first
        assert not drawn  # the same line, from the cache

        table.add_row(Text("a row much wider than the others were"), key="wide")
        table.render_line(1)
        await table._on_idle(events.Idle())  # the column grew: its lines are drawn again
        drawn.clear()
        assert "row 50" in table.render_line(1).text
        assert drawn
