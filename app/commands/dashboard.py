"""`devkit-tui [ROOT ...]`: the dashboard."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_OK,
    add_db,
    add_otlp,
    add_roots,
    add_spec_limits,
    settings_from,
)

if TYPE_CHECKING:
    from backend.service import Backend
    from backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-watch", action="store_true", help="do not watch for changes")
    add_roots(parser)
    add_db(parser)
    add_otlp(parser, receive_flag=True)
    add_spec_limits(parser)


def run(options: argparse.Namespace) -> int:
    settings = settings_from(options, watch=not options.no_watch, receive_otlp=not options.no_otlp)
    return open_dashboard(settings)


def start_backend(settings: Settings) -> Backend:
    """A dashboard's backend with its first scan already running in a child process.

    Called before the UI is imported: importing Textual and scanning each take about
    half a second, and this way they overlap on two cores.
    """
    from backend.service import Backend

    backend = Backend(settings, scan_in_child=True)
    backend.begin_scan()
    return backend


def open_dashboard(settings: Settings, start: str = "dashboard") -> int:
    """The app on `start` (`dashboard` or `monitor`), its first scan under way."""
    backend = start_backend(settings)
    from app.tui import DevkitApp
    from backend.collector import freeze_startup_objects

    freeze_startup_objects()
    DevkitApp(settings, backend, start=start).run()
    return EXIT_OK
