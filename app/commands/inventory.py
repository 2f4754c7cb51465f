"""`devkit-tui list`: the package inventory, as a table or one JSON document."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    add_db,
    add_export,
    add_roots,
    check_roots,
    settings_from,
)
from backend.inventory.document import inventory_json
from backend.inventory.model import Inventory
from backend.service import Backend
from backend.settings import Settings

DESCRIPTION = "Print the package inventory of every project under the roots."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    add_roots(parser)
    add_db(parser)
    add_export(parser)


def run(options: argparse.Namespace) -> int:
    settings = settings_from(options, watch=False)
    if problem := check_roots(settings.roots):
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    inventory = asyncio.run(_scan_once(settings))
    if options.json:
        sys.stdout.write(inventory_json(inventory) + "\n")
    else:
        _print_table(inventory)
    for project in inventory.projects:
        for error in project.errors:
            print(f"error: {error}", file=sys.stderr)
    return EXIT_FINDINGS if inventory.error_count else EXIT_OK


async def _scan_once(settings: Settings) -> Inventory:
    backend = Backend(settings)
    await backend.start(scan=False)
    try:
        await backend.ready()
        return await backend.scan(reason="list")
    finally:
        await backend.stop()


def _print_table(inventory: Inventory) -> None:
    rows = [("PACKAGE", "VERSIONS", "FLAGS", "PROJECTS")]
    for row in inventory.packages.values():
        rows.append(
            (
                row.name,
                " ".join(row.versions) or "-",
                ",".join(sorted(row.flags)) or "-",
                str(len(row.usages)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    print(
        f"{len(inventory.packages)} packages in {len(inventory.projects)} projects,"
        f" {inventory.error_count} errors",
        file=sys.stderr,
    )
