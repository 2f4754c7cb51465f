"""`devkit-tui spans`: query the span store."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_OK,
    UsageProblem,
    add_db,
    add_json,
    open_backend,
    parse_since,
    print_json,
    printable,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.settings import Settings

SPANS_SCHEMA = "devkit.spans/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trace", metavar="ID", help="only this trace (32 hex digits)")
    parser.add_argument("--name", help="only spans with this name")
    parser.add_argument("--service", help="only spans of this service.name")
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="only spans that started since DATE (ISO 8601, or 30s, 15m, 2h, 7d ago)",
    )
    parser.add_argument("--limit", type=int, default=100, help="at most N spans (default 100)")
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    trace_id = parse_trace_id(options.trace) if options.trace else None
    since_ns = parse_since(options.since) if options.since else None
    if options.limit < 1:
        raise UsageProblem("--limit must be at least 1")
    settings = settings_from(options, roots=[], watch=False)
    spans = run_async(
        _query(settings, trace_id, options.name, options.service, since_ns, options.limit)
    )
    if options.json:
        print_json({"schema": SPANS_SCHEMA, "spans": spans})
    else:
        _print_table(spans)
    return EXIT_OK


async def _query(
    settings: Settings,
    trace_id: bytes | None,
    name: str | None,
    service: str | None,
    since_ns: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    async with open_backend(settings) as backend:
        return await backend.query_spans(
            trace_id=trace_id, name=name, service=service, since_ns=since_ns, limit=limit
        )


def parse_trace_id(text: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise UsageProblem(f"--trace {text!r} is not hexadecimal") from None
    if len(value) != 16:
        raise UsageProblem(f"--trace {text!r} must be 32 hex digits")
    return value


def _print_table(spans: list[dict[str, Any]]) -> None:
    print(f"{'START (UTC)':<23}  {'MS':>9}  {'STATUS':<6}  {'SERVICE':<16}  {'TRACE':<10}  NAME")
    for span in spans:
        start = datetime.fromtimestamp(span["start_time_unix_nano"] / 1e9, UTC)
        service = str(span["resource"].get("service.name", "-"))[:16]
        print(
            f"{start:%Y-%m-%d %H:%M:%S.%f}"[:23]
            + f"  {span['duration_ms']:>9.2f}  {span['status']['name']:<6}  {service:<16}"
            f"  {span['trace_id'][:10]}  {printable(span['name'])}"
        )
    print(f"{len(spans)} spans", file=sys.stderr)
