"""`devkit-tui demo`: build a realistic workspace and open the dashboard on it."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from app.commands.common import EXIT_OK, add_db, add_otlp, print_json, settings_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--into", type=Path, help="build the workspace here (default: a temp dir)")
    parser.add_argument("--no-open", action="store_true", help="build it and print its path")
    parser.add_argument("--json", action="store_true", help="with --no-open: print JSON")
    add_db(parser)
    add_otlp(parser, receive_flag=True)


def run(options: argparse.Namespace) -> int:
    from backend.demo import build_demo_workspace

    target = options.into or Path(tempfile.mkdtemp(prefix="devkit-demo-"))
    build_demo_workspace(target)
    if options.no_open:
        if options.json:
            print_json({"schema": "devkit.demo/1", "path": str(target)})
        else:
            print(target)
        return EXIT_OK
    print(f"demo workspace: {target}", file=sys.stderr)
    from app.commands.dashboard import open_dashboard

    settings = settings_from(options, roots=[target], watch=True, receive_otlp=not options.no_otlp)
    return open_dashboard(settings)
