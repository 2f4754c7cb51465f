"""`devkit-tui monitor` in a real pseudo-terminal: the terminal title (OSC 2) carries
the status, so tmux can show it, and `q` leaves with exit 0."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

from tests.helpers import REPOSITORY

TITLE = b"\x1b]2;devkit-tui: "


def read_until(fd: int, wanted: bytes, deadline: float) -> bytes:
    seen = bytearray()
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {wanted!r}; last output {bytes(seen[-300:])!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return bytes(seen)


def test_the_terminal_title_carries_the_status(demo_workspace: Path, tmp_path: Path) -> None:
    args = [sys.executable, "-m", "app.cli", "monitor", str(demo_workspace), "--no-otlp",
            "--no-watch", "--db", str(tmp_path / "db.sqlite3")]  # fmt: skip
    env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(REPOSITORY)
        os.execve(sys.executable, args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 15, 60, 0, 0))
    try:
        output = read_until(fd, TITLE + b"ALARM", time.monotonic() + 120)
        title = output[output.rindex(TITLE) :].split(b"\x07", 1)[0]
        assert b"1 conflict package" in title  # the demo's numpy breaks its specifier
        assert b"\x1b" not in title[len(TITLE) :]  # nothing in it can escape the title
        os.write(fd, b"q")
        deadline = time.monotonic() + 60
        while not (exited := os.waitpid(pid, os.WNOHANG))[0] and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:  # keep reading: a full pty blocks it
                with contextlib.suppress(OSError):
                    os.read(fd, 65536)
        assert exited[0], "q did not end the monitor"
        pid = 0
        assert os.waitstatus_to_exitcode(exited[1]) == 0
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
