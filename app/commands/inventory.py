"""`devkit-tui list`: the package inventory, as a table or one JSON document."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_db,
    add_export,
    add_json,
    add_roots,
    open_backend,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.inventory.model import Inventory
    from backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_json(parser)
    add_roots(parser)
    add_db(parser)
    add_export(parser)


def run(options: argparse.Namespace) -> int:

    from backend.inventory.document import inventory_json

    settings = settings_from(options, watch=False)
    inventory = run_async(_scan_once(settings))
    if options.json:
        sys.stdout.write(inventory_json(inventory) + "\n")
    else:
        _print_table(inventory)
    for project in inventory.projects:
        for error in project.errors:
            print(f"error: {error}", file=sys.stderr)
    return EXIT_FINDINGS if inventory.error_count else EXIT_OK


async def _scan_once(settings: Settings) -> Inventory:
    async with open_backend(settings) as backend:
        return await backend.scan(reason="list")


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
