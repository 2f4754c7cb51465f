"""Each project's dependency graph, built once per scan of it and kept until the project
is read again. Worker threads build graphs while the UI runs, so access is locked.

With a folder, graphs also outlive the process (`tree PROJECT` run again skips the
lock and the walk): one pickle per project, valid while every path its scan read is as
it was then (see `kept`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from backend.graph.dependency_graph import DependencyGraph, graph_from_uv_lock
from backend.graph.fallbacks import graph_from_environment, graph_from_pylock
from backend.graph.markers import marker_environment
from backend.parsers.pylock import parse_pylock
from backend.parsers.records import ParseFailure
from backend.parsers.uv_lock import parse_uv_lock
from backend.workspace.discovery import is_pylock_name
from backend.workspace.kept import keep_pickle, load_pickle, unchanged, unsettled
from backend.workspace.parse_cache import ParseCache
from backend.workspace.scan_cache import code_digest, interpreter
from backend.workspace.scanner import ProjectScan

NOT_KEPT = object()


class GraphCache:
    """Graphs by project folder, keyed to the scan they were built from."""

    def __init__(
        self,
        scans: Callable[[], dict[Path, ProjectScan]],
        cache: ParseCache,
        kept_in: Path | None = None,
    ) -> None:
        self._scans = scans
        self._cache = cache
        self._lock = threading.Lock()
        self._graphs: dict[Path, tuple[ProjectScan | None, DependencyGraph | None]] = {}
        self.folder = kept_in / "graphs" if kept_in is not None else None
        """Where graphs are kept between runs (None: built in each process)."""
        self.kept_hits = 0

    def graph(self, folder: Path) -> DependencyGraph | None:
        """The project's graph (None when nothing describes its edges)."""
        with self._lock:
            scan = self._scans().get(folder)
            cached = self._graphs.get(folder)
            if cached is not None and cached[0] is scan:
                return cached[1]
            graph = self._kept_or_built(scan) if scan is not None else None
            self._graphs[folder] = (scan, graph)
            return graph

    def warm(self) -> int:
        """Build every project's graph ahead of need; returns how many exist."""
        return sum(self.graph(folder) is not None for folder in list(self._scans()))

    def _kept_or_built(self, scan: ProjectScan) -> DependencyGraph | None:
        """The graph kept for this very scan (every input as it was), else built and,
        when its inputs have settled and did not move meanwhile, kept."""
        entry = self._entry(scan)
        if entry is None:
            return self._build(scan)
        kept = _load(entry, scan)
        if kept is not NOT_KEPT:
            self.kept_hits += 1
            return kept  # type: ignore[return-value]
        graph = self._build(scan)
        inputs = scan.inputs
        if not unsettled(identity for _, identity in inputs) and unchanged(inputs):
            keep_pickle(entry, (code_digest(), interpreter(), inputs, graph))
        return graph

    def _entry(self, scan: ProjectScan) -> Path | None:
        if self.folder is None or not scan.inputs:
            return None
        name = hashlib.blake2b(str(scan.path).encode(), digest_size=20).hexdigest()
        return self.folder / f"{name}.pickle"

    def _build(self, scan: ProjectScan) -> DependencyGraph | None:
        """From uv.lock, else pylock.toml, else the installed environment."""
        environment = (
            marker_environment(scan.environment.python_version) if scan.environment else None
        )
        lock_file = scan.lock_file
        try:
            if lock_file is not None and lock_file.name == "uv.lock":
                lock = self._cache.get(lock_file, parse_uv_lock)
                relative = scan.path.relative_to(lock_file.parent).as_posix() or "."
                return graph_from_uv_lock(lock, relative, scan.name, environment)
            if lock_file is not None and is_pylock_name(lock_file.name):
                lock = self._cache.get(lock_file, parse_pylock)
                return graph_from_pylock(lock, scan.name, scan.declarations, environment)
        except ParseFailure:
            return None
        if scan.environment is not None and scan.environment.dists:
            return graph_from_environment(
                scan.environment, scan.name, scan.declarations, environment
            )
        return None


def _load(entry: Path, scan: ProjectScan) -> object:
    """The kept graph (None included: nothing describes the edges), or `NOT_KEPT`
    when there is none for this scan's inputs, or it was written by other code or
    under another interpreter (whose marker values decide which edges are active)."""
    record = load_pickle(entry, 4)
    if record is None:
        return NOT_KEPT
    code, python, inputs, graph = record
    if code != code_digest() or python != interpreter() or inputs != scan.inputs:
        return NOT_KEPT
    return graph
