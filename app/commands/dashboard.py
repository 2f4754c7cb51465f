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
    from backend.settings import Settings
    from backend.workspace.scan_process import PendingScan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-watch", action="store_true", help="do not watch for changes")
    add_roots(parser)
    add_db(parser)
    add_otlp(parser, receive_flag=True)
    add_spec_limits(parser)


def run(options: argparse.Namespace) -> int:
    settings = settings_from(options, watch=not options.no_watch, receive_otlp=not options.no_otlp)
    return open_dashboard(settings)


def begin_first_scan(settings: Settings) -> PendingScan:
    """The dashboard's first scan, begun in a child process before the UI, or even the
    backend, is imported: importing Textual and scanning each take a few hundred
    milliseconds, and this way they overlap on two cores. The backend is built once
    the first frame is drawn (its imports are not needed for that frame)."""
    from backend.inventory.build import build_inventory
    from backend.workspace.scan_process import PendingScan

    return PendingScan.start(
        settings.roots, settings.max_depth, settings.environment, settings.cache_dir,
        derive=build_inventory,
    )  # fmt: skip


def open_dashboard(settings: Settings, start: str = "dashboard") -> int:
    """The app on `start` (`dashboard` or `monitor`), its first scan under way."""
    first_scan = begin_first_scan(settings)
    from app.tui import DevkitApp
    from backend.collector import freeze_startup_objects

    freeze_startup_objects()
    DevkitApp(settings, start=start, first_scan=first_scan).run()
    return EXIT_OK
