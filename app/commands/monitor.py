"""`devkit-tui monitor [ROOT ...]`: the compact monitor, for a small tmux pane."""

from __future__ import annotations

import argparse

from app.commands.common import settings_from
from app.commands.dashboard import add_arguments as add_dashboard_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dashboard_arguments(parser)


def run(options: argparse.Namespace) -> int:
    from app.commands.dashboard import open_dashboard

    settings = settings_from(options, watch=not options.no_watch, receive_otlp=not options.no_otlp)
    return open_dashboard(settings, start="monitor")
