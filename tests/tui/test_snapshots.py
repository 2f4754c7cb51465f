"""SVG snapshots: the look of each screen at 80x24 and at 160x48; the dashboard also at
120x40 and 200x50, where the panes are laid out differently, and the monitor at the
sizes of a tmux pane.

The workspace is built at a fixed path so paths in the detail screen are stable;
notifications are cleared so no toast's timing leaks into the picture.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from app.tui import DevkitApp
from backend.demo import build_demo_workspace
from backend.settings import Settings
from backend.telemetry.model import ResourceRecord, ScopeRecord, SpanRecord
from tests.tui.conftest import wait_for_inventory, wait_until
from tests.tui.test_charts_pilot import fixed_history
from widgets.audit_log import AuditLogPane
from widgets.charts_pane import ChartsPane, SeriesList
from widgets.dependency_tree import DependencyTree
from widgets.span_stream import SpanTable
from widgets.weaver_pane import WeaverPane

FIXED = Path("/tmp/devkit-tui-snapshot")


@pytest.fixture
def fixed_demo(tmp_path: Path) -> Path:
    shutil.rmtree(FIXED, ignore_errors=True)
    return build_demo_workspace(FIXED / "demo")


def settle(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_inventory(pilot)
        await wait_for_span_stream(pilot)
        await wait_for_weaver(pilot)
        await wait_for_audit(pilot)
        pilot.app.clear_notifications()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        await wait_for_tree(pilot)
        await wait_for_weaver(pilot)
        await wait_for_audit(pilot)
        await wait_for_entropy(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()
        await wait_for_tables(pilot)

    return run_before


async def wait_for_tables(pilot: Pilot[None]) -> None:
    """Every table has measured the rows it was given: a DataTable sizes its columns
    when its own message queue runs empty, which a busy machine can put after the
    picture (it then shows columns as wide as their labels, cut)."""

    def measured() -> bool:
        return not any(
            table._require_update_dimensions or table._updated_cells  # Textual's own flags
            for table in pilot.app.screen.query(DataTable)
        )

    await wait_until(pilot, measured)
    await pilot.pause()


async def wait_for_tree(pilot: Pilot[None]) -> None:
    """The tree pane, where visible, has drawn the package under the cursor."""
    app = pilot.app
    if app.screen.query("#tree-box") and app.screen.query_one("#tree-box").display:
        table = app.dashboard.inventory_pane.table  # type: ignore[attr-defined]
        tree = app.screen.query_one(DependencyTree)

        def following() -> bool:  # the tree shows the package under the cursor now
            picked = table.package_at_cursor()
            if picked is None:
                return table.row_count == 0
            shown = tree.data_shown
            return shown is not None and shown.package == picked[0]

        await wait_until(pilot, following)
        await pilot.pause()


async def wait_for_span_stream(pilot: Pilot[None]) -> None:
    """The span pane's first refresh (a timer) has drawn it, where it is visible."""
    app = pilot.app
    screen = app.screen
    if screen.query_one("#spans-box").display:
        await wait_until(pilot, lambda: app._span_header is not None)  # type: ignore[attr-defined]


AUDIT_NS = 1_768_469_400_000_000_000  # 2026-01-15 09:30 UTC


def make_app(root: Path, db: Path, start: str = "dashboard") -> DevkitApp:
    """No spans of our own, and a stopped clock for the audit log: times would
    differ in every picture."""
    settings = Settings(roots=[root], db_path=db, watch=False, trace_self=False)
    app = DevkitApp(settings, start=start)
    app.backend.operations.clock = lambda: AUDIT_NS
    app.backend.operations.audit.who = ("ann", "build-host", "Linux 6.1")
    return app


async def wait_for_entropy(pilot: Pilot[None]) -> None:
    """The charts pane, where visible, shows the entropy gauges (drawn after the paint)."""
    app = pilot.app
    if app.screen.query("#charts-box") and app.screen.query_one("#charts-box").display:
        entropy = app.screen.query_one("#entropy-text")
        await wait_until(pilot, lambda: "data-pipeline" in str(entropy.render()))
        await pilot.pause()


async def check_new_spans(pilot: Pilot[None]) -> None:
    """The Weaver pane, where visible, checks the spans a test just stored now: left
    to its own timer, that re-check could land before or after the picture."""
    if weaver_visible(pilot.app):
        await pilot.app.refresh_weaver().wait()  # type: ignore[attr-defined]
        await pilot.pause()


async def wait_for_charted(pilot: Pilot[None], names: set[str]) -> None:
    """The charts pane, where visible, lists these series and highlights the one it
    charts (it takes new spans on its next refresh, which may come after a picture)."""
    app = pilot.app
    if app.screen.query("#charts-box") and app.screen.query_one("#charts-box").display:
        chooser = app.screen.query_one(SeriesList)

        def charted() -> bool:
            shown = {str(chooser.get_option_at_index(i).id) for i in range(chooser.option_count)}
            return names <= shown and chooser.highlighted is not None

        await wait_until(pilot, charted)
        await pilot.pause()


def weaver_visible(app: object) -> bool:
    screen = app.screen  # type: ignore[attr-defined]
    return bool(screen.query("#weaver-box")) and screen.query_one("#weaver-box").display


async def wait_for_weaver(pilot: Pilot[None], registries: int = 2) -> None:
    """The Weaver pane, where visible, shows the check of both registries (devkit's
    and api-service's), which is also audited."""
    if weaver_visible(pilot.app):
        pane = pilot.app.screen.query_one(WeaverPane)
        await wait_until(pilot, lambda: pane.summary.get("registries") == registries)
        await pilot.pause()


async def wait_for_audit(pilot: Pilot[None], count: int | None = None) -> None:
    """The audit pane, where visible, shows the first entries (configuration, scan,
    and the Weaver check when that pane is on screen too)."""
    app = pilot.app
    count = count or (3 if weaver_visible(app) else 2)
    if app.screen.query("#audit-box") and app.screen.query_one("#audit-box").display:
        pane = app.screen.query_one(AuditLogPane)
        await wait_until(pilot, lambda: len(pane.entries) >= count)
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48), (200, 50)])
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


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_tree_pane(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    keys = ("slash", *"name:numpy", "enter", "2", "down", "space", "f")
    assert snap_compare(app, terminal_size=size, run_before=settle(*keys))


def test_errors_screen(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle("e"))


BASE_NS = 1_795_000_000_000_000_000
TRACE_ID = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")


def fixed_trace() -> list[SpanRecord]:
    """A small checkout trace with fixed ids and times, so pictures are stable."""
    resource = ResourceRecord({"service.name": "checkout", "service.version": "1.4.2"})
    scope = ScopeRecord("shop.instrumentation", "0.9")
    plan = [  # span id, parent, name, start ms, end ms, status
        ("00000000000000a1", None, "POST /checkout", 0, 180, 0),
        ("00000000000000a2", "00000000000000a1", "validate cart", 5, 25, 0),
        ("00000000000000a3", "00000000000000a1", "charge card", 30, 150, 2),
        ("00000000000000a4", "00000000000000a3", "HTTP POST payments", 35, 145, 2),
        ("00000000000000a5", "00000000000000a1", "send receipt", 152, 178, 0),
    ]
    return [
        SpanRecord(
            trace_id=TRACE_ID,
            span_id=bytes.fromhex(span),
            parent_span_id=bytes.fromhex(parent) if parent else None,
            name=name,
            kind=2 if parent is None else 1,
            start_ns=BASE_NS + start * 1_000_000,
            end_ns=BASE_NS + end * 1_000_000,
            status_code=status,
            status_message="card declined [code 51]" if status else "",
            attributes={"shop.cart.items": 3, "note": "[bold]literal[/bold]"},
            events=[],
            links=[],
            resource=resource,
            scope=scope,
        )
        for span, parent, name, start, end, status in plan
    ]


def with_spans(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await wait_for_inventory(pilot)
        await wait_for_weaver(pilot)
        await wait_for_audit(pilot)
        await wait_for_entropy(pilot)
        await app.backend.ready()  # type: ignore[attr-defined]
        await app.backend.spans.add(fixed_trace())  # type: ignore[attr-defined]
        await check_new_spans(pilot)
        await pilot.press("3")
        table = app.screen.query_one(SpanTable)
        await wait_until(pilot, lambda: table.row_count == 5)
        await wait_for_charted(pilot, {s.name for s in fixed_trace()})
        app.clear_notifications()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_span_stream_narrow(snap_compare, fixed_demo: Path, tmp_path: Path, utc: None) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=with_spans())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_trace_view(
    snap_compare, fixed_demo: Path, tmp_path: Path, utc: None, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    # the newest stored span is the last of the plan; k moves up to "charge card"
    assert snap_compare(app, terminal_size=size, run_before=with_spans("enter", "k", "k"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48), (120, 40)])
def test_audit_pane(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=size, run_before=settle("5"))


def test_audit_detail(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle("5", "enter"))


def with_history(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A fixed span history, then the charts pane drawn from it."""

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await wait_for_inventory(pilot)
        await wait_for_weaver(pilot)
        await wait_for_audit(pilot)
        await app.backend.ready()  # type: ignore[attr-defined]
        await app.backend.spans.add(fixed_history())  # type: ignore[attr-defined]
        await check_new_spans(pilot)
        if app.screen.query_one("#spans-box").display:  # its timer may come after `R`
            stream = app.screen.query_one("#span-table", DataTable)
            await wait_until(pilot, lambda: stream.row_count > 0)
        await pilot.press("4")
        pane = app.screen.query_one(ChartsPane)
        await wait_until(pilot, lambda: pane.series is not None and pane.series.n == 120)
        entropy = app.screen.query_one("#entropy-text")
        await wait_until(pilot, lambda: "data-pipeline" in str(entropy.render()))
        await wait_for_weaver(pilot)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48), (120, 40)])
def test_charts_pane(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    # the cursor moved onto the first point of the shift
    assert snap_compare(app, terminal_size=size, run_before=with_history(*["left"] * 29))


def test_charts_pane_alone(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """One pane at a time below 120 columns: room for the plotted chart and its MR chart."""
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(110, 44), run_before=with_history(*["left"] * 29))


@pytest.mark.parametrize("size", [(80, 24), (160, 48), (120, 40)])
def test_weaver_pane(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=size, run_before=settle("6"))


def test_weaver_detail(snap_compare, fixed_demo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The registry finding with the YAML around its line."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle("6", "enter")(pilot)
        excerpt = pilot.app.screen.query_one("#weaver-excerpt")
        await wait_until(pilot, lambda: "api.tenant" in str(excerpt.render()))
        await pilot.pause()

    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_filter_inputs_show_their_text(
    snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    """The audit log filtered by what was typed, the text on its own row."""
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(
        app, terminal_size=size, run_before=settle("5", "slash", *"action:scan", "enter")
    )


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_weaver_filter_shows_its_text(
    snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    typed = settle("6", "slash", *"unresolved", "enter")
    assert snap_compare(app, terminal_size=size, run_before=typed)


def monitor_settled() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, DevkitApp)
        await wait_for_inventory(pilot)
        await wait_until(pilot, lambda: bool(app.reports) and len(app.feed.audit) >= 2)
        await wait_until(pilot, lambda: app.monitor.data.reports == app.reports)
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(40, 10), (60, 15), (100, 30)])
def test_monitor(snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_demo, tmp_path / "db.sqlite3", start="monitor")
    assert snap_compare(app, terminal_size=size, run_before=monitor_settled())


def remediation_open() -> Callable[[Pilot[None]], Awaitable[None]]:
    """The charts pane's first gauge (data-pipeline), then `R`: its remediation screen,
    explored (nothing resolved before `d`)."""
    history = with_history()

    async def run_before(pilot: Pilot[None]) -> None:
        from screens.remediation import RemediationScreen

        await history(pilot)
        await pilot.press("R")
        app = pilot.app
        await wait_until(pilot, lambda: isinstance(app.screen, RemediationScreen))
        screen = app.screen
        assert isinstance(screen, RemediationScreen)
        await wait_until(pilot, lambda: screen.state == "ready" and screen.run is not None)
        # the strategy under the cursor, described below the table (a highlight message
        # that a busy machine can handle after the picture)
        diff = screen.query_one("#plan-diff")
        await wait_until(pilot, lambda: "touches" in str(diff.render()))
        app.clear_notifications()
        await pilot.pause()
        await wait_for_tables(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_remediation_screen(  # type: ignore[no-untyped-def]
    snap_compare, fixed_demo: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(fixed_demo, tmp_path / "db.sqlite3")
    assert snap_compare(app, terminal_size=size, run_before=remediation_open())
