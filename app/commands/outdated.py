"""`devkit-tui outdated`: every project's packages that have newer releases."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

from app.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_db,
    add_roots,
    check_roots,
    print_json,
    printable,
    settings_from,
)
from backend.index.outdated import Lookup, Outdated, find_outdated
from backend.index.simple_api import DEFAULT_INDEX
from backend.service import Backend
from backend.settings import Settings
from backend.store.database import StoreError

DESCRIPTION = "List packages with newer releases on the index (PEP 691/503), per project."
OUTDATED_SCHEMA = "devkit.outdated/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_roots(parser)
    parser.add_argument(
        "--index-url",
        help=f"the simple index (default: $UV_INDEX_URL, else {DEFAULT_INDEX})",
    )
    parser.add_argument(
        "--offline", action="store_true", help="answer from the cache only, and say how old"
    )
    parser.add_argument("--pre", action="store_true", help="count pre-releases as releases")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    add_db(parser)


def run(options: argparse.Namespace) -> int:
    settings = settings_from(options, watch=False)
    if problem := check_roots(settings.roots):
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    # As uv: the flag, then the environment, then each project's `[tool.uv]` index.
    explicit = options.index_url or os.environ.get("UV_INDEX_URL")
    rows, lookup = asyncio.run(_outdated(settings, explicit, options.offline, options.pre))
    index_url = explicit or DEFAULT_INDEX
    oldest = min(lookup.fetched_ns.values(), default=None)
    age_s = (time.time_ns() - oldest) / 1e9 if oldest is not None else None
    if options.json:
        print_json(
            {
                "schema": OUTDATED_SCHEMA,
                "index_url": index_url,
                "offline": options.offline,
                "cache_age_s": round(age_s, 1) if options.offline and age_s is not None else None,
                "not_checked": sorted(lookup.unknown) + sorted(lookup.errors),
                "errors": lookup.errors,
                "packages": [r.as_json() for r in rows],
            }
        )
    else:
        _print(rows, lookup, options.offline, age_s)
    return EXIT_OK


async def _outdated(
    settings: Settings, explicit: str | None, offline: bool, pre: bool
) -> tuple[list[Outdated], Lookup]:
    backend = Backend(settings)
    await backend.start(scan=False)
    try:
        inventory = await backend.scan(reason="scan")
        try:
            await backend.ready()
            store = backend.store
        except StoreError:
            store = None  # no database: ask the index, cache nothing

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\rindex: {done}/{total}", end="", file=sys.stderr, flush=True)

        rows, lookup = await find_outdated(
            inventory, store, backend.project_indexes(), explicit, offline, pre, progress
        )
        if sys.stderr.isatty() and not offline:
            print(file=sys.stderr)
        return rows, lookup
    finally:
        await backend.stop()


def _print(rows: list[Outdated], lookup: Lookup, offline: bool, age_s: Any) -> None:
    print(f"{'PACKAGE':<28} {'PROJECT':<24} {'CURRENT':<12} {'ALLOWED':<12} {'LATEST':<12}")
    for row in rows:
        major = "  major" if row.major else ""
        print(
            f"{printable(row.name)[:28]:<28} {printable(row.project)[:24]:<24} {row.current:<12}"
            f" {row.latest_allowed or '-':<12} {row.latest:<12}{major}"
        )
    if offline:
        if age_s is not None:
            print(f"from the cache, fetched up to {age_s / 3600:.1f} h ago", file=sys.stderr)
        if lookup.unknown:
            print(f"not in the cache: {len(lookup.unknown)} packages", file=sys.stderr)
    for name, error in sorted(lookup.errors.items()):
        print(f"not checked: {name}: {error}", file=sys.stderr)
    print(f"{len(rows)} outdated", file=sys.stderr)
