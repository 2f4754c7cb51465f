"""One project read on its own, for a question about that project alone (`tree
PROJECT`): its scan, its dependency graph and a one-project inventory, with no event
loop, no store and no other project read.

What only a reading of every project can say (`drift` across projects) comes from the
newest snapshot a full read stored (`stored_flags`), and is named as left out when
there is none.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.dependency_graph import DependencyGraph
from backend.inventory.build import build_inventory
from backend.inventory.model import Inventory
from backend.workspace.graphs import GraphCache
from backend.workspace.scanner import ProjectScan, Scanner

CROSS_PROJECT_FLAGS = ("drift",)
"""Flags that need more than one project to be known (`outdated` needs the index:
`backend.index.cached` reads it from the cache)."""


@dataclass(slots=True)
class OneProject:
    scan: ProjectScan
    graph: DependencyGraph | None
    inventory: Inventory
    left_out: list[str] = field(default_factory=list)
    """Flags that could not be told: `drift` with no stored snapshot of the project,
    `outdated` with no cached index answers."""


def read_one_project(
    folder: Path, environment: Path | None = None, cache_dir: Path | None = None
) -> OneProject | None:
    """The project in `folder` (None when there is none there)."""
    scanner = Scanner(environment, cache_dir)
    scan = scanner.scan_one(folder)
    if scan is None:
        return None
    graph = GraphCache(lambda: {scan.path: scan}, scanner.cache, cache_dir).graph(scan.path)
    return OneProject(scan, graph, build_inventory([scan.path], [scan]))


def add_stored_flags(project: OneProject, db_path: Path) -> None:
    """`drift` of the project's packages as the newest snapshot a full read stored has
    it; without one, it is named in `left_out`. A plain read-only
    connection: one query, and a missing or locked database is no error here."""
    stored = stored_flags(db_path, project.scan.path)
    if stored is None:
        project.left_out = list(CROSS_PROJECT_FLAGS)
        return
    for name, row in project.inventory.packages.items():
        extra = stored.get(name, set()) & set(CROSS_PROJECT_FLAGS)
        row.flags |= extra
        for usage in row.usages:
            usage.flags |= extra


def stored_flags(db_path: Path, project_path: Path) -> dict[str, set[str]] | None:
    """Package name to the flags of its usage in the project's newest snapshot."""
    if not db_path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.5) as connection:
            rows = connection.execute(
                "SELECT name, flags FROM snapshot_packages WHERE snapshot_id = (SELECT id FROM"
                " inventory_snapshots WHERE project_path = ? ORDER BY taken_at_ns DESC LIMIT 1)",
                (str(project_path),),
            ).fetchall()
            known = connection.execute(
                "SELECT 1 FROM inventory_snapshots WHERE project_path = ? LIMIT 1",
                (str(project_path),),
            ).fetchone()
    except sqlite3.Error:
        return None
    if known is None:
        return None
    return {name: set(json.loads(flags)) for name, flags in rows}
