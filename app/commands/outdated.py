"""`devkit-tui outdated`: every project's packages that have newer releases."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_OK,
    TerminalProgress,
    add_db,
    add_index,
    add_json,
    add_roots,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.index.outdated import Lookup, Outdated
    from backend.settings import Settings

OUTDATED_SCHEMA = "devkit.outdated/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_roots(parser)
    add_index(parser, "$UV_INDEX_URL, else each package's index as uv would pick it, else PyPI")
    parser.add_argument("--pre", action="store_true", help="count pre-releases as releases")
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=False)
    # As uv: the flag, then the environment, then each project's `[tool.uv]` index.
    explicit = settings.index_url
    rows, lookup = run_async(_outdated(settings, explicit, options.offline, options.pre))
    from backend.index.simple_api import DEFAULT_INDEX

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
                "not_checked": sorted({*lookup.unknown, *lookup.errors, *lookup.unindexed}),
                "errors": lookup.errors,
                "not_checked_why": {
                    **{n: "not in the cache" for n in lookup.unknown},
                    **lookup.unindexed,
                    **lookup.errors,
                },
                "packages": [r.as_json() for r in rows],
            }
        )
    else:
        _print(rows, lookup, options.offline, age_s)
    return EXIT_OK


async def _outdated(
    settings: Settings, explicit: str | None, offline: bool, pre: bool
) -> tuple[list[Outdated], Lookup]:
    async with open_backend(settings, require_store=False) as backend:  # no store: no cache
        inventory = await backend.scan(reason="scan")

        progress = TerminalProgress("index")
        rows, lookup = await backend.outdated(inventory, explicit, offline, pre, progress)
        progress.end()
        return rows, lookup


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
    for name, error in sorted({**lookup.unindexed, **lookup.errors}.items()):
        print(f"not checked: {name}: {error}", file=sys.stderr)
    print(f"{len(rows)} outdated", file=sys.stderr)
