"""Weaver checks: resolve and check semconv v1.44.0; live-check 100,000 stored spans.

    uv run python tests/bench/bench_weaver.py [--spans N]

Goals: the registry check under 2 s; the live check at least 50,000 spans per second.
Weaver itself is timed on the same registry when `weaver` is on PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.store.database import Store  # noqa: E402
from backend.telemetry.span_store import SpanStore  # noqa: E402
from backend.weaver.check import check_registry  # noqa: E402
from backend.weaver.live_check import LiveCheck  # noqa: E402

SEMCONV = ROOT.parent / "shared" / "data" / "semconv-v1.44.0"
ATTRIBUTES = {
    "http.request.method": "GET",
    "http.response.status_code": 200,
    "url.full": "https://example.com/a",
    "server.address": "example.com",
    "server.port": 443,
    "my.custom.flag": True,
}


def fill(db: Path, count: int) -> None:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute(
        "INSERT INTO resources (id, attributes, schema_url) VALUES (1, ?, '')",
        (json.dumps({"service.name": "shop", "telemetry.sdk.language": "python"}),),
    )
    connection.execute(
        "INSERT INTO scopes (id, name, version, attributes, schema_url) VALUES (1, 's', '', '{}', '')"
    )
    attributes = json.dumps(ATTRIBUTES)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,"
        " status_code, status_message, attributes, events, links, trace_state, flags, dropped,"
        " resource_id, scope_id, service_name, received_ns)"
        " VALUES (?, ?, NULL, 'GET /', 3, ?, ?, 0, '', ?, '[]', '[]', '', 0, '{}', 1, 1, 'shop', ?)",
        (
            (i.to_bytes(16, "big"), i.to_bytes(8, "big"), i, i + 1000, attributes, i)
            for i in range(count)
        ),
    )
    connection.execute("COMMIT")
    connection.close()


async def load(db: Path, count: int) -> list[dict]:  # type: ignore[type-arg]
    store = Store(db)
    await store.open()
    try:
        return await SpanStore(store).for_live_check(limit=count)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=100_000)
    count = parser.parse_args().spans
    if not SEMCONV.is_dir():
        raise SystemExit(f"{SEMCONV} not found")
    begin = time.perf_counter()
    result = check_registry(SEMCONV)
    registry_s = time.perf_counter() - begin
    print(
        f"registry check of semconv v1.44.0 ({len(result.registry.groups)} groups,"
        f" {len(result.registry.attributes)} attributes, {result.violations} violations):"
        f" {registry_s * 1000:.0f} ms (goal < 2000 ms)"
    )
    weaver = shutil.which("weaver")
    if weaver:
        begin = time.perf_counter()
        subprocess.run([weaver, "registry", "check", "-r", str(SEMCONV)], capture_output=True)
        print(f"  weaver registry check: {(time.perf_counter() - begin) * 1000:.0f} ms")
    else:
        print("  weaver is not on PATH: no comparison")
    with tempfile.TemporaryDirectory() as temp:
        db = Path(temp) / "db.sqlite3"

        async def migrate() -> None:
            store = Store(db)
            await store.open()
            await store.close()

        asyncio.run(migrate())
        fill(db, count)
        begin = time.perf_counter()
        spans = asyncio.run(load(db, count))
        load_s = time.perf_counter() - begin
    live = LiveCheck(result.registry)
    begin = time.perf_counter()
    live.check(spans)
    check_s = time.perf_counter() - begin
    print(
        f"live check of {len(spans):,} stored spans: load {load_s:.2f} s, check {check_s:.2f} s"
        f" -> {len(spans) / check_s:,.0f} spans/s checking, {len(spans) / (load_s + check_s):,.0f}"
        f" spans/s with loading (goal >= 50,000/s); {len(live.findings):,} findings"
    )


if __name__ == "__main__":
    main()
