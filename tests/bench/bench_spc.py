"""SPC: with 1,000,000 spans in the store, load the last 10,000 durations of one span
name and compute its I-MR chart with all eight Nelson rules.

    uv run python tests/bench/bench_spc.py [--spans N] [--runs N]

Goal: under 100 ms, so the chart can follow a live stream.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.spc.series import SeriesOptions, analyse  # noqa: E402
from backend.store.database import Store  # noqa: E402
from backend.telemetry.span_store import SpanStore  # noqa: E402

NAMES = [f"svc.operation.{i}" for i in range(20)]


def fill(db: Path, count: int) -> None:
    """Spans straight into the table (the receiver's path is benchmarked elsewhere)."""
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("INSERT INTO resources (id, attributes, schema_url) VALUES (1, '{}', '')")
    connection.execute(
        "INSERT INTO scopes (id, name, version, attributes, schema_url) VALUES (1, 's', '', '{}', '')"
    )
    rng = random.Random(7)
    start = 1_790_000_000_000_000_000

    def rows():  # type: ignore[no-untyped-def]
        for i in range(count):
            begin = start + i * 1_000_000
            duration = int(rng.lognormvariate(3, 0.4) * 1_000_000)
            yield (
                i.to_bytes(16, "big"),
                i.to_bytes(8, "big"),
                NAMES[i % len(NAMES)],
                begin,
                begin + duration,
                2 if rng.random() < 0.01 else 0,
                begin,
            )

    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,"
        " status_code, status_message, attributes, events, links, trace_state, flags, dropped,"
        " resource_id, scope_id, service_name, received_ns)"
        " VALUES (?, ?, NULL, ?, 1, ?, ?, ?, '', '{}', '[]', '[]', '', 0, '{}', 1, 1, 'bench', ?)",
        rows(),
    )
    connection.execute("COMMIT")
    connection.close()


async def measure(db: Path, runs: int) -> tuple[list[float], int, int]:
    store = Store(db)
    await store.open()
    spans = SpanStore(store)
    try:
        samples_ms = []
        for run in range(runs):
            name = NAMES[run % len(NAMES)]
            begin = time.perf_counter()
            samples = await spans.samples(name, 10_000)
            series = analyse(name, samples, SeriesOptions(chart="imr"))
            samples_ms.append((time.perf_counter() - begin) * 1000)
        return samples_ms, len(samples), len(series.violations)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        db = Path(temp) / "bench.sqlite3"
        asyncio.run(migrate(db))
        begin = time.perf_counter()
        fill(db, options.spans)
        print(f"filled {options.spans:,} spans in {time.perf_counter() - begin:.1f} s")
        timings, loaded, rules = asyncio.run(measure(db, options.runs))
    print(
        f"load the last {loaded:,} durations of one name + I-MR + 8 Nelson rules "
        f"({rules} rules tripped): median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} runs (goal < 100 ms)"
    )


async def migrate(db: Path) -> None:
    store = Store(db)
    await store.open()
    await store.close()


if __name__ == "__main__":
    main()
