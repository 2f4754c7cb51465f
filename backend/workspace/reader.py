"""Reading the workspace: every project under the roots, or the few a change touched.

A full scan runs in a child process when the caller asks for one (the dashboard: its
UI shares this process's event loop and GIL), else in a worker thread. A child that
gives no sign of life is killed and later scans run in a thread. The timings the
parsers took are turned into spans afterwards, under the span of the scan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode, Tracer

from backend.telemetry import names
from backend.workspace.routing import affected_projects
from backend.workspace.scanner import Layout, ProjectScan, Scanner, Timing

if TYPE_CHECKING:
    from backend.workspace.scan_process import ChildScan, Derive, PendingScan, ScanProcess

PROGRESS_INTERVAL = 0.1
CHILD_STALL_S = 15.0
"""A scan process silent this long (no progress, no result) is given up: the scan
runs in this process instead."""

Progress = Callable[[int, int, Path], None]


class WorkspaceReader:
    """Owns the scanner, the scan process and the latest scan of every project."""

    def __init__(
        self,
        roots: list[Path],
        max_depth: int,
        environment: Path | None,
        in_child: bool,
        report: Callable[[str], None],
        cache_dir: Path | None = None,
        derive: Derive | None = None,
        first: PendingScan | None = None,
    ) -> None:
        """`first`: the first full scan, begun in its own child before this reader was
        made (the dashboard's); that child then serves every later full scan too."""
        self.roots = roots
        self.max_depth = max_depth
        self.environment = environment
        self.cache_dir = cache_dir
        self.scanner = Scanner(environment=environment, cache_dir=cache_dir)
        self.scans: dict[Path, ProjectScan] = {}
        """The latest scan of each project folder."""
        self.child: ScanProcess | None = first.process if first is not None else None
        if in_child and first is None:  # multiprocessing and the pool: a dashboard's only
            from backend.workspace.scan_process import ScanProcess

            self.child = ScanProcess()
        self.stall_after_s = CHILD_STALL_S
        self.lock = asyncio.Lock()
        """Held while scans are read or replaced, so a full scan and a refresh never mix."""
        self._report = report
        self._early = first
        self._derive = derive
        self.derived: tuple[Any, int, int] | None = None
        """What the child made of the scans `read_all` last returned, with its start
        and end (nanoseconds); None when they were read in this process."""

    @property
    def cache(self):  # type: ignore[no-untyped-def]
        """The parse cache shared with graphs and analyses (a lock is parsed once)."""
        return self.scanner.cache

    def follow_child_progress(self, progress: Progress) -> None:
        """Report the child's progress through `progress`, on the running loop."""
        if self.child is not None:
            loop = asyncio.get_running_loop()
            self.child.on_progress = lambda done, total, path: loop.call_soon_threadsafe(
                progress, done, total, path
            )

    async def read_all(self, progress: Progress) -> tuple[list[ProjectScan], Layout]:
        """Discover and read every project (call with `lock` held)."""
        self.derived = None
        scans = await self._read_in_child() if self.child is not None else None
        if scans is None:
            scans = await asyncio.to_thread(
                self.scanner.scan_all, self.roots, self.max_depth, _throttled(progress)
            )
        layout = self.scanner.layout
        assert layout is not None
        self.scans = {s.path: s for s in scans}
        return scans, layout

    def affected(self, paths: set[Path]) -> set[Path] | None:
        """Project folders a change touches; None when the layout must be read again."""
        return affected_projects(self.scanner, paths)

    async def reread(self, folders: set[Path], paths: set[Path]) -> list[ProjectScan]:
        """Read the given projects again (call with `lock` held)."""
        for path in paths:
            self.scanner.cache.forget(path)
        rescanned = await asyncio.to_thread(
            lambda: [self.scanner.scan_project(f, fresh=True) for f in sorted(folders)]
        )
        for scan in rescanned:
            self.scans[scan.path] = scan
        return rescanned

    def index_urls(self) -> dict[str, str | None]:
        """Each project's default index from its `[tool.uv]` (None: not configured)."""
        return {scan.name: scan.index_url for scan in self.scans.values()}

    def shutdown(self) -> None:
        if self.child is not None:
            self.child.shutdown()

    def _submit(self) -> Future[bytes]:
        assert self.child is not None
        return self.child.submit(
            self.roots, self.max_depth, self.environment, self.cache_dir, self._derive
        )

    async def _read_in_child(self) -> list[ProjectScan] | None:
        """The child's scans; None when it stopped answering (it is killed, and later
        scans run in a thread)."""
        child = self.child
        assert child is not None
        first, self._early = self._early, None
        if first is None:
            from backend.workspace.scan_process import PendingScan

            first = PendingScan(child, self._submit())
        if first.is_read:  # the app read it for its first frame
            return self._adopt(first.read())
        waiting = asyncio.wrap_future(first.future)
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=1.0)
            if done:
                break
            if time.monotonic() - child.last_heard > self.stall_after_s:
                waiting.cancel()
                child.kill()
                self.child = None
                self._report(
                    f"the scan process gave no sign of life for {self.stall_after_s:.0f} s;"
                    " scanning in this process instead"
                )
                return None
        return self._adopt(await asyncio.to_thread(first.read))

    def _adopt(self, result: ChildScan) -> list[ProjectScan]:
        self.scanner.adopt(result.layout)
        self.derived = result.derived
        return result.scans


def record_project(tracer: Tracer, parent: Span, scan: ProjectScan) -> None:
    """The project read, and the files it parsed beneath it, as spans after the fact."""
    if not scan.timings:
        return
    project, *files = scan.timings
    project_span = record_timings(tracer, parent, [project])
    record_timings(tracer, project_span or parent, files)


def record_timings(tracer: Tracer, parent: Span, timings: Iterable[Timing]) -> Span | None:
    """Spans for operations timed elsewhere (a thread, a child), under `parent`."""
    context = trace.set_span_in_context(parent)
    span = None
    for timing in timings:
        span = tracer.start_span(
            timing.name, context=context, start_time=timing.start_ns, attributes=timing.attributes
        )
        if timing.error is not None:
            span.set_status(StatusCode.ERROR, timing.error)
            span.set_attribute(names.ERROR_TYPE, "parse_error")
        span.end(end_time=timing.end_ns)
    return span


def _throttled(progress: Progress) -> Progress:
    """At most ten reports a second: each one redraws a progress bar on the UI's loop."""
    loop = asyncio.get_running_loop()
    last = 0.0

    def report(done: int, total: int, path: Path) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL or done == total:
            last = now
            loop.call_soon_threadsafe(progress, done, total, path)

    return report
