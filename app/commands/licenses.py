"""`devkit-tui licenses`: each package's licence, per project and version, as an SPDX
expression with the field it came from (`License-Expression`, `License`, `Classifier`)
and where that was read (`installed`, `index`). A report: it exits 0 (2 on usage errors)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

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
    from backend.index.licenses import LicenseRow
    from backend.settings import Settings

LICENSES_SCHEMA = "devkit.licenses/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_roots(parser)
    add_index(parser, "$UV_INDEX_URL, else each package's index as uv would pick it, else PyPI")
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=False)
    rows = run_async(_licenses(settings, options.offline))
    if options.json:
        print_json({"schema": LICENSES_SCHEMA, "packages": [r.as_json() for r in rows]})
    else:
        _print(rows)
    return EXIT_OK


async def _licenses(settings: Settings, offline: bool) -> list[LicenseRow]:
    async with open_backend(settings, require_store=False) as backend:  # no store: no cache
        inventory = await backend.scan(reason="scan")
        progress = TerminalProgress("core metadata")
        rows = await backend.licenses(inventory, settings.index_url, offline, progress)
        progress.end()
        return rows


def _print(rows: list[LicenseRow]) -> None:
    if not rows:
        print("no packages")
        return
    width = max(len(r.name) for r in rows)
    version_width = max(len(r.version or "-") for r in rows)
    for row in rows:
        where = f"{row.license.source or '-'}, {row.origin or '-'}"
        why = f"  ({printable(row.why)})" if row.why else ""
        print(
            f"{printable(row.name):<{width}}  {row.version or '-':<{version_width}}"
            f"  {printable(row.project)}: {printable(row.license.expression)} [{where}]{why}"
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.license.expression] = counts.get(row.license.expression, 0) + 1
    ranked = sorted(counts.items(), key=lambda count: -count[1])
    print(", ".join(f"{n} {printable(name)}" for name, n in ranked))
