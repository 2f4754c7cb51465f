"""`devkit-tui serve` as a process: SIGKILL mid-stream loses no acknowledged span."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.helpers import start_serve

ROOT = Path(__file__).resolve().parents[3]
TRACE = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")


def batch(first: int, size: int) -> tuple[bytes, list[bytes]]:
    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add().spans
    ids = []
    for number in range(first, first + size):
        span = spans.add()
        span.trace_id = TRACE
        span.span_id = number.to_bytes(8, "big")
        span.name = "load"
        span.start_time_unix_nano, span.end_time_unix_nano = number, number + 1
        ids.append(span.span_id)
    return request.SerializeToString(), ids


def test_sigkill_loses_no_acknowledged_span(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    process, url = start_serve(tmp_path, db)
    acknowledged: list[bytes] = []
    enough = threading.Event()

    def send() -> None:
        number = 1
        while True:
            body, ids = batch(number, 200)
            number += 200
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/x-protobuf"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        acknowledged.extend(ids)
            except (urllib.error.URLError, ConnectionError, OSError):
                return
            if len(acknowledged) >= 4000:
                enough.set()

    sender = threading.Thread(target=send)
    sender.start()
    assert enough.wait(60)
    os.kill(process.pid, signal.SIGKILL)  # mid-stream: the sender is still sending
    process.wait()
    sender.join(30)
    assert len(acknowledged) >= 4000

    restarted, _ = start_serve(tmp_path, db)
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(30) == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {
            row[0] for row in connection.execute("SELECT span_id FROM spans WHERE name = 'load'")
        }
    missing = [i for i in acknowledged if i not in stored]
    assert missing == []


def test_serve_json_says_where_it_listens(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            str(tmp_path),
            "--otlp-port",
            "0",
            "--db",
            str(tmp_path / "db.sqlite3"),
            "--json",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    document = json.loads(process.stdout.readline())
    assert document["schema"] == "devkit.serve/1"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1/traces", document["traces"])
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0


def test_a_busy_port_is_a_clear_usage_error(tmp_path: Path) -> None:
    first, url = start_serve(tmp_path, tmp_path / "one.sqlite3")
    port = url.rsplit(":", 1)[1].split("/")[0]
    try:
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                str(tmp_path),
                "--otlp-port",
                port,
                "--db",
                str(tmp_path / "two.sqlite3"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)


def test_sigterm_commits_and_exits_zero(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    process, url = start_serve(tmp_path, db)
    body, _ = batch(1, 50)
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-protobuf"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0
    assert process.stderr is not None and "committing" in process.stderr.read()
    with sqlite3.connect(db) as connection:
        assert (
            connection.execute("SELECT count(*) FROM spans WHERE name = 'load'").fetchone()[0] == 50
        )
        # serve's own operations are spans too, flushed before exit
        names = {row[0] for row in connection.execute("SELECT DISTINCT name FROM spans")}
    assert {"devkit.scan", "devkit.ingest.otlp"} <= names
