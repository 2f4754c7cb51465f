"""Hostile input: each bad request gets its 4xx, and the next good one still lands."""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.trace import NoOpTracer

from backend.store.database import Store
from backend.telemetry.receiver import OtlpReceiver
from backend.telemetry.span_store import SpanStore
from tests.backend.telemetry.conftest import Receiving

TRACE = "5b8efff798038103d269b633813fc60c"


def good_request(span_id: str = "eee19b7ec3c1b174") -> bytes:
    request = ExportTraceServiceRequest()
    span = request.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id = bytes.fromhex(TRACE)
    span.span_id = bytes.fromhex(span_id)
    span.name = "good"
    span.start_time_unix_nano, span.end_time_unix_nano = 1, 2
    return request.SerializeToString()


def post(
    url: str, body: bytes, content_type: str, **headers: str
) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


async def still_serving(receiving: Receiving, span_id: str) -> None:
    status, body, _ = await asyncio.to_thread(
        post, receiving.traces_url, good_request(span_id), "application/x-protobuf"
    )
    assert status == 200
    assert ExportTraceServiceResponse.FromString(body) == ExportTraceServiceResponse()
    rows = await receiving.backend.spans.query(name="good", limit=100)
    assert span_id in {r["span_id"] for r in rows}


def deep_json(depth: int) -> bytes:
    return ('{"resourceSpans": ' + "[" * depth + "]" * depth + "}").encode()


def gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


CASES = [
    ("truncated protobuf", good_request()[:-7], "application/x-protobuf", {}, 400),
    ("garbage protobuf", b"\xff" * 64, "application/x-protobuf", {}, 400),
    ("JSON that is not OTLP", b'{"hello": "world"}', "application/json", {}, 400),
    ("JSON of the wrong shape", b'{"resourceSpans": {"a": 1}}', "application/json", {}, 400),
    ("not JSON at all", b"<xml/>", "application/json", {}, 400),
    ("invalid UTF-8", b'{"resourceSpans": [{"\xff\xfe": 1}]}', "application/json", {}, 400),
    (
        "invalid UTF-8 in protobuf",
        good_request().replace(b"good", b"\xff\xfe\xfd\xfc"),
        "application/x-protobuf",
        {},
        400,
    ),
    ("10,000-deep nesting", deep_json(10_000), "application/json", {}, 400),
    ("wrong media type", b"hello", "text/plain", {}, 415),
    ("unknown encoding", good_request(), "application/x-protobuf", {"Content-Encoding": "br"}, 415),
    ("oversize body", b"\0" * (1024 * 1024 + 1), "application/x-protobuf", {}, 413),
    (
        "gzip bomb",
        gzip_bomb(64 * 1024 * 1024),
        "application/x-protobuf",
        {"Content-Encoding": "gzip"},
        413,
    ),
    (
        "broken gzip",
        b"\x1f\x8b\x08\x00garbage",
        "application/x-protobuf",
        {"Content-Encoding": "gzip"},
        400,
    ),
]


@pytest.mark.parametrize(
    ("number", "case", "body", "content_type", "headers", "status"),
    [(n, *c) for n, c in enumerate(CASES, start=1)],
    ids=[c[0] for c in CASES],
)
async def test_bad_request_then_good_one(
    receiving: Receiving,
    number: int,
    case: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
    status: int,
) -> None:
    got, answer, response_headers = await asyncio.to_thread(
        post, receiving.traces_url, body, content_type, **headers
    )
    assert got == status, (case, answer[:200])
    if response_headers.get("Content-Type", "").startswith("application/json"):
        assert json.loads(answer)["message"]
    else:
        assert Status.FromString(answer).message
    await still_serving(receiving, f"{number:016x}")


async def test_partial_success_counts_rejected_spans(receiving: Receiving) -> None:
    document = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {"traceId": TRACE, "spanId": "0000000000000000", "name": "zero id"},
                            {"traceId": TRACE, "spanId": "00f067aa0ba902b7", "name": "fine"},
                            {
                                "traceId": "abcd",
                                "spanId": "00f067aa0ba902b8",
                                "name": "short trace id",
                            },
                        ]
                    }
                ]
            }
        ]
    }
    status, body, _ = await asyncio.to_thread(
        post, receiving.traces_url, json.dumps(document).encode(), "application/json"
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["partialSuccess"]["rejectedSpans"] == "2"
    assert "span id" in answer["partialSuccess"]["errorMessage"]
    assert [
        r["name"] for r in await receiving.backend.spans.query(limit=10) if r["resource"] == {}
    ] == ["fine"]


async def test_get_is_not_allowed_and_other_paths_are_not_found(receiving: Receiving) -> None:
    def get(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert await asyncio.to_thread(get, receiving.traces_url) == 405
    assert await asyncio.to_thread(get, receiving.url + "/v1/metrics") == 404


async def test_full_writer_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3", queue_size=1, busy_timeout_ms=1000)
    await store.open()
    receiver = OtlpReceiver(SpanStore(store), NoOpTracer(), port=0)
    url = await receiver.start() + "/v1/traces"
    blocker = sqlite3.connect(tmp_path / "db.sqlite3", timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")  # the writer now waits on the lock
    try:
        results = await asyncio.gather(
            *(
                asyncio.to_thread(
                    post, url, good_request(f"{i + 1:016x}"), "application/x-protobuf"
                )
                for i in range(6)
            )
        )
        busy = [r for r in results if r[0] == 503]
        assert busy and all(r[2].get("Retry-After") == "1" for r in busy)
    finally:
        blocker.rollback()
        blocker.close()
    status, _, _ = await asyncio.to_thread(
        post, url, good_request("00000000000000ff"), "application/x-protobuf"
    )
    assert status == 200
    await receiver.stop()
    await store.close()
