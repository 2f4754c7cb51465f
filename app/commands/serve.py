"""`devkit-tui serve`: the backend without the UI (watcher, receiver, ingestion)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_db,
    add_otlp,
    add_roots,
    run_async,
    settings_from,
    warn,
)

if TYPE_CHECKING:
    import asyncio

    from backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="once listening, print one JSON document with the URL on stdout",
    )
    add_roots(parser)
    add_db(parser)
    add_otlp(parser, receive_flag=False)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=True, receive_otlp=True)
    return run_async(serve(settings, as_json=options.json))


async def serve(settings: Settings, as_json: bool = False) -> int:
    """Run until SIGINT or SIGTERM; the backend scans, watches and receives meanwhile."""
    import asyncio

    from backend.service import Backend

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    backend = Backend(settings)
    events = backend.subscribe()
    await backend.start()
    try:
        url = await backend.start_receiver()
    except OSError as exc:
        warn("serve", f"cannot listen on {settings.otlp_host}:{settings.otlp_port}: "
                      f"{exc.strerror or exc}")  # fmt: skip
        await backend.stop()
        return EXIT_USAGE
    print(f"listening on {url}", file=sys.stderr, flush=True)
    if as_json:
        print(
            json.dumps(
                {
                    "schema": "devkit.serve/1",
                    "listening": url,
                    "traces": f"{url}/v1/traces",
                    "db": str(settings.db_path),
                }
            ),
            flush=True,
        )
    reporter = asyncio.create_task(_report_problems(events))
    await stop.wait()
    print("stopping: committing what is queued", file=sys.stderr, flush=True)
    reporter.cancel()
    await backend.stop()
    return EXIT_OK


async def _report_problems(events: asyncio.Queue[object]) -> None:
    from backend.events import BackendProblem

    while True:
        event = await events.get()
        if isinstance(event, BackendProblem):
            warn("serve", event.message)
