"""What every subcommand shares: exit codes, common options, settings from options."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.settings import DB_ENV_VAR, Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageProblem(ValueError):
    """A flag value that cannot be used."""


def add_roots(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("roots", nargs="*", type=Path, help="folders to scan (default: .)")
    parser.add_argument("--max-depth", type=int, default=8, help="folder depth to search")
    parser.add_argument("--env", type=Path, help="environment to use instead of each .venv")


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help=f"SQLite file (default: ${DB_ENV_VAR} or the user data folder)"
    )


def add_otlp(parser: argparse.ArgumentParser, receive_flag: bool) -> None:
    """The receiver's address, and forwarding of our own spans."""
    if receive_flag:
        parser.add_argument("--no-otlp", action="store_true", help="do not receive OTLP/HTTP")
    parser.add_argument(
        "--otlp-host",
        default="127.0.0.1",
        help="address the OTLP/HTTP receiver binds (default: 127.0.0.1, loopback only)",
    )
    parser.add_argument(
        "--otlp-port", type=int, default=4318, help="receiver port (default 4318; 0 picks one)"
    )
    add_export(parser)


def add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--otlp-export",
        metavar="URL",
        help="also send devkit's own spans to this OTLP/HTTP traces endpoint "
        "(OTEL_EXPORTER_OTLP_* variables apply)",
    )


def add_spec_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec-for",
        action="append",
        default=[],
        metavar="SPAN=MS",
        help="upper specification limit of one span name in ms (repeatable; default 2000)",
    )


def spec_limits_from(pairs: list[str]) -> dict[str, float]:
    """`NAME=MS` pairs; the name may itself hold `=` (the last one splits)."""
    limits = {}
    for pair in pairs:
        name, sep, value = pair.rpartition("=")
        try:
            limits[name] = float(value)
        except ValueError:
            raise UsageProblem(f"--spec-for {pair!r}: expected SPAN=MS") from None
        if not sep or not name:
            raise UsageProblem(f"--spec-for {pair!r}: expected SPAN=MS")
    return limits


def settings_from(options: argparse.Namespace, **values: Any) -> Settings:
    """Settings from whichever common options the subcommand has."""
    if getattr(options, "spec_for", None):
        values["spec_limits"] = spec_limits_from(options.spec_for)
    if getattr(options, "roots", None) is not None:
        values.setdefault("roots", options.roots or [Path.cwd()])
    for option, field in (
        ("db", "db_path"),
        ("max_depth", "max_depth"),
        ("env", "environment"),
        ("otlp_host", "otlp_host"),
        ("otlp_port", "otlp_port"),
        ("otlp_export", "otlp_export"),
    ):
        value = getattr(options, option, None)
        if value is not None:
            values[field] = value
    return Settings(**values)


def check_roots(roots: list[Path]) -> str | None:
    for root in roots:
        if not root.is_dir():
            return f"devkit-tui: {root}: not a folder"
    return None


def print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def parse_since(text: str, now: float | None = None) -> int:
    """ISO 8601 (a date, or a date and time; UTC unless it says otherwise) or `15m`."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        seconds = float(relative.group(1)) * _UNIT_S[relative.group(2)]
        return int(((now or time.time()) - seconds) * 1e9)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageProblem(
            f"--since {text!r} is neither ISO 8601 nor a duration like 15m"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1e9)


def printable(text: str) -> str:
    """Span names come from anyone: no terminal control characters on stdout."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
