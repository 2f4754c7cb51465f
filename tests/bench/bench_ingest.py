"""Span ingestion: end to end through the real OTLP exporter, against raw SQLite.

    uv run python tests/bench/bench_ingest.py [--spans N]

1. Baseline: rows per second of plain `sqlite3.executemany` into the same spans
   schema, same rows, one transaction per 512, in a fresh database.
2. End to end: the real `opentelemetry-exporter-otlp-proto-http` exporter sends
   batches of 512 (protobuf) from two processes to `devkit-tui serve` (its own
   process) into a fresh database; every batch is acknowledged only once committed.
3. The dashboard's own overhead: microseconds per span of devkit's tracer.
4. Responsiveness: event-loop lag of the dashboard (headless) while it receives
   spans at full speed.

Goals: end to end at least a quarter of the raw SQLite rate, and at least 20,000
spans per second on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from opentelemetry.trace import StatusCode  # noqa: E402

from backend.store.migrations import MIGRATIONS  # noqa: E402
from backend.telemetry.span_store import span_statements  # noqa: E402
from backend.telemetry.tracing import (  # noqa: E402
    StoreSpanExporter,
    make_provider,
    record_from_sdk,
    tracer_of,
)
from tests.helpers import start_serve  # noqa: E402

BATCH = 512


def make_spans(count: int) -> list[ReadableSpan]:
    """Realistic server spans: an HTTP route, a few attributes, some errors."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(
        resource=Resource.create({"service.name": "bench", "host.name": "b1"})
    )
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench", "1.0")
    for number in range(count):
        with tracer.start_as_current_span(
            "GET /items/{id}",
            attributes={
                "http.request.method": "GET",
                "http.route": "/items/{id}",
                "http.response.status_code": 200,
                "server.port": 8080,
                "url.path": f"/items/{number}",
            },
        ) as span:
            if number % 50 == 0:
                span.set_status(StatusCode.ERROR, "upstream timeout")
    provider.shutdown()
    return list(memory.get_finished_spans())


def fresh_database(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    for script in MIGRATIONS:
        connection.executescript(script)
    return connection


def raw_sqlite_rate(spans: list[ReadableSpan], path: Path) -> float:
    """Rows per second of executemany alone, rows prepared beforehand."""
    batches = [
        span_statements([record_from_sdk(s) for s in spans[i : i + BATCH]])
        for i in range(0, len(spans), BATCH)
    ]
    connection = fresh_database(path)
    start = time.perf_counter()
    for statements in batches:
        connection.execute("BEGIN IMMEDIATE")
        for sql, rows in statements:
            connection.executemany(sql, rows)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    return len(spans) / elapsed


def _export_share(url: str, share: list[list[ReadableSpan]]) -> None:
    """One sending service: its own exporter, its share of the batches."""
    exporter = OTLPSpanExporter(endpoint=url, timeout=60)
    for batch in share:
        if exporter.export(batch) is not SpanExportResult.SUCCESS:
            raise SystemExit(1)
    exporter.shutdown()


def send_all(url: str, spans: list[ReadableSpan], senders: int = 2) -> float:
    """Spans per second through the real exporter from `senders` processes (like
    services sending at once; one process's threads would share one interpreter lock)."""
    batches = [spans[i : i + BATCH] for i in range(0, len(spans), BATCH)]
    if senders == 1:
        start = time.perf_counter()
        _export_share(url, batches)
        return len(spans) / (time.perf_counter() - start)
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_export_share, args=(url, batches[n::senders]))
        for n in range(senders)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if any(worker.exitcode for worker in workers):
        raise SystemExit("some spans were not acknowledged")
    return len(spans) / elapsed


def tracer_cost_us(rounds: int = 20, per_round: int = 1000) -> float:
    """Microseconds per span of devkit's own tracer: start, 3 attributes, end, and the
    conversion for the store (flushed each round, as the batch processor's queue holds
    2,048)."""
    provider = make_provider(StoreSpanExporter(lambda records: None))
    tracer = tracer_of(provider)
    start = time.perf_counter()
    for _ in range(rounds):
        for number in range(per_round):
            with tracer.start_as_current_span("devkit.parse") as span:
                span.set_attribute("devkit.file.path", "/x/uv.lock")
                span.set_attribute("devkit.file.format", "uv.lock")
                span.set_attribute("devkit.package.count", number)
        provider.force_flush()
    elapsed = time.perf_counter() - start
    provider.shutdown()
    return elapsed / (rounds * per_round) * 1e6


def server_capacity(url: str, spans: list[ReadableSpan]) -> float:
    """The receiver alone: bodies encoded beforehand, posted from two threads."""
    import urllib.request

    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    bodies = [
        encode_spans(spans[i : i + BATCH]).SerializeToString() for i in range(0, len(spans), BATCH)
    ]

    def post(share: list[bytes]) -> None:
        for body in share:
            request = urllib.request.Request(
                url, data=body, method="POST", headers={"Content-Type": "application/x-protobuf"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200

    workers = [threading.Thread(target=post, args=(bodies[n::2],)) for n in range(2)]
    start = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return len(spans) / (time.perf_counter() - start)


async def ui_lag_during_ingest(
    spans: list[ReadableSpan], folder: Path
) -> tuple[float, float, float]:
    """The dashboard receives spans while a timer measures how late the loop runs it."""
    from app.tui import DevkitApp
    from backend.settings import Settings

    settings = Settings(
        roots=[folder], db_path=folder / "ui.sqlite3", watch=False, receive_otlp=True, otlp_port=0
    )
    app = DevkitApp(settings)
    lags: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.backend.receiver_url is None:
            await pilot.pause(0.05)
        url = app.backend.receiver_url + "/v1/traces"
        await pilot.press("3")  # the span stream is on screen, refreshing
        sender = asyncio.create_task(asyncio.to_thread(send_all, url, spans, 1))
        while not sender.done():
            expected = time.perf_counter() + 0.02
            await asyncio.sleep(0.02)
            lags.append((time.perf_counter() - expected) * 1000)
        rate = await sender
    return statistics.median(lags), max(lags), rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=100_000)
    count = parser.parse_args().spans
    print(f"making {count:,} spans with the SDK ...", file=sys.stderr)
    spans = make_spans(count)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        raw = raw_sqlite_rate(spans, folder / "raw.sqlite3")
        process, url = start_serve(folder, folder / "serve.sqlite3")
        try:
            send_all(url, spans[:2048])  # warm up connections and the writer
            end_to_end = send_all(url, spans)
            capacity = server_capacity(url, spans)
        finally:
            process.terminate()
            process.wait(60)
        stored = (
            sqlite3.connect(folder / "serve.sqlite3")
            .execute("SELECT count(*) FROM spans WHERE name = 'GET /items/{id}'")
            .fetchone()[0]
        )
        lag_median, lag_max, ui_rate = asyncio.run(ui_lag_during_ingest(spans[:30_000], folder))
    print(
        f"spans: {count:,}, batches of {BATCH}, protobuf, real OTLP exporter (2 sending processes)"
    )
    print(f"  raw sqlite3.executemany, same schema and rows: {raw:10,.0f} rows/s")
    print(
        f"  end to end, exporter -> devkit-tui serve:     {end_to_end:10,.0f} spans/s"
        f"  = {end_to_end / raw:.2f} of raw  (goals: >= 0.25 of raw, >= 20,000/s)"
    )
    print(f"  stored and acknowledged: {stored:,} of {2 * count + 2048:,} sent")
    print(
        f"  the receiver alone (bodies encoded beforehand): {capacity:10,.0f} spans/s"
        f"  = {capacity / raw:.2f} of raw"
    )
    print(f"  devkit tracer cost: {tracer_cost_us():.1f} us per span")
    print(
        f"  dashboard receiving {ui_rate:,.0f} spans/s itself: event-loop lag median "
        f"{lag_median:.1f} ms, max {lag_max:.1f} ms"
    )


if __name__ == "__main__":
    main()
