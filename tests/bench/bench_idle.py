"""A dashboard left open: the real `devkit-tui demo` in a pseudo-terminal at 200x50,
measured over the last 60 s of 90 (the first 30 are start-up): CPU of its processes,
audit entries, database plus WAL growth, spans of devkit's own. With `--monitor`, the
same for `devkit-tui monitor` on the demo workspace in a 60x15 pane, plus how often it
rewrote the terminal title.

    uv run python tests/bench/bench_idle.py [--seconds 90] [--settle 30] [--monitor]

Goals (issue 14): CPU under 0.5% of a core, no audit entries, growth under 64 KiB, no
own spans.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
OSC_TITLE = b"\x1b]2;"


def cpu_seconds(root_pid: int) -> float:
    """User and system time of `root_pid` and every process below it."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = (int(fields[11]), int(fields[12]))
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        utime, stime = stats.get(pid, (0, 0))
        total += utime + stime
        stack.extend(children.get(pid, []))
    return total / TICKS


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def drain(fd: int, until: float) -> bytes:
    """Read the terminal's output until `until` (the app blocks if nobody reads)."""
    seen = bytearray()
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return bytes(seen)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--settle", type=float, default=30.0)
    parser.add_argument("--monitor", action="store_true", help="devkit-tui monitor at 60x15")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="devkit-idle-"))
    db = work / "devkit.sqlite3"
    env = {**os.environ, "DEVKIT_DB": str(db), "TERM": "xterm-256color"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    demo = ["-m", "app.cli", "demo", "--no-otlp", "--into", str(work / "demo")]
    rows, columns = 50, 200
    if options.monitor:
        subprocess.run([sys.executable, *demo, "--no-open"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        demo = ["-m", "app.cli", "monitor", str(work / "demo"), "--no-otlp"]
        rows, columns = 15, 60
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, *demo], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.monotonic()
    drain(fd, started + options.settle)
    cpu0, bytes0, wall0, ns0 = cpu_seconds(pid), db_bytes(db), time.monotonic(), time.time_ns()
    at_rest = drain(fd, started + options.seconds)
    cpu1, bytes1, wall1, ns1 = cpu_seconds(pid), db_bytes(db), time.monotonic(), time.time_ns()
    os.write(fd, b"q")
    drain(fd, time.monotonic() + 10)
    os.waitpid(pid, 0)
    with sqlite3.connect(db) as connection:
        entries = connection.execute(
            "SELECT action FROM audit_log WHERE timestamp_ns BETWEEN ? AND ?", (ns0, ns1)
        ).fetchall()
        own = connection.execute(
            "SELECT name FROM spans WHERE service_name = 'devkit-tui' AND start_ns BETWEEN ? AND ?",
            (ns0, ns1),
        ).fetchall()
    window = wall1 - wall0
    print(f"window                 {window:8.1f} s (after {options.settle:.0f} s of start-up)")
    print(f"CPU                    {100 * (cpu1 - cpu0) / window:8.2f} % of a core (goal < 0.5)")
    print(f"audit entries          {len(entries):8d}   {sorted({a for (a,) in entries})}")
    print(f"database + WAL growth  {(bytes1 - bytes0) / 1024:8.1f} KiB (goal < 64)")
    print(f"own spans              {len(own):8d}   {sorted({n for (n,) in own})[:5]}")
    print(f"terminal output        {len(at_rest) / 1024:8.1f} KiB in the window")
    titles = at_rest.count(OSC_TITLE)
    print(f"title rewrites         {titles:8d}")


if __name__ == "__main__":
    main()
