"""Commands as argument lists: stopped when the user cancels or the caller goes away,
and names and versions checked before they reach a command line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from backend.update.uv_runner import (
    Cancelled,
    UnsafeArgument,
    checked_name,
    checked_version,
    run_command,
)

SLEEPER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"


async def started_pid(pid_file: Path) -> int:
    while not pid_file.exists() or not pid_file.read_text():
        await asyncio.sleep(0.02)
    return int(pid_file.read_text())


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_cancel_event_stops_the_command(tmp_path: Path) -> None:
    cancel = asyncio.Event()
    pid_file = tmp_path / "pid"
    task = asyncio.create_task(
        run_command([sys.executable, "-c", SLEEPER, str(pid_file)], tmp_path, cancel)
    )
    pid = await started_pid(pid_file)
    cancel.set()
    with pytest.raises(Cancelled):
        await task
    assert gone(pid)


async def test_a_caller_that_goes_away_takes_the_command_along(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    task = asyncio.create_task(
        run_command([sys.executable, "-c", SLEEPER, str(pid_file)], tmp_path)
    )
    pid = await started_pid(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(30):  # killed at once; reaped as soon as the machine lets it
        while not gone(pid):
            await asyncio.sleep(0.02)


async def test_output_exit_code_and_a_missing_program(tmp_path: Path) -> None:
    done = await run_command([sys.executable, "-c", "print('hi'); raise SystemExit(3)"], tmp_path)
    assert (done.returncode, done.output.strip(), done.ok) == (3, "hi", False)
    missing = await run_command([str(tmp_path / "no-such-program")], tmp_path)
    assert missing.returncode == 127 and "no-such-program" in missing.output


@pytest.mark.parametrize("bad", ["a b", "x;rm", "$(id)", "-rf", "name==1", ""])
def test_unsafe_names(bad: str) -> None:
    with pytest.raises(UnsafeArgument):
        checked_name(bad)


def test_names_and_versions_are_normalized() -> None:
    assert checked_name("Foo_Bar.baz") == "foo-bar-baz"
    assert checked_version("1.0") == "1.0"
    with pytest.raises(UnsafeArgument):
        checked_version("1.0; echo")
