"""Running uv (and a project's check command) as argument lists, never through a
shell, with names and versions checked by `packaging` before they are used."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

TIMEOUT_S = 900.0
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


class UnsafeArgument(ValueError):
    """A package name, version or group that must not reach a command line."""


class UvMissing(RuntimeError):
    """No uv to run."""


class Cancelled(Exception):
    """The user cancelled while a command ran; the command was stopped."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    args: tuple[str, ...]
    cwd: str
    returncode: int
    output: str
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def line(self) -> str:
        """The command as a person would type it (for the audit log and the plan)."""
        return shlex.join(self.args)

    def tail(self, lines: int = 12) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])


def checked_name(name: str) -> str:
    """A distribution, group or extra name as PEP 508/735 allow, normalized."""
    if not _NAME.match(name):
        raise UnsafeArgument(f"not a valid package, group or extra name: {name!r}")
    return canonicalize_name(name)


def checked_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        raise UnsafeArgument(f"not a valid version: {version!r}") from None


def uv_binary(configured: str | None = None) -> str:
    """The configured uv (`Settings.uv_path`, from `DEVKIT_UV`), else uv on PATH, else
    the one the `uv` Python package ships."""
    if configured:
        return configured
    found = shutil.which("uv")
    if found:
        return found
    with contextlib.suppress(ImportError, FileNotFoundError):
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    raise UvMissing("uv was not found: install it (https://docs.astral.sh/uv/) or set DEVKIT_UV")


def command_env() -> dict[str, str]:
    """This process's environment without the active virtualenv (uv would warn, or
    use it instead of the project's) and without progress bars."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    env["UV_NO_PROGRESS"] = "1"
    env.setdefault("NO_COLOR", "1")
    return env


async def run_command(
    args: list[str],
    cwd: Path,
    cancel: asyncio.Event | None = None,
    timeout_s: float = TIMEOUT_S,
) -> CommandResult:
    """Run to completion and capture stdout and stderr together; `cancel` set while it
    runs stops the process and raises `Cancelled`."""
    started = time.perf_counter()
    try:
        process = await asyncio.create_subprocess_exec(
            *args,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=command_env(),
        )
    except OSError as exc:
        return CommandResult(tuple(args), str(cwd), 127, f"{args[0]}: {exc}", 0.0)
    communicate = asyncio.ensure_future(process.communicate())
    waiters: set[asyncio.Future[object]] = {communicate}  # type: ignore[arg-type]
    cancelled = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    if cancelled is not None:
        waiters.add(cancelled)  # type: ignore[arg-type]
    try:
        try:
            done, _ = await asyncio.wait(waiters, timeout=timeout_s, return_when="FIRST_COMPLETED")
        except asyncio.CancelledError:  # the caller went away: so does the command
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
        if communicate not in done:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await communicate
            if cancelled is not None and cancelled in done:
                raise Cancelled(shlex.join(args))
            output = f"timed out after {timeout_s:.0f} s"
            return CommandResult(tuple(args), str(cwd), -9, output, timeout_s * 1000)
        stdout, _ = communicate.result()
    finally:
        if cancelled is not None:
            cancelled.cancel()
    return CommandResult(
        tuple(args),
        str(cwd),
        process.returncode if process.returncode is not None else -1,
        stdout.decode("utf-8", errors="replace"),
        (time.perf_counter() - started) * 1000,
    )
