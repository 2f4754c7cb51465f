"""The dashboard and the CLI answer one question one way: on one workspace and one
database, the entropy gauges show what `devkit-tui entropy` prints, the charts' signals
are those of `devkit-tui spc`, and the inventory's flags are those of `devkit-tui list`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from backend.telemetry.model import SpanRecord
from tests.helpers import REPOSITORY, span_records
from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.charts_pane import ChartsPane
from widgets.inventory_rows import format_flags
from widgets.inventory_table import InventoryTable


def requests_of_the_api() -> list[SpanRecord]:
    """The API service's requests, slower since the 100th and without the route its
    registry requires (live-check violations: semantic drift)."""
    durations = [20.0 + (i % 5) for i in range(100)] + [60.0 + (i % 5) for i in range(50)]
    return span_records("api.request", durations, service="api-service", kind=2)


def summary(reports: list[dict]) -> dict[str, tuple]:  # type: ignore[type-arg]
    return {
        r["project"]: (r["level"], round(r["score"], 6), sorted(i["kind"] for i in r["indicators"]))
        for r in reports
    }


async def test_the_gauges_and_devkit_tui_entropy_agree(
    demo_workspace: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    app = make_app(demo_workspace, db)
    async with app.run_test(size=(200, 50)) as pilot:  # every pane on screen
        await wait_for_inventory(pilot)
        pane = app.screen.query_one(ChartsPane)
        await wait_until(pilot, lambda: bool(pane.entropy_shown) and bool(app.backend.last_check))
        await app.backend.spans.add(requests_of_the_api())  # after the first gauges
        await app.refresh_weaver().wait()  # the new spans are checked

        def semantic_drift_shown() -> bool:
            api = [r for r in pane.entropy_shown if r.project == "api-service"]
            return bool(api) and "semantic-drift" in {i.kind for i in api[0].indicators}

        await wait_until(pilot, semantic_drift_shown)
        shown = summary([r.as_json() for r in pane.entropy_shown])
    printed = cli("entropy", str(demo_workspace), "--json", "--db", str(db))
    assert summary(printed["projects"]) == shown


def cli(*arguments: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *arguments],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    assert done.stdout, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


async def test_the_charts_and_the_inventory_agree_with_spc_and_list(
    demo_workspace: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    app = make_app(demo_workspace, db)
    checkout = [20.0 + (i % 5) for i in range(60)] + [45.0 + (i % 5) for i in range(30)]
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for_inventory(pilot)
        await app.backend.ready()
        await app.backend.spans.add(requests_of_the_api())
        await app.backend.spans.add(span_records("checkout", checkout, service="shop"))
        await pilot.press("4")
        await wait_until(
            pilot,
            lambda: {"api.request", "checkout"} <= {r.name for r in app.live_charts.ranked()},
        )
        charted = {r.name: r.signals for r in app.live_charts.ranked() if not r.own}
        table = app.screen.query_one(InventoryTable)
        flagged = {str(key.value): table.get_cell(key, "flags").plain for key in table.rows}
    series = cli("spc", "--log", "--json", "--db", str(db))["series"]  # the charts default to log
    printed = {
        s["span"]: sum(len(v["points"]) for v in s["violations"]) for s in series if not s["own"]
    }
    assert printed == charted and printed["checkout"] > 0  # the shift is a signal in both
    listed = cli("list", str(demo_workspace), "--json", "--db", str(db))["packages"]
    assert flagged == {p["name"]: format_flags(set(p["flags"])) for p in listed}
    assert any(flags != "-" for flags in flagged.values())
