"""The OTLP/HTTP trace receiver: `POST /v1/traces`, protobuf or JSON, gzip or not.

Answers follow the OTLP/HTTP specification: 200 with an `ExportTraceServiceResponse`
(with `partial_success` when spans were rejected) only once the spans are committed;
400 for a body that cannot be decoded; 413 past the size limit, which is checked on
the decompressed size too, while decompressing, so a gzip bomb stops early; 415 for
another media type or encoding; 503 with `Retry-After` when the writer is full.
Error bodies are `google.rpc.Status` messages in the request's encoding.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)
from opentelemetry.trace import Tracer
from opentelemetry.trace.status import StatusCode

from backend.store.database import StoreBusy, StoreError
from backend.telemetry import names
from backend.telemetry.decoded import Decoded, DecodeProblem
from backend.telemetry.otlp_json import decode_json
from backend.telemetry.otlp_proto import decode_protobuf
from backend.telemetry.span_store import SpanStore

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
DEFAULT_PORT = 4318
DEFAULT_MAX_BODY = 8 * 1024 * 1024
RETRY_AFTER_SECONDS = 1
_READ_CHUNK = 64 * 1024
# gRPC codes carried in the Status body.
_INVALID_ARGUMENT, _RESOURCE_EXHAUSTED, _UNAVAILABLE, _INTERNAL = 3, 8, 14, 13


class Refusal(Exception):
    """A request answered with an error status."""

    def __init__(self, http_status: int, message: str, grpc_code: int = _INVALID_ARGUMENT) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.grpc_code = grpc_code


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one request brought: for the span stream's counters."""

    accepted: int
    rejected: int


class OtlpReceiver:
    """An aiohttp server for OTLP/HTTP traces that stores into a `SpanStore`."""

    def __init__(
        self,
        spans: SpanStore,
        tracer: Tracer,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_body: int = DEFAULT_MAX_BODY,
        on_ingest: Callable[[Ingested], None] | None = None,
    ) -> None:
        self.spans = spans
        self.tracer = tracer
        self.host = host
        self.port = port
        self.max_body = max_body
        self.on_ingest = on_ingest
        self.url: str | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Bind and serve; returns the base URL (the real port when 0 was asked)."""
        app = web.Application()
        app.router.add_post("/v1/traces", self.handle_traces)
        # aiohttp would inflate gzip bodies itself, with no limit of ours: we do it,
        # stopping at the size limit.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, auto_decompress=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle_traces(self, request: web.Request) -> web.Response:
        encoding = JSON if request.content_type == JSON else PROTOBUF
        started = time.time_ns()
        with self.tracer.start_as_current_span(
            names.INGEST_OTLP, start_time=started, attributes={names.INGEST_ENCODING: encoding}
        ) as span:
            try:
                decoded = await self._decode(request)
                span.set_attribute(names.INGEST_SPAN_COUNT, len(decoded.spans))
                span.set_attribute(names.INGEST_REJECTED_COUNT, decoded.rejected)
                try:
                    await self.spans.add(decoded.spans, wait_for_room=False)
                except StoreBusy as exc:
                    raise Refusal(503, str(exc), _UNAVAILABLE) from None
                except StoreError as exc:
                    raise Refusal(503, str(exc), _UNAVAILABLE) from None
            except Refusal as refusal:
                span.set_status(StatusCode.ERROR, str(refusal))
                span.set_attribute(names.HTTP_STATUS, refusal.http_status)
                return _refusal_response(refusal, encoding)
            span.set_attribute(names.HTTP_STATUS, 200)
        if self.on_ingest is not None:
            self.on_ingest(Ingested(len(decoded.spans), decoded.rejected))
        return _success_response(decoded, encoding)

    async def _decode(self, request: web.Request) -> Decoded:
        if request.content_type not in (PROTOBUF, JSON):
            raise Refusal(
                415, f"unsupported media type {request.content_type!r}; send {PROTOBUF} or {JSON}"
            )
        content_encoding = request.headers.get("Content-Encoding", "identity").lower()
        if content_encoding not in ("identity", "gzip"):
            raise Refusal(415, f"unsupported content encoding {content_encoding!r}")
        if request.content_length is not None and request.content_length > self.max_body:
            raise Refusal(
                413,
                f"body of {request.content_length} bytes is over the {self.max_body}-byte limit",
                _RESOURCE_EXHAUSTED,
            )
        body = await self._read_limited(request)
        if content_encoding == "gzip":
            body = self._gunzip(body)
        try:
            return decode_json(body) if request.content_type == JSON else decode_protobuf(body)
        except DecodeProblem as exc:
            raise Refusal(400, str(exc)) from None

    async def _read_limited(self, request: web.Request) -> bytes:
        chunks, size = [], 0
        while chunk := await request.content.read(_READ_CHUNK):
            size += len(chunk)
            if size > self.max_body:
                raise Refusal(
                    413, f"body is over the {self.max_body}-byte limit", _RESOURCE_EXHAUSTED
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _gunzip(self, body: bytes) -> bytes:
        """Decompress at most `max_body + 1` bytes: a bomb is refused, not inflated."""
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(body, self.max_body + 1)
        except zlib.error as exc:
            raise Refusal(400, f"body is not valid gzip: {exc}") from None
        if len(data) > self.max_body or inflater.unconsumed_tail:
            raise Refusal(
                413,
                f"decompressed body is over the {self.max_body}-byte limit",
                _RESOURCE_EXHAUSTED,
            )
        if not inflater.eof:
            raise Refusal(400, "gzip body is truncated")
        return data


def _success_response(decoded: Decoded, encoding: str) -> web.Response:
    if encoding == JSON:
        payload: dict[str, object] = {}
        if decoded.rejected:
            payload["partialSuccess"] = {
                "rejectedSpans": str(decoded.rejected),
                "errorMessage": decoded.reason,
            }
        return web.Response(body=json.dumps(payload).encode(), content_type=JSON)
    response = ExportTraceServiceResponse()
    if decoded.rejected:
        response.partial_success.CopyFrom(
            ExportTracePartialSuccess(rejected_spans=decoded.rejected, error_message=decoded.reason)
        )
    return web.Response(body=response.SerializeToString(), content_type=PROTOBUF)


def _refusal_response(refusal: Refusal, encoding: str) -> web.Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if refusal.http_status == 503 else {}
    if encoding == JSON:
        body = json.dumps({"code": refusal.grpc_code, "message": str(refusal)}).encode()
    else:
        body = Status(code=refusal.grpc_code, message=str(refusal)).SerializeToString()
    return web.Response(
        status=refusal.http_status, body=body, content_type=encoding, headers=headers
    )
