"""The `devkit-tui` command: the dashboard by default, headless subcommands beside it.

Headless subcommands never import textual: `list` must start fast in scripts and CI.
Exit codes: 0 ok, 1 findings, 2 usage or input error (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from types import ModuleType

from app.commands import (
    audit,
    check,
    dashboard,
    demo,
    entropy,
    inventory,
    outdated,
    serve,
    spans,
    spc,
    tree,
    undo,
    update,
)
from app.commands.common import EXIT_OK, EXIT_USAGE
from backend.settings import SettingsError
from backend.store.database import StoreError

SUBCOMMANDS: dict[str, ModuleType] = {
    "list": inventory,
    "serve": serve,
    "spans": spans,
    "tree": tree,
    "audit": audit,
    "spc": spc,
    "entropy": entropy,
    "check": check,
    "outdated": outdated,
    "update": update,
    "undo": undo,
    "demo": demo,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    name = args[0] if args and args[0] in SUBCOMMANDS else None
    command = SUBCOMMANDS[name] if name else dashboard
    parser = argparse.ArgumentParser(
        prog=f"devkit-tui {name}" if name else "devkit-tui",
        description=getattr(command, "DESCRIPTION", None)
        or "A dashboard for many Python projects. Subcommands: "
        + ", ".join(SUBCOMMANDS)
        + " (each takes --help).",
    )
    command.add_arguments(parser)
    options = parser.parse_args(args[1:] if name else args)
    try:
        return command.run(options)
    except (StoreError, SettingsError) as exc:
        print(f"devkit-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `devkit-tui tree | head`: the reader left, so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
