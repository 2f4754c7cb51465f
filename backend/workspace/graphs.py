"""Each project's dependency graph, built once per scan of it and kept until the project
is read again. Worker threads build graphs while the UI runs, so access is locked."""

from __future__ import annotations

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
from backend.workspace.parse_cache import ParseCache
from backend.workspace.scanner import ProjectScan


class GraphCache:
    """Graphs by project folder, keyed to the scan they were built from."""

    def __init__(self, scans: Callable[[], dict[Path, ProjectScan]], cache: ParseCache) -> None:
        self._scans = scans
        self._cache = cache
        self._lock = threading.Lock()
        self._graphs: dict[Path, tuple[ProjectScan | None, DependencyGraph | None]] = {}

    def graph(self, folder: Path) -> DependencyGraph | None:
        """The project's graph (None when nothing describes its edges)."""
        with self._lock:
            scan = self._scans().get(folder)
            cached = self._graphs.get(folder)
            if cached is not None and cached[0] is scan:
                return cached[1]
            graph = self._build(scan) if scan is not None else None
            self._graphs[folder] = (scan, graph)
            return graph

    def warm(self) -> int:
        """Build every project's graph ahead of need; returns how many exist."""
        return sum(self.graph(folder) is not None for folder in list(self._scans()))

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
