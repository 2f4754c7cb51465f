"""A project's dependency graph: every package it can reach, with every edge kept
(the universal graph) and marked active or not for its environment.

Built from its uv.lock; `backend.fallback_graph` feeds the same walk from a
pylock.toml or an installed environment when there is no uv.lock.

The project is the root; its direct edges carry the group that declares them
(`main`, `extra:NAME`, `group:NAME`). A package reached with extras also gets the
edges of those extras, as `uv tree` shows `name[extra]`. At a workspace's root the
graph is the whole workspace, every member a top. Why-paths are `backend.graph.why`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from backend.graph.lock_walk import lock_targets, project_node
from backend.graph.markers import marker_applies
from backend.parsers.records import Lock, LockEdge, LockedPackage, pickled_by_init

MISSING = "missing-from-lock"
NodeKey = tuple[str, str | None]
"""(canonical name, version); one name can be locked at several versions."""


@pickled_by_init
@dataclass(frozen=True, slots=True)
class GraphEdge:
    parent: NodeKey
    child: NodeKey
    group: str
    specifier: str | None = None
    markers: str | None = None
    extras: tuple[str, ...] = ()
    active: bool = True
    flags: frozenset[str] = frozenset()


@dataclass(slots=True)
class DependencyGraph:
    """Nodes and edges reachable from one project."""

    project: str
    root: NodeKey
    source: str = "uv.lock"
    """Where the edges come from: `uv.lock`, `pylock.toml` or `environment`."""
    nodes: dict[NodeKey, LockedPackage | None] = field(default_factory=dict)
    edges: dict[NodeKey, list[GraphEdge]] = field(default_factory=lambda: defaultdict(list))
    tops: list[NodeKey] = field(default_factory=list)
    """A workspace root's trees start at every member (and at what the root's own
    dependency groups name), as `uv tree` prints them there; empty for one project,
    whose tree starts at `root`."""

    @property
    def starts(self) -> list[NodeKey]:
        """Where the forward tree begins: the workspace's tops, else the project."""
        return self.tops or [self.root]

    def children(self, node: NodeKey) -> list[GraphEdge]:
        return self.edges.get(node, [])

    def parents(self) -> dict[NodeKey, list[GraphEdge]]:
        """Edges by child: what the inverted tree walks."""
        out: dict[NodeKey, list[GraphEdge]] = defaultdict(list)
        for edges in self.edges.values():
            for edge in edges:
                out[edge.child].append(edge)
        return out


def graph_from_uv_lock(
    lock: Lock,
    project_path: str,
    project_name: str,
    environment: dict[str, str] | None = None,
) -> DependencyGraph | None:
    """The project's graph, or None when the lock has no node for the project. At a
    workspace's root it is the whole workspace (see `workspace_graph`)."""
    if project_path == "." and lock.members:
        return workspace_graph(lock, project_name, environment)
    root_package = project_node(lock, project_path, project_name)
    direct = _direct_edges(lock, root_package, project_path)
    if direct is None:
        return None
    version = root_package.version if root_package else None
    return graph_from_lock(lock, root_package, direct, project_name, version, environment)


def workspace_graph(
    lock: Lock, project_name: str, environment: dict[str, str] | None = None
) -> DependencyGraph:
    """Every member's graph in one, each member a top, and the root's own dependency
    groups' packages as tops too: what `uv tree --universal --all-groups` prints at a
    workspace's root. The root is a node only when it is a package itself."""
    members = set(lock.members)
    packages = [p for p in lock.packages if p.local and p.name in members]
    root_package = project_node(lock, ".", project_name)
    version = root_package.version if root_package else None
    merged = DependencyGraph(project=project_name, root=(project_name, version))
    merged.nodes[merged.root] = root_package
    parts = [
        graph_from_lock(lock, p, grouped_edges(p), p.name, p.version, environment) for p in packages
    ]
    groups = [(f"group:{g}", e) for g, edges in lock.root_groups.items() for e in edges]
    if groups:
        grouped = graph_from_lock(lock, None, groups, f"{project_name} groups", None, environment)
        grouped_root = grouped.root
        parts.append(grouped)
    for part in parts:
        merged.nodes.update(part.nodes)
        for parent, edges in part.edges.items():
            known = merged.edges[parent]
            known.extend(e for e in edges if e not in known)
    merged.tops = [(p.name, p.version) for p in packages]
    if groups:
        merged.nodes.pop(grouped_root, None)
        merged.tops += [e.child for e in merged.edges.pop(grouped_root, [])]
    merged.tops = sorted(dict.fromkeys(merged.tops), key=str)
    _flag_cycles(merged)
    return merged


def graph_from_lock(
    lock: Lock,
    root_package: LockedPackage | None,
    direct: list[tuple[str, LockEdge]],
    project_name: str,
    project_version: str | None = None,
    environment: dict[str, str] | None = None,
    source: str = "uv.lock",
) -> DependencyGraph:
    """Walk `lock` from the project's direct edges (group, edge); each package's own
    `specifiers` give the specifier on its outgoing edges."""
    index: dict[str, list[LockedPackage]] = defaultdict(list)
    for package in lock.packages:
        index[package.name].append(package)
    root: NodeKey = (project_name, project_version)
    graph = DependencyGraph(project=project_name, root=root, source=source)
    graph.nodes[root] = root_package
    pending: list[tuple[LockedPackage, frozenset[str]]] = []
    for group, edge in direct:
        specifier = (
            root_package.specifiers.get(_specifier_key(group, edge.name)) if root_package else None
        )
        for target in lock_targets(index, edge) or [_missing(graph, edge)]:
            graph.edges[root].append(_edge(root, target, group, edge, specifier, environment))
            if not _is_missing(target):
                pending.append((target, frozenset(edge.extras)))
    expanded: dict[NodeKey, frozenset[str] | None] = {}
    members = set(lock.members)
    while pending:
        package, extras = pending.pop()
        key = (package.name, package.version)
        graph.nodes.setdefault(key, package)
        done = expanded.get(key)
        if done is not None and extras <= done:
            continue
        new_extras = extras - (done or frozenset())
        expanded[key] = (done or frozenset()) | extras
        outgoing: list[tuple[str, LockEdge]] = []
        if done is None:
            outgoing += [("main", e) for e in package.dependencies]
            if package.local and package.name in members:
                # A workspace member's own groups come with it (what `uv sync
                # --all-groups` installs, and `uv tree --all-groups` shows).
                for group, dev in package.dev.items():
                    outgoing += [(f"group:{group}", e) for e in dev]
        for extra in sorted(new_extras):
            outgoing += [(f"extra:{extra}", e) for e in package.optional.get(extra, [])]
        for group, edge in outgoing:
            specifier = package.specifiers.get(_specifier_key(group, edge.name))
            for target in lock_targets(index, edge) or [_missing(graph, edge)]:
                graph.edges[key].append(_edge(key, target, group, edge, specifier, environment))
                if not _is_missing(target):
                    pending.append((target, frozenset(edge.extras)))
    _flag_cycles(graph)
    return graph


def _direct_edges(
    lock: Lock, node: LockedPackage | None, project_path: str
) -> list[tuple[str, LockEdge]] | None:
    edges: list[tuple[str, LockEdge]] = []
    if node is not None:
        edges += grouped_edges(node)
    elif not (project_path == "." and (lock.members or lock.root_groups)):
        return None
    else:  # a virtual workspace root: its members are its direct dependencies
        members = set(lock.members)
        edges += [
            ("main", LockEdge(p.name, p.version))
            for p in lock.packages
            if p.local and p.name in members
        ]
    if project_path == ".":
        for group, group_edges in lock.root_groups.items():
            edges += [(f"group:{group}", e) for e in group_edges]
    return edges


def grouped_edges(node: LockedPackage) -> list[tuple[str, LockEdge]]:
    """A node's edges with the group each belongs to: main, extras, then groups."""
    edges = [("main", e) for e in node.dependencies]
    for extra, optional in node.optional.items():
        edges += [(f"extra:{extra}", e) for e in optional]
    for group, dev in node.dev.items():
        edges += [(f"group:{group}", e) for e in dev]
    return edges


def _missing(graph: DependencyGraph, edge: LockEdge) -> LockedPackage:
    """A stand-in for an edge whose target the lock does not hold (a broken lock)."""
    placeholder = LockedPackage(name=edge.name, version=None, source=MISSING)
    graph.nodes.setdefault((edge.name, None), placeholder)
    return placeholder


def _is_missing(package: LockedPackage) -> bool:
    return package.source == MISSING


def _specifier_key(group: str, name: str) -> str:
    return f"{group.removeprefix('group:')}:{name}" if group.startswith("group:") else name


def _edge(
    parent: NodeKey,
    target: LockedPackage,
    group: str,
    edge: LockEdge,
    specifier: str | None,
    environment: dict[str, str] | None,
) -> GraphEdge:
    flags = set()
    if environment is not None and group.startswith("extra:"):
        # Requires-Dist marks an extra's requirements with `extra == "NAME"`.
        environment = {**environment, "extra": group.removeprefix("extra:")}
    if specifier and target.version and not _satisfies(specifier, target.version):
        flags.add("conflict")
    if _is_missing(target):
        flags.add("missing")
    return GraphEdge(
        parent=parent,
        child=(target.name, target.version),
        group=group,
        specifier=specifier or None,
        markers=edge.markers,
        extras=edge.extras,
        active=marker_applies(edge.markers, environment),
        flags=frozenset(flags),
    )


def _satisfies(specifier: str, version: str) -> bool:
    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


def _flag_cycles(graph: DependencyGraph) -> None:
    """Mark each edge that closes a cycle (its child is an ancestor on some path)."""
    state: dict[NodeKey, int] = {}  # 1 = on the current path, 2 = finished
    closing: set[tuple[NodeKey, NodeKey]] = set()
    stack: list[tuple[NodeKey, int]] = [(top, 0) for top in graph.starts]
    while stack:
        node, index = stack.pop()
        if index == 0:
            state[node] = 1
        children = graph.children(node)
        if index < len(children):
            stack.append((node, index + 1))
            child = children[index].child
            if state.get(child) == 1:
                closing.add((node, child))
            elif child not in state:
                stack.append((child, 0))
        else:
            state[node] = 2
    if not closing:
        return
    for parent, edges in graph.edges.items():
        graph.edges[parent] = [
            GraphEdge(
                e.parent,
                e.child,
                e.group,
                e.specifier,
                e.markers,
                e.extras,
                e.active,
                e.flags | {"cycle"},
            )
            if (e.parent, e.child) in closing
            else e
            for e in edges
        ]


def reachable_edges(
    graph: DependencyGraph, start: NodeKey | None = None, depth: int | None = None
) -> list[GraphEdge]:
    """Edges below `start` (the project, or a workspace's tops, by default), at most
    `depth` levels down."""
    starts = {start} if start else set(graph.starts)
    return _walk(starts, graph.children, lambda e: e.child, depth)


def _walk(
    starts: set[NodeKey],
    edges_of: Callable[[NodeKey], list[GraphEdge]],
    next_of: Callable[[GraphEdge], NodeKey],
    depth: int | None,
) -> list[GraphEdge]:
    """Breadth first from `starts`, each edge once, each node expanded once."""
    seen = set(starts)
    frontier = sorted(starts, key=str)
    out: list[GraphEdge] = []
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        following = []
        for node in frontier:
            for edge in edges_of(node):
                out.append(edge)
                target = next_of(edge)
                if target not in seen:
                    seen.add(target)
                    following.append(target)
        frontier = following
    return out


def nodes_named(graph: DependencyGraph, name: str) -> set[NodeKey]:
    return {key for key in graph.nodes if key[0] == name}
