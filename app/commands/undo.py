"""`devkit-tui undo`: revert the newest update batch that changed files, where the
files are still as that batch left them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_db,
    add_json,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=False, roots=[])
    return run_async(_undo(settings, options.json))


async def _undo(settings: Settings, as_json: bool) -> int:
    async with open_backend(settings) as backend:
        await backend.updates.recover()
        outcome = await backend.updates.updater(require_uv=False).undo()
    if as_json:
        print_json({"schema": "devkit.undo/1", **outcome.as_json()})
    elif outcome.batch_id is None:
        print("nothing to undo: no update batch changed files", file=sys.stderr)
    else:
        for project in outcome.restored:
            print(f"restored {printable(project)} (batch {outcome.batch_id})")
        for project, reason in outcome.refused.items():
            print(f"refused {printable(project)}: {printable(reason)}", file=sys.stderr)
    return EXIT_FINDINGS if outcome.refused else EXIT_OK
