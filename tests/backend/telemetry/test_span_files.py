"""Span files (`*.otlp.jsonl`): append, restart, truncate, rotate, a corrupt line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.json.file.trace_exporter import FileSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import NoOpTracer

from backend.parsers.records import FileError
from backend.service import Backend
from backend.settings import Settings
from backend.store.database import Store
from backend.telemetry.span_files import SpanFileIngestor
from backend.telemetry.span_store import SpanStore


def write_spans(path: Path, names: list[str]) -> None:
    """Append spans the way OpenTelemetry's own JSON file exporter writes them."""
    provider = TracerProvider(resource=Resource.create({"service.name": "files"}))
    exporter = FileSpanExporter(path)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("file.test")
    for name in names:
        with tracer.start_as_current_span(name):
            pass
    provider.shutdown()


class Harness:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.errors: list[FileError] = []
        self.ingestor = SpanFileIngestor(
            SpanStore(store), NoOpTracer(), "*.otlp.jsonl", self.errors.append
        )

    async def names(self) -> list[str]:
        rows = await SpanStore(self.store).query(limit=1000, newest_first=False)
        return [r["name"] for r in rows]

    def restart(self) -> None:
        self.ingestor.close()
        self.ingestor = SpanFileIngestor(
            SpanStore(self.store), NoOpTracer(), "*.otlp.jsonl", self.errors.append
        )


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    harness = Harness(store)
    yield harness
    harness.ingestor.close()
    await store.close()


async def test_appended_lines_are_read_once_even_across_restarts(
    harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["a", "b"])
    assert (await harness.ingestor.ingest(path)).spans == 2
    write_spans(path, ["c"])
    assert (await harness.ingestor.ingest(path)).spans == 1
    assert (await harness.ingestor.ingest(path)).spans == 0
    harness.restart()  # the offset is in the database, not in memory
    write_spans(path, ["d"])
    assert (await harness.ingestor.ingest(path)).spans == 1
    assert await harness.names() == ["a", "b", "c", "d"]


async def test_partial_last_line_waits_for_its_newline(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["a"])
    whole = path.read_text()
    path.write_text(whole + whole[:40])
    assert (await harness.ingestor.ingest(path)).spans == 1
    with path.open("a") as handle:
        handle.write(whole[40:])
    assert (await harness.ingestor.ingest(path)).spans == 1
    assert harness.errors == []


async def test_truncation_starts_over(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["a", "b", "c"])
    await harness.ingestor.ingest(path)
    path.write_text("")
    write_spans(path, ["after truncation"])
    assert (await harness.ingestor.ingest(path)).spans == 1
    assert (await harness.names())[-1] == "after truncation"


async def test_truncation_while_stopped_starts_over(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["a", "b", "c", "d"])
    await harness.ingestor.ingest(path)
    harness.restart()
    path.write_text("")
    write_spans(path, ["x"])
    assert (await harness.ingestor.ingest(path)).spans == 1


async def test_rotation_reads_the_old_tail_then_the_new_file(
    harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["first"])
    await harness.ingestor.ingest(path)
    write_spans(path, ["appended before rotation"])
    path.rename(tmp_path / "app.otlp.jsonl.1")
    write_spans(path, ["in the new file"])
    await harness.ingestor.ingest(path)
    assert await harness.names() == ["first", "appended before rotation", "in the new file"]


async def test_a_corrupt_line_is_reported_and_skipped(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "app.otlp.jsonl"
    write_spans(path, ["one"])
    with path.open("a") as handle:
        handle.write('{"resourceSpans": [{"scopeSpans": 5}]}\n')
        handle.write("this is not json\n")
    write_spans(path, ["four"])
    result = await harness.ingestor.ingest(path)
    assert result.spans == 2 and result.lines == 4
    assert [(e.file, e.line) for e in harness.errors] == [(str(path), 2), (str(path), 3)]
    assert await harness.names() == ["one", "four"]


async def test_the_watcher_ingests_new_span_files(tmp_path: Path) -> None:
    settings = Settings(roots=[tmp_path], db_path=tmp_path / "db.sqlite3", watch=True)
    write_spans(tmp_path / "before.otlp.jsonl", ["existing"])
    backend = Backend(settings)
    await backend.start()
    await backend.ready()
    spans = backend.spans
    try:
        async with asyncio.timeout(60):  # generous: a busy machine is slow
            while not await spans.query(service="files"):  # the existing file is read
                await asyncio.sleep(0.05)
            while "watch" not in backend.operations.open_sessions():  # the watcher is up
                await asyncio.sleep(0.05)
        (tmp_path / "logs").mkdir()
        write_spans(tmp_path / "logs" / "later.otlp.jsonl", ["arrived"])
        names: list[str] = []
        async with asyncio.timeout(60):
            while "arrived" not in names:
                names = [r["name"] for r in await spans.query(service="files")]
                await asyncio.sleep(0.05)
        assert sorted(names) == ["arrived", "existing"]
    finally:
        await backend.stop()
