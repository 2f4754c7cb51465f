"""What every subcommand shares: exit codes, the common options, settings from them, the
Backend opened for the command's work, and JSON and text output.

A subcommand module holds its own options (`add_arguments`) and output (`run`); what
its work needs is imported inside `run`, so `devkit-tui COMMAND --help` loads only
argparse and this module. A problem the user can fix is raised as `UsageProblem`
(or `SettingsError`, `StoreError`) and printed once, by `app.cli`, as
`devkit-tui COMMAND: message` with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from backend.safe_text import escape_controls
from backend.setting_names import DB_ENV_VAR, DEFAULT_MAX_DEPTH

T = TypeVar("T")

if TYPE_CHECKING:
    from backend.service import Backend
    from backend.settings import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageProblem(ValueError):
    """A flag value or input that cannot be used: exit 2, with this message."""


# -- options ---------------------------------------------------------------------------


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def add_roots(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("roots", nargs="*", type=Path, help="folders to scan (default: .)")
    add_max_depth(parser)
    parser.add_argument("--env", type=Path, help="environment to use instead of each .venv")


def add_max_depth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-depth",
        type=int,
        help=f"folder depth to search (default {DEFAULT_MAX_DEPTH})",
    )


def add_apply_options(parser: Any) -> None:
    """`--dry-run`, `--yes` and `--jobs`: how a command that changes projects applies."""
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    parser.add_argument("--jobs", type=int, help="projects at once (default 2)")


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
        help="address the OTLP/HTTP receiver binds (default: 127.0.0.1, loopback only)",
    )
    parser.add_argument("--otlp-port", type=int, help="receiver port (default 4318; 0 picks one)")
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


class TerminalProgress:
    """`LABEL: done/total` rewritten on one stderr line, when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{self.label}: {done}/{total}", end="", file=sys.stderr, flush=True)
            self.shown = True

    def end(self) -> None:
        """Finish the line, if one was written."""
        if self.shown:
            print(file=sys.stderr)


def add_project_roots(parser: argparse.ArgumentParser) -> None:
    """`--root`, where a command given one project by name looks for it."""
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="where to look for a project given by name (default: .)",
    )


def add_index(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--index-url", help=f"the simple index (default: {default})")
    parser.add_argument(
        "--offline", action="store_true", help="answer from the index cache only, and say how old"
    )


# -- settings and the backend ----------------------------------------------------------

_OPTION_FIELDS = (
    ("db", "db_path"),
    ("max_depth", "max_depth"),
    ("env", "environment"),
    ("otlp_host", "otlp_host"),
    ("otlp_port", "otlp_port"),
    ("otlp_export", "otlp_export"),
    ("index_url", "index_url"),
)


def settings_from(options: argparse.Namespace, **values: Any) -> Settings:
    """Settings from whichever common options the subcommand has; roots that are not
    folders are a usage problem."""
    if getattr(options, "jobs", None) is not None:
        values["update_concurrency"] = options.jobs
    if getattr(options, "spec_for", None):
        values["spec_limits"] = spec_limits_from(options.spec_for)
    if getattr(options, "roots", None):
        values.setdefault("roots", options.roots)
    for option, name in _OPTION_FIELDS:
        value = getattr(options, option, None)
        if value is not None:
            values[name] = value
    from backend.settings import Settings

    resolved = configured(values, getattr(options, "config", None))
    fixed = frozenset(k for k, (_, source) in resolved.sources.items() if source in ("flag", "env"))
    settings = Settings(**resolved.values, config_file=resolved.path, fixed_keys=fixed)
    for root in settings.roots if "roots" in values else ():
        if not root.is_dir():
            raise UsageProblem(f"{root}: not a folder")
    return settings


def configured(values: dict[str, Any], explicit: Path | None = None) -> Any:
    """The command's values over the environment over the configuration file; the
    loader (and pydantic, when there is a file) is imported here, not at start-up."""
    from backend.config.loader import resolve

    return resolve(values, explicit)


def project_folder(backend: Backend, selector: str) -> Path:
    """The scanned project a command was pointed at, by folder or by name (as uv takes
    `--project`); one that matches nothing is a usage error naming the known ones."""
    folder = backend.find_project(selector)
    if folder is not None:
        return folder
    known = sorted({p.name for p in backend.inventory.projects}) if backend.inventory else []
    shown = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    raise UsageProblem(
        f"no project {selector!r} (give a project's folder or its name);"
        f" known projects: {shown or 'none'}"
    )


@contextlib.asynccontextmanager
async def open_backend(settings: Settings, require_store: bool = True) -> AsyncIterator[Backend]:
    """The Backend for one command's work, started without a scan and stopped after it.
    It waits for its store (a `StoreError` says why it cannot be opened) unless the
    command also works without one (`require_store=False`)."""
    from backend.service import Backend

    backend = Backend(settings)
    await backend.start(scan=False)
    try:
        if require_store:
            await backend.ready()
        yield backend
    finally:
        await backend.stop()


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


# -- output ----------------------------------------------------------------------------


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(work)`, with its result kept where asyncio cannot see it: on the
    way out `asyncio.run` formats its main task's repr (CPython's signal module turns
    the SIGINT handler back into an enum, and the failed lookup's message holds the
    handler, which holds the task), and the repr of a finished task is the repr of
    its whole result: 0.3 s, twice, for a 10,000-package inventory."""
    import asyncio

    async def held() -> _Held[T]:
        return _Held(await work)

    return asyncio.run(held()).value


class _Held(Generic[T]):
    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<result>"


def print_json(document: object) -> None:
    from backend.json_text import pretty

    sys.stdout.write(pretty(document) + "\n")


def printable(text: str) -> str:
    """Names and messages come from anyone: one line, no terminal control characters."""
    return escape_controls(text, keep_lines=False)


def warn(command: str, message: str) -> None:
    """A message on stderr that does not stop the command."""
    print(f"devkit-tui {command}: {message}", file=sys.stderr)
