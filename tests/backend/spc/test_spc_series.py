"""A span name's process from the store: limits held from the baseline, shifts caught,
the p-chart over error rates, and the `devkit-tui spc --json` contract."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from backend.spc.live import LiveCharts
from backend.spc.series import SeriesOptions, analyse
from backend.store.database import Store
from backend.telemetry.model import Sample, SpanRecord
from backend.telemetry.span_store import SpanStore
from tests.helpers import REPOSITORY, SPAN_BASE_NS, span_records

STEADY = [20.0, 22.0, 19.0, 21.0, 23.0, 20.0, 18.0, 22.0, 21.0, 19.0] * 3  # 30 points


def samples(durations: list[float], errors: set[int] = frozenset(), step_s: float = 1.0):  # type: ignore[no-untyped-def, assignment]
    return [
        Sample(i, SPAN_BASE_NS + int(i * step_s * 1e9), d, i in errors)
        for i, d in enumerate(durations)
    ]


def test_limits_come_from_the_baseline_and_stay() -> None:
    shifted = STEADY + [30.0] * 10  # the process moved up after the baseline
    series = analyse("op", samples(shifted), SeriesOptions(baseline=30))
    assert series.limits is not None and round(series.limits.main.center, 1) == 20.5
    rules = {v.rule: v.points for v in series.violations}
    assert 1 in rules and set(rules[1]) >= set(range(30, 40))
    # Limits from every point instead would absorb the shift into the centre line.
    wide = analyse("op", samples(shifted), SeriesOptions(baseline=40))
    assert wide.limits.main.center > series.limits.main.center  # type: ignore[union-attr]
    # Held limits: the same points judged against the limits handed in.
    held = analyse("op", samples(shifted), SeriesOptions(baseline=40), fixed=series.limits)
    assert held.limits is series.limits and held.violations == series.violations


def test_log_scale_and_spec_limit() -> None:
    series = analyse("op", samples(STEADY), SeriesOptions(log=True, spec_ms=2000))
    assert series.scale == "log(ms)"
    assert series.spec_limit == pytest.approx(math.log(2000))
    assert series.points[0] == pytest.approx(math.log(20))
    assert series.cp is None and series.cpk is not None and series.cpk > 1
    assert series.dpmo == 0 and series.sigma_level is None


def test_defects_are_errors_or_over_the_spec() -> None:
    durations = STEADY[:20] + [2500.0] * 2  # two over 2 s
    series = analyse("op", samples(durations, errors={3}), SeriesOptions())
    assert series.dpmo == pytest.approx(3 / 22 * 1e6)
    assert series.sigma_level == pytest.approx(2.6, abs=0.05)


def test_subgroup_charts() -> None:
    series = analyse("op", samples(STEADY), SeriesOptions(chart="xbar-s", subgroup=5))
    assert series.n == 30 and len(series.points) == 6 and len(series.spread_points) == 6
    assert series.limits is not None and series.limits.subgroup_size == 5
    r_chart = analyse("op", samples(STEADY), SeriesOptions(chart="xbar-r", subgroup=3))
    assert len(r_chart.points) == 10 and r_chart.spread_points[0] == 3.0


def test_p_chart_buckets_error_rates_by_time() -> None:
    # 10 spans a minute for 30 minutes; one error a minute, then 6 in the last one.
    durations = [10.0] * 300
    errors = {i for i in range(0, 290, 10)} | set(range(290, 296))
    series = analyse(
        "op", samples(durations, errors, step_s=6), SeriesOptions(chart="p", baseline=29)
    )
    assert len(series.points) == 30 and series.points[0] == pytest.approx(0.1)
    assert series.limits is not None and series.limits.main.center == pytest.approx(0.1)
    assert series.points[-1] == pytest.approx(0.6)
    assert any(v.rule == 1 and 29 in v.points for v in series.violations)
    assert len(series.ucl_points) == 30


async def test_the_store_gives_the_newest_spans_oldest_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    spans = SpanStore(store)
    try:
        await spans.add(records("op", [5.0, 6.0, 7.0, 8.0], error_at=2))
        got = await spans.samples("op", limit=3)
        assert [s.duration_ms for s in got] == [6.0, 7.0, 8.0]
        assert [s.error for s in got] == [False, True, False]
        newer = await spans.samples("op", after_start_ns=got[1].start_ns)
        assert [s.duration_ms for s in newer] == [8.0]
        assert await spans.names() == [("op", 4)]
    finally:
        await store.close()


def records(name: str, durations: list[float], error_at: int = -1) -> list[SpanRecord]:
    """One a second."""
    return span_records(name, durations, errors={error_at}, step_s=1.0)


async def test_cli_json_contract(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    store = Store(db)
    await store.open()
    try:
        await SpanStore(store).add(records("checkout", [*STEADY, 90.0]))
        await SpanStore(store).add(records("<b>odd</b>", [1.0, 2.0]))
    finally:
        await store.close()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "spc", "--json", "--db", str(db), "--baseline", "30"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "devkit.spc/1"
    first = document["series"][0]  # the one with signals comes first
    assert first["span"] == "checkout"
    contract = {
        "span", "chart", "scale", "n", "center", "ucl", "lcl", "range", "points",
        "violations", "spec_limit", "cp", "cpk", "ppk", "dpmo", "sigma_level",
    }  # fmt: skip
    assert contract <= set(first)
    assert set(first["range"]) == {"center", "ucl", "lcl"}
    assert first["chart"] == "imr" and first["scale"] == "ms" and first["n"] == 31
    assert {"rule": 1, "points": [30]}.items() <= first["violations"][0].items()
    assert first["spec_limit"] == 2000.0
    missing = subprocess.run(
        [sys.executable, "-m", "app.cli", "spc", "--span", "nope", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=60,
    )
    assert missing.returncode == 2 and "no spans named" in missing.stderr


async def test_live_limits_are_fixed_stored_and_held_across_restarts(tmp_path: Path) -> None:
    from backend.spc.live import LiveCharts

    db = tmp_path / "db.sqlite3"
    store = Store(db)
    await store.open()
    spans = SpanStore(store)
    try:
        await spans.add(records("checkout", STEADY[:20]))
        live = LiveCharts(spans, SeriesOptions(baseline=30))
        await live.refresh()
        tracked = live.tracked["checkout"]
        assert tracked.limits is None  # 20 of 30 baseline points: provisional
        assert tracked.series.limits_note.startswith("provisional")  # type: ignore[union-attr]
        more = records("checkout", STEADY)[20:]
        await spans.add(more)
        await live.refresh()
        fixed = live.tracked["checkout"].limits
        assert fixed is not None and live.tracked["checkout"].series.n == 30  # type: ignore[union-attr]

        # A new dashboard on the same store judges new, slower spans against the same limits.
        slow = records("checkout", [*STEADY, *[40.0] * 10])[30:]
        await spans.add(slow)
        again = LiveCharts(spans, SeriesOptions(baseline=30))
        await again.refresh()
        assert again.tracked["checkout"].limits == fixed
        assert any(v.rule == 1 for v in again.tracked["checkout"].series.violations)  # type: ignore[union-attr]

        # Recomputing is explicit, and stored for the next one.
        await again.rebaseline("checkout")
        moved = again.tracked["checkout"].limits
        assert moved is not None and moved.main.center > fixed.main.center
        third = LiveCharts(spans, SeriesOptions(baseline=30))
        await third.refresh()
        assert third.tracked["checkout"].limits == moved
    finally:
        await store.close()


def spc_json(db: Path, *args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "spc", "--json", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=60,
    )
    return result.returncode, json.loads(result.stdout or "{}"), result.stderr


async def test_cli_uses_stored_limits_and_spec_per_span(tmp_path: Path) -> None:
    from backend.spc.live import LiveCharts

    db = tmp_path / "db.sqlite3"
    store = Store(db)
    await store.open()
    try:
        spans = SpanStore(store)
        await spans.add(records("checkout", STEADY))
        await LiveCharts(spans, SeriesOptions(baseline=30, log=False)).refresh()
        await spans.add(records("checkout", [*STEADY, *[90.0] * 5])[30:])
    finally:
        await store.close()
    code, stored, _ = spc_json(db, "--span", "checkout", "--spec-for", "checkout=150")
    assert code == 0
    series = stored["series"][0]
    assert series["limits_from"] == "stored baseline" and series["n"] == 35
    assert round(series["center"], 1) == 20.5  # the dashboard's limits, not all 35 points
    assert series["spec_limit"] == 150.0 and series["dpmo"] == 0
    code, first, _ = spc_json(db, "--span", "checkout", "--baseline", "35")
    assert first["series"][0]["limits_from"] == "first 35 points"
    assert first["series"][0]["center"] > series["center"]
    code, _, error = spc_json(db, "--spec-for", "checkout")
    assert code == 2 and "SPAN=MS" in error


async def test_a_refresh_cancelled_half_way_loses_no_rows(tmp_path: Path) -> None:
    """A newer refresh replaces a running one (the dashboard's workers are exclusive):
    the rows the cancelled one had read are not skipped by the next."""
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        spans = SpanStore(store)
        await spans.add(span_records("alpha", [10.0] * 30) + span_records("beta", [20.0] * 40))
        live = LiveCharts(spans)
        reading, release = asyncio.Event(), asyncio.Event()
        real_samples = spans.samples

        async def slow_samples(name, *args):  # type: ignore[no-untyped-def]
            if name == "beta":
                reading.set()
                await release.wait()  # cancelled here, after alpha was read
            return await real_samples(name, *args)

        spans.samples = slow_samples  # type: ignore[method-assign]
        first = asyncio.create_task(live.refresh())
        await reading.wait()
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        spans.samples = real_samples  # type: ignore[method-assign]
        await live.refresh()
        assert {name: entry.count for name, entry in live.tracked.items()} == {
            "alpha": 30,
            "beta": 40,
        }
        assert live.tracked["beta"].series is not None and live.tracked["beta"].series.n == 40
    finally:
        await store.close()
