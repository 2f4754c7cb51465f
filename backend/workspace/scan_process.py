"""Full scans in a child process, so parsing never competes with the UI for the GIL.

A full scan of a large workspace is a few hundred milliseconds of pure Python; in a
thread it would stall the dashboard's event loop for as long. The child can start
before the UI has even been imported, so the first scan runs on the second core
while Textual loads. It is forked when the parent has no other thread yet (fast, and
it inherits the imported modules), and spawned otherwise (forking a threaded
process can deadlock the child).
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Any

from backend.collector import collector_paused
from backend.workspace.scanner import Layout, ProjectScan, Scanner

ProgressCallback = Callable[[int, int, Path], None]
PROGRESS_INTERVAL = 0.1

_progress: SimpleQueue[tuple[int, int, str] | None] | None = None


def _initialise(queue: SimpleQueue[tuple[int, int, str] | None]) -> None:
    global _progress
    _progress = queue


Derive = Callable[[list[Path], list[ProjectScan]], Any]
"""What the child makes of its scans before sending them (the backend's inventory
build): done there, it takes no GIL from the UI."""


@dataclass(slots=True)
class ChildScan:
    """A full scan from the child: its scans and layout, and what `derive` made of
    them with the nanoseconds it started and ended (None without a `derive`)."""

    scans: list[ProjectScan]
    layout: Layout
    derived: tuple[Any, int, int] | None = None


def full_scan(
    roots: list[Path],
    max_depth: int,
    environment: Path | None,
    cache_dir: Path | None = None,
    derive: Derive | None = None,
) -> bytes:
    """Runs in the child: discover and read every project under the roots; the
    `ChildScan` pickled here, where it is made (`read_child_scan` reads it)."""
    with collector_paused():
        child_scan = _full_scan(roots, max_depth, environment, cache_dir, derive)
        return pickle.dumps(child_scan, protocol=pickle.HIGHEST_PROTOCOL)


def read_child_scan(data: bytes) -> ChildScan:
    with collector_paused():
        child_scan: ChildScan = pickle.loads(data)
    return child_scan


def _full_scan(
    roots: list[Path],
    max_depth: int,
    environment: Path | None,
    cache_dir: Path | None,
    derive: Derive | None,
) -> ChildScan:
    last = 0.0

    def report(done: int, total: int, path: Path) -> None:
        nonlocal last
        now = time.monotonic()
        if _progress is not None and (now - last >= PROGRESS_INTERVAL or done == total):
            last = now
            _progress.put((done, total, str(path)))

    scanner = Scanner(environment=environment, cache_dir=cache_dir)
    scans = scanner.scan_all(roots, max_depth, report)
    assert scanner.layout is not None
    if derive is None:
        return ChildScan(scans, scanner.layout)
    started = time.time_ns()
    derived = derive(roots, scans)
    return ChildScan(scans, scanner.layout, (derived, started, time.time_ns()))


class ScanProcess:
    """One child process for full scans, and a thread relaying its progress."""

    def __init__(self) -> None:
        method = "fork" if threading.active_count() == 1 and _can_fork() else "spawn"
        context = multiprocessing.get_context(method)
        self._queue: SimpleQueue[tuple[int, int, str] | None] = context.SimpleQueue()
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_initialise, initargs=(self._queue,)
        )
        self.on_progress: ProgressCallback | None = None
        self.last_heard = time.monotonic()
        """When the child last reported progress (or was last given work)."""
        self._relay: threading.Thread | None = None

    def submit(
        self,
        roots: list[Path],
        max_depth: int,
        environment: Path | None,
        cache_dir: Path | None = None,
        derive: Derive | None = None,
    ) -> Future[bytes]:
        """Start a full scan in the child; the future holds its `ChildScan`, pickled
        (`read_child_scan`)."""
        self.last_heard = time.monotonic()
        future = self._pool.submit(full_scan, roots, max_depth, environment, cache_dir, derive)
        if self._relay is None:  # only now: a fork must happen before any thread starts
            self._relay = threading.Thread(
                target=self._relay_progress, name="scan-progress", daemon=True
            )
            self._relay.start()
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._queue.put(None)

    def kill(self) -> None:
        """Stop a child that no longer answers, and the pool with it."""
        for process in list(getattr(self._pool, "_processes", {}).values()):
            process.kill()
        self.shutdown()

    def _relay_progress(self) -> None:
        """Hand progress from the child to `on_progress`, in this process's thread."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            self.last_heard = time.monotonic()
            callback = self.on_progress
            if callback is not None:
                done, total, path = item
                callback(done, total, Path(path))


class PendingScan:
    """A full scan handed to the child, read at most once. The dashboard's first is
    begun before anything else is imported, ahead of the backend and of Textual, and
    whoever needs it first reads it: the app before its first frame when the child
    has already answered (the usual case), else the backend once it is built."""

    def __init__(self, process: ScanProcess, future: Future[bytes]) -> None:
        self.process = process
        self.future = future
        self._read: ChildScan | None = None

    @classmethod
    def start(
        cls,
        roots: list[Path],
        max_depth: int,
        environment: Path | None,
        cache_dir: Path | None = None,
        derive: Derive | None = None,
    ) -> PendingScan:
        process = ScanProcess()
        return cls(process, process.submit(roots, max_depth, environment, cache_dir, derive))

    @property
    def answered(self) -> bool:
        """Whether reading it now would not wait for the child."""
        return self._read is not None or self.future.done()

    @property
    def is_read(self) -> bool:
        return self._read is not None

    def read(self) -> ChildScan:
        """The child's scan (waits for it); a scan that failed in the child raises here."""
        if self._read is None:
            self._read = read_child_scan(self.future.result())
        return self._read


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
