"""Dependency graphs for projects without a uv.lock: from a pylock.toml, else from
what is installed in the project's environment (its dists' Requires-Dist).

Neither source says which packages the project asked for, so the project's own
declarations (pyproject.toml, requirements files) become its direct edges, with
their groups and specifiers. An environment with nothing declared falls back to
the dists no other dist requires, as pipdeptree shows them.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from backend.graph.dependency_graph import DependencyGraph, graph_from_lock, grouped_edges
from backend.parsers.records import Declaration, Environment, Lock, LockEdge, LockedPackage

_EXTRA_MARKER = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")


def graph_from_pylock(
    lock: Lock,
    project_name: str,
    declarations: list[Declaration],
    environment: dict[str, str] | None = None,
) -> DependencyGraph:
    """The project's declarations over the packages a pylock.toml pins."""
    root = root_from_declarations(project_name, declarations)
    return graph_from_lock(
        lock, root, grouped_edges(root), project_name, environment=environment, source="pylock.toml"
    )


def graph_from_environment(
    installed: Environment,
    project_name: str,
    declarations: list[Declaration],
    environment: dict[str, str] | None = None,
) -> DependencyGraph:
    """The project's declarations over what is installed, edges from Requires-Dist."""
    lock = lock_from_environment(installed)
    if declarations:
        root = root_from_declarations(project_name, declarations)
    else:
        root = LockedPackage(
            name=project_name,
            version=None,
            source="project",
            local=True,
            dependencies=[LockEdge(p.name, p.version) for p in _top_level(lock, project_name)],
        )
    return graph_from_lock(
        lock, root, grouped_edges(root), project_name, environment=environment, source="environment"
    )


def root_from_declarations(project_name: str, declarations: list[Declaration]) -> LockedPackage:
    """A stand-in lock node for the project: its declarations as edges by group."""
    root = LockedPackage(name=project_name, version=None, source="project", local=True)
    seen: set[tuple[str, str]] = set()
    for declaration in declarations:
        group = _edge_group(declaration.group)
        if declaration.name == project_name or (group, declaration.name) in seen:
            # The project in its own extra, or a requirements file read on its own
            # and again through another file's `-r`.
            continue
        seen.add((group, declaration.name))
        edge = LockEdge(declaration.name, None, declaration.markers, declaration.extras)
        kind, _, label = group.partition(":")
        if kind == "extra":
            root.optional.setdefault(label, []).append(edge)
        elif kind == "group":
            root.dev.setdefault(label, []).append(edge)
        else:
            root.dependencies.append(edge)
        key = f"{label}:{declaration.name}" if kind == "group" else declaration.name
        if declaration.specifier:
            root.specifiers.setdefault(key, declaration.specifier)
    return root


def _edge_group(declared: str) -> str:
    """A declaration's group as a tree group: uv's legacy `dev` is `group:dev`, and
    requirements files are the project's main dependencies."""
    if declared == "dev":
        return "group:dev"
    if declared.startswith(("extra:", "group:")):
        return declared
    return "main"


def lock_from_environment(installed: Environment) -> Lock:
    """The installed dists as lock entries, one edge per Requires-Dist line."""
    from packaging.requirements import InvalidRequirement, Requirement  # only this path

    packages = []
    for dist in installed.dists.values():
        package = LockedPackage(
            name=canonicalize_name(dist.name), version=dist.version, source="installed"
        )
        for text in dist.requires_dist:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue  # reported by the environment scan already
            name = canonicalize_name(requirement.name)
            markers = str(requirement.marker) if requirement.marker else None
            edge = LockEdge(name, None, markers, tuple(sorted(requirement.extras)))
            extras = {canonicalize_name(e) for e in _EXTRA_MARKER.findall(markers or "")}
            for extra in sorted(extras):
                package.optional.setdefault(extra, []).append(edge)
            if not extras:
                package.dependencies.append(edge)
            if requirement.specifier:
                package.specifiers.setdefault(name, str(requirement.specifier))
        packages.append(package)
    return Lock(path=installed.path, format="environment", packages=packages)


def _top_level(lock: Lock, project_name: str) -> list[LockedPackage]:
    required = {
        edge.name
        for package in lock.packages
        for edge in [*package.dependencies, *(e for es in package.optional.values() for e in es)]
    }
    return sorted(
        (p for p in lock.packages if p.name not in required and p.name != project_name),
        key=lambda p: p.name,
    )
