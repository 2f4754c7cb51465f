"""A million spans: the dashboard over a store holding 1,000,000 spans (the default
retention), each pane that reads them opened in turn, 1.5 s apart as a person's keys
would be (the dashboard collects its garbage in such quiet moments; their lag is a
line of its own), with the event loop's lag measured the whole time (a 10 ms sleep, and how late it wakes); then retention
pruning running while spans are ingested.

    uv run python tests/bench/bench_million.py [--spans N]

Goal: lag under 50 ms while the span pane, a trace, the charts and the Weaver live
check (of the newest 10,000 spans) load; pruning does not stall ingest. Baseline for
ingest: the same batches added with nothing to prune, in the same run. The last line
of the lag table is a reference: the lag while Textual lays out and draws the whole
160x48 screen again with nothing new in it, which any pane switch costs.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.demo import build_demo_workspace  # noqa: E402
from backend.settings import Settings  # noqa: E402
from backend.store.database import Store  # noqa: E402
from tests.bench.bench_spc import migrate  # noqa: E402
from tests.helpers import span_records  # noqa: E402

SERVICES = ["api-service", "platform-cli", "data-pipeline", "shop"]
NAMES = [f"handle.operation.{i}" for i in range(20)]
TICK_S = 0.01
REDRAW = "whole screen redrawn (ref.)"
BETWEEN = "between keys (1.5 s each)"
PAUSE_S = 1.5
"""A person's pause before each key: the dashboard collects its garbage then."""


def fill(db: Path, count: int) -> None:
    """`count` spans straight into the table, received in the last hour (so none is
    past the retention age), traces of five spans each."""
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute(
        "INSERT OR IGNORE INTO resources (id, attributes, schema_url) VALUES (1, '{}', '')"
    )
    connection.execute("INSERT OR IGNORE INTO scopes (id, name, version, attributes, schema_url)"
                       " VALUES (1, 's', '', '{}', '')")  # fmt: skip
    now = time.time_ns()
    first = now - 3600 * 10**9

    def rows():  # type: ignore[no-untyped-def]
        step = 3600 * 10**9 // count
        for i in range(count):
            begin = first + i * step
            duration = (20 + (i * 7919) % 40) * 1_000_000
            yield (
                (i // 5).to_bytes(16, "big"),
                (i + 1).to_bytes(8, "big"),
                None if i % 5 == 0 else ((i // 5) * 5 + 1).to_bytes(8, "big"),
                NAMES[i % len(NAMES)],
                begin,
                begin + duration,
                2 if i % 97 == 0 else 0,
                '{"http.route": "/orders"}',
                SERVICES[i % len(SERVICES)],
                begin,
            )

    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,"
        " status_code, status_message, attributes, events, links, trace_state, flags, dropped,"
        " resource_id, scope_id, service_name, received_ns)"
        " VALUES (?, ?, ?, ?, 2, ?, ?, ?, '', ?, '[]', '[]', '', 0, '{}', 1, 1, ?, ?)",
        rows(),
    )
    connection.execute("COMMIT")
    connection.close()


class LagMonitor:
    """How late a 10 ms sleep wakes, per phase (milliseconds)."""

    def __init__(self) -> None:
        self.phase = "start"
        self.lags: dict[str, list[float]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(TICK_S)
            late = (loop.time() - before - TICK_S) * 1000
            self.lags.setdefault(self.phase, []).append(max(0.0, late))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("a pane never finished loading")
        await asyncio.sleep(0.005)


async def panes(root: Path, db: Path) -> tuple[dict[str, list[float]], dict[str, float]]:
    from app.tui import DevkitApp
    from backend.collector import freeze_startup_objects
    from screens.trace_view import TraceScreen
    from widgets.charts_pane import ChartsPane
    from widgets.span_stream import SpanTable

    monitor = LagMonitor()
    took: dict[str, float] = {}
    freeze_startup_objects()  # as `open_dashboard` does
    app = DevkitApp(Settings(roots=[root], db_path=db, watch=False, trace_self=False))
    async with app.run_test(size=(160, 48)) as pilot:
        monitor.start()
        started = time.perf_counter()

        async def phase(
            name: str, keys: tuple[str, ...], done: Callable[[], bool], first: bool = False
        ) -> None:
            if not first:  # the span pane is keyed as soon as the inventory is in
                monitor.phase = BETWEEN
                await asyncio.sleep(PAUSE_S)
            monitor.phase = name
            began = time.perf_counter()
            pressing = asyncio.create_task(pilot.press(*keys))  # it returns once all is idle
            await until(done)
            took[name] = time.perf_counter() - began  # when the pane shows it
            await pressing
            await pilot.pause()

        monitor.phase = "start to inventory"
        await until(lambda: app.updates_applied >= 1)
        took["start to inventory"] = time.perf_counter() - started
        await phase("span pane", ("3",), lambda: "spans" in app.dashboard.ready
                    and app.screen.query_one(SpanTable).row_count > 0, first=True)  # fmt: skip
        await phase("a trace", ("enter",), lambda: isinstance(app.screen, TraceScreen))
        await pilot.press("escape")
        dashboard = app.dashboard  # a pane is composed when first shown: looked up then
        await phase("charts", ("4",), lambda: "charts" in dashboard.ready
                    and dashboard.query_one(ChartsPane).series is not None)  # fmt: skip
        await phase("weaver live check", ("6",), lambda: "weaver" in dashboard.ready
                    and bool(dashboard.weaver_pane.summary))  # fmt: skip
        monitor.phase = "at rest"
        await asyncio.sleep(1.0)
        # The reference: Textual's own frame of this screen, every widget laid out
        # and drawn again with nothing new to show.
        monitor.phase = REDRAW
        for _ in range(3):
            for widget in app.screen.walk_children(with_self=True):
                widget.refresh(layout=True)
            await pilot.pause()
            await asyncio.sleep(0.2)
        monitor.stop()
        print(f"full collections moved to quiet moments: {app.collector.settled}")
    return monitor.lags, took


async def ingest(db: Path, batches: int, prune: bool) -> tuple[float, list[float], list[float]]:
    """Seconds to add `batches` of 1,000 spans, each batch's milliseconds, and the loop
    lag meanwhile; with `prune`, retention runs halfway through, beside the ingest, as
    its background task does (the store then holds its limit plus half the batches)."""
    from backend.telemetry.span_store import Retention, SpanStore

    store = Store(db)
    await store.open()
    spans = SpanStore(store, Retention(max_spans=1_000_000, max_age_ns=14 * 86400 * 10**9))
    monitor = LagMonitor()
    monitor.start()
    pruning: asyncio.Task[bool] | None = None
    took = []
    try:
        began = time.perf_counter()
        for batch in range(batches):
            if prune and batch == batches // 2:
                pruning = asyncio.create_task(spans.prune())
            records = span_records("ingest.batch", [10.0] * 1000, service="shop",
                                   first=batch * 1000, base_ns=time.time_ns())  # fmt: skip
            started = time.perf_counter()
            await spans.add(records)
            took.append((time.perf_counter() - started) * 1000)
        if pruning is not None:
            assert await pruning
        elapsed = time.perf_counter() - began
        return elapsed, took, [x for v in monitor.lags.values() for x in v]
    finally:
        monitor.stop()
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        root = build_demo_workspace(work / "demo")
        db = work / "million.sqlite3"
        asyncio.run(migrate(db))
        began = time.perf_counter()
        fill(db, options.spans)
        print(f"filled {options.spans:,} spans in {time.perf_counter() - began:.1f} s")
        lags, took = asyncio.run(panes(root, db))
        print(f"{'phase (took: key to shown)':28} {'took':>8} {'lag p50':>8} {'lag p99':>8}"
              f" {'lag max':>8}  (goal: max < 50 ms)")  # fmt: skip
        for name, values in lags.items():
            values = sorted(values)
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            seconds = f"{took[name] * 1000:6.0f}ms" if name in took else ""
            print(f"{name:28} {seconds:>8} {statistics.median(values):6.1f}ms {p99:6.1f}ms"
                  f" {max(values):6.1f}ms")  # fmt: skip

        quiet = work / "quiet.sqlite3"
        asyncio.run(migrate(quiet))
        spans = options.batches * 1000
        for label, path, prune in (("an empty store, nothing to prune (baseline)", quiet, False),
                                   ("the 1,000,000 limit, pruned meanwhile", db, True)):  # fmt: skip
            seconds, took, lag = asyncio.run(ingest(path, options.batches, prune))
            print(f"ingest {spans:,} spans into {label}: {spans / seconds:8,.0f} spans/s;"
                  f" a batch of 1,000 median {statistics.median(took):.1f} ms,"
                  f" max {max(took):.1f} ms; loop lag max {max(lag):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
