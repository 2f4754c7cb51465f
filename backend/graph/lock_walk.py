"""Walk a lock from one project's node: what it locks, and what `uv sync` would install."""

from __future__ import annotations

from collections import defaultdict

from backend.graph.markers import marker_applies, marker_environment
from backend.parsers.records import Lock, LockEdge, LockedPackage

DEFAULT_SYNC_GROUPS = ("dev",)


def reachable_versions(lock: Lock, project_path: str, project_name: str) -> dict[str, list[str]]:
    """Versions of every package reachable from the project, all extras, groups and markers.

    Locks without edges (pylock.toml from `uv pip compile`, poetry.lock) or a project
    that is not a node of its lock fall back to every package in the lock.
    """
    roots = _root_edges(lock, project_path, project_name, groups=None, extras=True)
    if roots is None:
        return _versions(p for p in lock.packages if not p.local)
    return _versions(_walk(lock, roots, environment=None))


def expected_installed(
    lock: Lock, project_path: str, project_name: str, python_version: str | None
) -> set[str] | None:
    """Names a default `uv sync` puts in the environment: main deps and the `dev` group.

    Markers are evaluated for the environment's interpreter and this platform.
    """
    roots = _root_edges(lock, project_path, project_name, groups=DEFAULT_SYNC_GROUPS, extras=False)
    if roots is None:
        return None
    environment = marker_environment(python_version)
    return {p.name for p in _walk(lock, roots, environment) if not p.local}


def _root_edges(
    lock: Lock, project_path: str, project_name: str, groups: tuple[str, ...] | None, extras: bool
) -> list[LockEdge] | None:
    node = project_node(lock, project_path, project_name)
    root_groups = [
        e for g, es in lock.root_groups.items() if groups is None or g in groups for e in es
    ]
    if node is None:
        if project_path == "." and (lock.root_groups or lock.members):
            return root_groups + _member_edges(lock, groups, extras)
        return None
    edges = list(node.dependencies)
    if extras:
        for optional in node.optional.values():
            edges.extend(optional)
    for group, group_edges in node.dev.items():
        if groups is None or group in groups:
            edges.extend(group_edges)
    return edges + (root_groups if project_path == "." else [])


def _member_edges(lock: Lock, groups: tuple[str, ...] | None, extras: bool) -> list[LockEdge]:
    """A virtual workspace root stands for its whole workspace: `uv sync` there
    installs every member with its default groups."""
    edges: list[LockEdge] = []
    members = set(lock.members)
    for package in lock.packages:
        if package.local and package.name in members:
            edges.extend(package.dependencies)
            if extras:
                edges.extend(e for optional in package.optional.values() for e in optional)
            for group, group_edges in package.dev.items():
                if groups is None or group in groups:
                    edges.extend(group_edges)
    return edges


def project_node(lock: Lock, project_path: str, project_name: str) -> LockedPackage | None:
    """The lock's node for a project: by its path in the lock, else by its name."""
    if lock.format != "uv.lock":
        return None
    for package in lock.packages:
        if package.local and (package.source_path or "").rstrip("/") == project_path:
            return package
    for package in lock.packages:
        if package.local and package.name == project_name:
            return package
    return None


def _walk(
    lock: Lock, roots: list[LockEdge], environment: dict[str, str] | None
) -> list[LockedPackage]:
    """Every package reached from `roots`, following extras requested on edges."""
    index: dict[str, list[LockedPackage]] = defaultdict(list)
    for package in lock.packages:
        index[package.name].append(package)
    seen: dict[int, set[str]] = {}
    order: list[LockedPackage] = []
    every = environment is None  # every marker applies: no edge needs judging
    stack: list[LockEdge] = [e for e in roots if every or marker_applies(e.markers, environment)]
    while stack:
        edge = stack.pop()
        for package in lock_targets(index, edge):
            key = id(package)
            done = seen.get(key)
            if done is not None and (not edge.extras or done.issuperset(edge.extras)):
                continue  # the common case on a large lock: reached before, nothing new
            if done is None:
                done = seen[key] = set()
                order.append(package)
                follow = list(package.dependencies)
            else:
                follow = []
            for extra in set(edge.extras) - done:
                follow.extend(package.optional.get(extra, ()))
            done.update(edge.extras)
            stack.extend(follow if every else
                         [e for e in follow if marker_applies(e.markers, environment)])  # fmt: skip
    return order


def lock_targets(index: dict[str, list[LockedPackage]], edge: LockEdge) -> list[LockedPackage]:
    """The locked package(s) an edge points at; its version picks one of a fork."""
    candidates = index.get(edge.name, [])
    if edge.version is not None and len(candidates) > 1:
        return [p for p in candidates if p.version == edge.version] or candidates
    return candidates


def _versions(packages) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for package in packages:
        if package.version is None:
            continue
        versions = out.setdefault(package.name, [])
        if package.version not in versions:
            versions.append(package.version)
    return out
