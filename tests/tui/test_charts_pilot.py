"""The charts pane driven by keys: series ranked by signals, the cursor naming the
rules a point trips, chart kinds, scale, rebaselining, live updates, entropy."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from backend.telemetry.model import SpanRecord
from tests.helpers import span_records
from tests.tui.conftest import wait_for_inventory, wait_until
from widgets.charts_pane import ChartsPane, SeriesList


def history(name: str, durations: list[float], errors: set[int] = frozenset(), first: int = 0):  # type: ignore[no-untyped-def, assignment]
    """Spans of one operation of the shop, ten a minute."""
    return span_records(name, durations, service="shop", errors=errors, first=first, kind=2)


CHECKOUT = [100.0 + (i * 7) % 11 for i in range(90)] + [180.0 + (i * 7) % 11 for i in range(30)]
SEARCH = [40.0 + (i * 5) % 7 - 3 for i in range(60)]


def fixed_history() -> list[SpanRecord]:
    return history("checkout", CHECKOUT, errors={5, 50, 100}) + history("search", SEARCH)


def make_quiet_app(root: Path, db: Path):  # type: ignore[no-untyped-def]
    from app.tui import DevkitApp
    from backend.settings import Settings

    return DevkitApp(Settings(roots=[root], db_path=db, watch=False, trace_self=False))


async def charts_of_fixed_history(pilot: Pilot[None]) -> ChartsPane:
    """The fixed history stored, then `4`: the charts pane once it charts the first
    series."""
    app = pilot.app
    await wait_for_inventory(pilot)
    await app.backend.ready()  # type: ignore[attr-defined]
    await app.backend.spans.add(fixed_history())  # type: ignore[attr-defined]
    await pilot.press("4")
    pane = app.screen.query_one(ChartsPane)
    chooser = app.screen.query_one(SeriesList)
    await wait_until(pilot, lambda: chooser.option_count == 2 and pane.series is not None)
    return pane


async def test_charts_follow_keys_and_live_spans(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_quiet_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await charts_of_fixed_history(pilot)
        assert pane.series is not None and pane.series.span == "checkout"  # most signals
        assert pane.series.scale == "log(ms)" and pane.series.n == 120
        assert pane.cursor == 119
        rules = str(app.screen.query_one("#chart-rules").render())
        assert "point 119" in rules and "1 (beyond 3 sigma)" in rules  # the shifted tail

        await pilot.press("left", "left")
        assert pane.cursor == 117
        await pilot.press(*["left"] * 60)  # to point 57, inside the steady baseline
        assert "within every rule" in str(app.screen.query_one("#chart-rules").render())

        await pilot.press("L")  # milliseconds
        await wait_until(pilot, lambda: pane.series is not None and pane.series.scale == "ms")
        limits_before = pane.series.limits  # type: ignore[union-attr]
        await pilot.press("b")  # new limits from the newest 50 points
        await wait_until(pilot, lambda: pane.series.limits is not limits_before)  # type: ignore[union-attr]
        assert pane.series.limits.main.center > limits_before.main.center  # type: ignore[union-attr]

        await pilot.press("c")  # X-bar/R in subgroups of 5
        await wait_until(pilot, lambda: pane.series is not None and pane.series.chart == "xbar-r")
        assert len(pane.series.points) == 24
        await pilot.press("c", "c")  # X-bar/S, then the p-chart of the error rate
        await wait_until(pilot, lambda: pane.series is not None and pane.series.chart == "p")
        assert pane.series.scale == "proportion"

        # New spans are pulled in without re-reading the store.
        seen = app.live_charts._last_row
        await app.backend.spans.add(history("search", [41.0] * 5, first=60))
        await wait_until(pilot, lambda: app.live_charts.tracked["search"].count == 65)
        assert app.live_charts._last_row == seen + 5
        await pilot.press("down")  # choose search
        await wait_until(pilot, lambda: pane.series is not None and pane.series.span == "search")

        entropy = str(app.screen.query_one("#entropy-text").render())
        assert "data-pipeline" in entropy and "lock-drift" in entropy


async def test_slash_filters_the_series_list(demo_workspace: Path, tmp_path: Path) -> None:
    app = make_quiet_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.ready()
        await app.backend.spans.add(fixed_history())
        await pilot.press("4")
        chooser = app.screen.query_one(SeriesList)
        await wait_until(pilot, lambda: chooser.option_count == 2)
        await pilot.press("slash", *"sea", "enter")
        await wait_until(pilot, lambda: chooser.option_count == 1)
        assert chooser.get_option_at_index(0).id == "search" and chooser.has_focus
        await pilot.press("slash", "escape")
        await wait_until(pilot, lambda: chooser.option_count == 2)


async def test_devkits_own_series_come_after_the_users(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """devkit's own operations are shown under their own heading, after every series
    of the user's services, even with more signals; `spc` ranks them the same way."""
    import json
    import subprocess
    import sys

    from backend.telemetry import names
    from tests.helpers import REPOSITORY

    db = tmp_path / "db.sqlite3"
    app = make_quiet_app(demo_workspace, db)
    own = span_records(names.SCAN, CHECKOUT, service=names.SERVICE)  # many signals
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.ready()
        await app.backend.spans.add(own + history("search", SEARCH))
        await pilot.press("4")
        chooser = app.screen.query_one(SeriesList)
        await wait_until(pilot, lambda: chooser.option_count == 3)
        rows = [chooser.get_option_at_index(i) for i in range(chooser.option_count)]
        assert [r.id for r in rows] == ["search", None, names.SCAN]  # a separator, a heading
        assert "devkit's own" in str(rows[1].prompt) and rows[1].disabled
        assert app.screen.query_one(ChartsPane).series.span == "search"  # type: ignore[union-attr]
        assert chooser.highlighted == 0  # the list shows which series is charted
        await pilot.press("j")  # past the heading, onto devkit's own series
        await wait_until(pilot, lambda: chooser.highlighted == 2)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "spc", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    series = json.loads(done.stdout)["series"]
    assert [(s["span"], s["own"]) for s in series] == [("search", False), (names.SCAN, True)]
    assert series[1]["violations"], "devkit's own series has the signals; it still comes last"


async def test_a_store_write_without_new_spans_draws_no_plot(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """Quiet at rest: an audit row (a check, a scan) moves the store's version, and
    the charts look again, but the same points are not plotted again (a plot is tens
    of milliseconds on the UI's loop)."""
    from widgets.control_chart import ControlChart

    app = make_quiet_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await charts_of_fixed_history(pilot)
        await wait_until(pilot, lambda: app._charts_version == app.backend.store_version)
        chart = app.screen.query_one(ControlChart)
        drawn: list[object] = []
        draw = chart._draw
        chart._draw = lambda: (drawn.append(chart.series), draw())  # type: ignore[method-assign]

        before = app.backend.store_version
        await app.backend.scan(reason="test")  # an audit row and a snapshot, no span
        await wait_until(pilot, lambda: app._charts_version > before)
        assert drawn == []

        await app.backend.spans.add(history("checkout", [400.0] * 3, first=120))
        await wait_until(pilot, lambda: pane.series is not None and pane.series.n == 123)
        assert len(drawn) == 1


async def test_a_chart_that_only_moved_is_not_built_again(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """`6` brings the Weaver pane on screen and moves the charts pane to another cell
    of the same size: Textual renders it again there, and the kept build serves."""
    from widgets.kept_plot import KeptPlot

    app = make_quiet_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(160, 48)) as pilot:
        await charts_of_fixed_history(pilot)
        plot = app.screen.query_one("#chart-main", KeptPlot)
        await wait_until(pilot, lambda: plot._kept is not None)
        box = app.screen.query_one("#charts-box")
        size, where = plot.size, box.region.offset
        builds: list[int] = []
        build = plot.plt.build
        plot.plt.build = lambda: (builds.append(1), build())[1]  # type: ignore[method-assign]

        await pilot.press("6")
        await wait_until(pilot, lambda: app.screen.query_one("#weaver-box").display)
        await wait_until(pilot, lambda: box.region.offset != where)
        await pilot.pause()
        assert plot.size == size and builds == []
