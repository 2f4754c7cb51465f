"""`devkit-tui tree`: why each package is there, forward or inverted."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_OK,
    UsageProblem,
    add_db,
    add_json,
    add_project_roots,
    open_backend,
    print_json,
    project_folder,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.graph.dependency_graph import DependencyGraph, GraphEdge, NodeKey
    from backend.inventory.model import Inventory
    from backend.inventory.one_project import OneProject

TREE_SCHEMA = "devkit.tree/1"


class TreeProblem(UsageProblem):
    """What the user asked for cannot be shown; the message says why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        default=".",
        help="the project: its folder, or its name under --root (default: .)",
    )
    add_project_roots(parser)
    parser.add_argument(
        "--package",
        help="only the tree below this package (or, with --invert, the paths that lead to it)",
    )
    parser.add_argument(
        "--invert", action="store_true", help="show why: the paths from the project to --package"
    )
    parser.add_argument("--depth", type=int, help="at most N levels")
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:
    if options.invert and not options.package:
        raise UsageProblem("--invert needs --package NAME")
    if options.depth is not None and options.depth < 1:
        raise UsageProblem("--depth must be at least 1")
    selector = Path(options.project)
    from backend.workspace.discovery import enclosing_workspace

    if selector.is_dir():  # a member's folder is read with the workspace that locks it
        roots = [enclosing_workspace(selector) or selector]
    else:
        roots = options.root or [Path.cwd()]
    settings = settings_from(options, roots=roots, watch=False)
    project = _one_project(selector, settings) if selector.is_dir() else None
    if project is None:  # a name, or a folder of projects: find it among them
        project = _one_project(run_async(_find_folder(settings, options.project)), settings)
    assert project is not None
    graph, inventory = project.graph, project.inventory
    if graph is None:
        raise TreeProblem(
            f"{project.scan.path}: nothing describes its dependencies"
            " (no uv.lock with a node for it, no pylock.toml, no environment)"
        )
    edges = _selected_edges(graph, options)
    if options.json:
        document = tree_document(graph, edges, inventory)
        if project.left_out:
            document["flags_left_out"] = project.left_out
            document["note"] = (
                f"{', '.join(project.left_out)} not known for this project: nothing stored"
                " yet (devkit-tui list stores drift; outdated caches the index's answers)"
            )
        print_json(document)
    else:
        for line in render(graph, edges, options.invert, options.package):
            print(line)
    return EXIT_OK


def _one_project(folder: Path, settings: Any) -> OneProject | None:
    """The project in `folder` read alone, its cross-project flags from what is stored."""
    from backend.index.cached import mark_outdated_from_cache
    from backend.inventory.one_project import add_stored_flags, read_one_project

    project = read_one_project(folder, settings.environment, settings.cache_dir)
    if project is None:
        return None
    add_stored_flags(project, settings.db_path)
    indexes = {project.scan.name: project.scan.index_url}
    if not mark_outdated_from_cache(
        project.inventory, settings.db_path, indexes, settings.index_url
    ):
        project.left_out.append("outdated")
    return project


async def _find_folder(settings: Any, selector: str) -> Path:
    """A project named, or the top one of a folder of projects: every project under the
    roots is read to find it (the error lists them when none matches)."""
    async with open_backend(settings) as backend:
        inventory = await backend.scan(reason="tree")
        folder = backend.find_project(selector)
        if folder is None and Path(selector).is_dir() and len(inventory.projects) >= 1:
            folder = min(inventory.projects, key=lambda p: len(p.path.parts)).path
        if folder is None:
            folder = project_folder(backend, selector)  # says which projects there are
        return folder


def _selected_edges(graph: DependencyGraph, options: argparse.Namespace) -> list[GraphEdge]:
    from packaging.utils import canonicalize_name

    from backend.graph.dependency_graph import nodes_named, reachable_edges
    from backend.graph.why import edges_to

    if not options.package:
        return reachable_edges(graph, depth=options.depth)
    targets = nodes_named(graph, canonicalize_name(options.package))
    if not targets:
        raise TreeProblem(f"{graph.project} does not depend on {options.package!r}")
    if options.invert:
        return edges_to(graph, targets, options.depth)
    return [e for t in sorted(targets, key=str) for e in reachable_edges(graph, t, options.depth)]


def tree_document(
    graph: DependencyGraph, edges: list[GraphEdge], inventory: Inventory | None = None
) -> dict[str, Any]:
    """The `devkit.tree/1` document: the nodes the edges touch, and the edges."""
    keys = set(graph.starts) | {e.parent for e in edges} | {e.child for e in edges}
    flags: dict[NodeKey, set[str]] = {key: set() for key in keys}
    for edge in edges:
        if "cycle" in edge.flags:
            flags[edge.child].add("cycle")
        if "conflict" in edge.flags:
            flags[edge.child].add("conflict")
    if inventory is not None:
        for key in keys:
            row = inventory.packages.get(key[0])
            if row is not None:
                flags[key] |= row.flags
    return {
        "schema": TREE_SCHEMA,
        "project": graph.project,
        "roots": [name for name, _ in graph.starts],
        "source": graph.source,
        "nodes": [
            {"name": name, "version": version, "flags": sorted(flags[(name, version)])}
            for name, version in sorted(keys, key=lambda k: (k[0], k[1] or ""))
        ],
        "edges": [
            {
                "parent": edge.parent[0],
                "parent_version": edge.parent[1],
                "child": edge.child[0],
                "child_version": edge.child[1],
                "specifier": edge.specifier,
                "markers": edge.markers,
                "extras": list(edge.extras),
                "group": edge.group,
                "active": edge.active,
                "flags": sorted(edge.flags),
            }
            for edge in edges
        ],
    }


def render(
    graph: DependencyGraph, edges: list[GraphEdge], invert: bool, package: str | None
) -> Iterator[str]:
    """Text like `uv tree`: a subtree printed once, later `(*)`; cycles marked."""
    from packaging.utils import canonicalize_name

    from backend.graph.dependency_graph import nodes_named

    by_parent: dict[NodeKey, list[GraphEdge]] = {}
    for edge in edges:
        key = edge.child if invert else edge.parent
        by_parent.setdefault(key, []).append(edge)
    if invert:
        starts = sorted(nodes_named(graph, canonicalize_name(package or "")), key=str)
    elif package:
        starts = sorted(nodes_named(graph, canonicalize_name(package)), key=str)
    else:
        starts = graph.starts
    printed: set[tuple[NodeKey, str | None]] = set()
    for start in starts:
        fallback = start == graph.root and graph.source != "uv.lock"
        yield _label(start) + (f" (from {graph.source})" if fallback else "")
        yield from _branch(start, by_parent, invert, printed, prefix="", path=(start,))


def _branch(
    node: NodeKey,
    by_parent: dict[NodeKey, list[GraphEdge]],
    invert: bool,
    printed: set[tuple[NodeKey, str | None]],
    prefix: str,
    path: tuple[NodeKey, ...],
    need: str | None = None,
) -> Iterator[str]:
    """Inverted, `need` is what the edges up from `node` must request (the extra the
    path came up through), as in `edges_to`; a group's edge ends its path."""
    from backend.graph.why import GROUP_END, need_above

    edges = by_parent.get(node, [])
    if invert and need is not None:
        edges = [e for e in edges if need in e.extras]
    for index, edge in enumerate(edges):
        last = index == len(edges) - 1
        target = edge.parent if invert else edge.child
        notes = []
        if edge.group != "main":
            notes.append(f"({edge.group.replace(':', ': ', 1)})")
        if not edge.active:
            notes.append("(inactive here)")
        if "conflict" in edge.flags:
            notes.append(f"(! {edge.specifier})")
        above = need_above(edge) if invert else None
        ends = above == GROUP_END  # nothing above a group's edge: the path ends here
        repeated = not ends and (target, above) in printed and bool(by_parent.get(target))
        if target in path:
            notes.append("(cycle)")
        elif repeated:
            notes.append("(*)")
        yield f"{prefix}{'└── ' if last else '├── '}{_label(target)} {' '.join(notes)}".rstrip()
        if target in path or repeated or ends:
            continue
        printed.add((target, above))
        yield from _branch(
            target,
            by_parent,
            invert,
            printed,
            prefix + ("    " if last else "│   "),
            (*path, target),
            above,
        )


def _label(key: NodeKey) -> str:
    name, version = key
    return f"{name} v{version}" if version else name
