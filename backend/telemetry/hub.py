"""The telemetry half of the backend: our own tracer, the span store, the OTLP
receiver, span files and retention, behind one object the Backend starts and stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

from backend.parsers.records import FileError
from backend.settings import Settings
from backend.store.database import Store, StoreError
from backend.telemetry.model import SpanRecord
from backend.telemetry.span_store import Retention, SpanStore
from backend.telemetry.tracing import StoreSpanExporter, deliver_to_loop, make_provider, tracer_of

if TYPE_CHECKING:
    from backend.telemetry.span_files import SpanFileIngestor

PRUNE_INTERVAL_S = 60.0
_log = logging.getLogger(__name__)


class Telemetry:
    """Owns everything that produces, receives or stores spans."""

    def __init__(self, settings: Settings, store: Store, ready: Callable[[], object]) -> None:
        self.settings = settings
        self.spans = SpanStore(
            store,
            Retention(
                max_spans=settings.retention_spans,
                max_age_ns=int(settings.retention_days * 86400 * 1e9),
            ),
        )
        self.tracer: Tracer = trace.NoOpTracer()
        self.receiver_url: str | None = None
        self._ready = ready
        self._provider: TracerProvider | None = None
        self._receiver = None
        self._tasks: list[asyncio.Task[None]] = []
        self.span_files: SpanFileIngestor | None = None

    def follow_span_files(self, on_error: Callable[[FileError], None]) -> SpanFileIngestor | None:
        """Start following span files (`*.otlp.jsonl` by default) under the roots."""
        if not self.settings.span_file_pattern:
            return None
        from backend.telemetry.span_files import SpanFileIngestor  # a dashboard's, when watching

        self.span_files = SpanFileIngestor(
            self.spans, self.tracer, self.settings.span_file_pattern, on_error
        )
        return self.span_files

    def start_tracing(self) -> None:
        """Start our own tracer; its spans are stored once the store is open."""
        if self.settings.trace_self:
            loop = asyncio.get_running_loop()
            exporter = StoreSpanExporter(deliver_to_loop(loop, self._store_own_spans))
            self._provider = make_provider(exporter, self.settings.otlp_export)
            self.tracer = tracer_of(self._provider)
        self._tasks.append(asyncio.create_task(self._prune_forever(), name="span-retention"))

    async def start_receiver(self, on_ingest: Callable[..., None] | None = None) -> str:
        """Serve OTLP/HTTP; returns the URL. Imported here: aiohttp costs a quarter
        second to import, which `list` and the dashboard's first paint never pay."""
        from backend.telemetry.receiver import OtlpReceiver

        self._receiver = OtlpReceiver(
            self.spans,
            self.tracer,
            self.settings.otlp_host,
            self.settings.otlp_port,
            max_body=self.settings.otlp_max_body,
            on_ingest=on_ingest,
        )
        self.receiver_url = await self._receiver.start()
        return self.receiver_url

    async def flush(self) -> None:
        """Hand every span our tracer has ended to the store's writer now."""
        if self._provider is not None:
            await asyncio.to_thread(self._provider.force_flush)

    async def stop(self) -> None:
        """Stop receiving, flush our own spans into the store, stop pruning."""
        if self._receiver is not None:
            await self._receiver.stop()
            self._receiver = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.span_files is not None:
            self.span_files.close()
        if self._provider is not None:
            # Flushing blocks until the exporter has handed its spans to this loop, so
            # it runs in a thread while the loop stays free to store them.
            await asyncio.to_thread(self._provider.shutdown)
            self._provider = None

    async def _store_own_spans(self, records: list[SpanRecord]) -> None:
        try:
            await self._ready()  # type: ignore[misc]
        except StoreError:
            return  # no database: our spans are dropped, as the dashboard says
        await self.spans.add(records)

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_INTERVAL_S)
            try:
                await self._ready()  # type: ignore[misc]
                await self.spans.prune()
            except StoreError as exc:
                _log.warning("span retention: %s", exc)
