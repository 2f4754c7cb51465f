"""What a project's SBOM lists, read from that project alone: every release its lock
reaches (its dependency graph, all markers: the SBOM describes what the lock can
install anywhere), else its pins or installed versions, each with the files and hashes
the lock records and its licence."""

from __future__ import annotations

from dataclasses import dataclass

from backend.graph.dependency_graph import NodeKey, reachable_edges
from backend.inventory.one_project import OneProject
from backend.parsers.artifacts import lock_artifacts
from backend.parsers.licenses import License
from backend.parsers.records import ParseFailure
from backend.sbom.cyclonedx import Release


@dataclass(slots=True)
class ProjectContents:
    name: str
    version: str | None
    releases: list[Release]
    edges: list[tuple[str, str]]
    """(parent ref, child ref), the refs being `name@version`."""
    problems: list[str]


def project_contents(one: OneProject, licenses: dict[tuple[str, str], License]) -> ProjectContents:
    """The releases and edges of `one`; `licenses` by (name, version), as known."""
    scan, graph = one.scan, one.graph
    problems: list[str] = []
    artifacts = {}
    if scan.lock_file is not None:
        try:
            artifacts = lock_artifacts(scan.lock_file)
        except ParseFailure as exc:  # the SBOM is still written, without hashes
            problems.append(f"{exc.error.file}: {exc.error.message}")
    releases: list[Release] = []
    edges: list[tuple[str, str]] = []
    root_name, root_version = scan.name, None
    if graph is not None:
        root_name, root_version = graph.root
        walked = reachable_edges(graph)
        keys: set[NodeKey] = {e.child for e in walked} - {graph.root}
        for key in sorted(keys, key=lambda k: (k[0], k[1] or "")):
            name, version = key
            if version is None:  # named by a requirement, missing from the lock
                continue
            locked = graph.nodes.get(key)
            releases.append(
                Release(
                    name,
                    version,
                    scan.sources.get(name),
                    licenses.get(key),
                    artifacts.get(key, []),
                    local=bool(locked and locked.local),
                )
            )
        edges = [(_ref(e.parent), _ref(e.child)) for e in walked]
    else:
        for name, row in sorted(one.inventory.packages.items()):
            for usage in row.usages:
                for version in usage.locked or ([usage.installed] if usage.installed else []):
                    releases.append(Release(name, version, usage.source,
                                            licenses.get((name, version)),
                                            artifacts.get((name, version), [])))  # fmt: skip
        edges = [(f"{root_name}@{root_version}", r.ref) for r in releases]
    return ProjectContents(root_name, root_version, releases, edges, problems)


def _ref(key: NodeKey) -> str:
    return f"{key[0]}@{key[1]}"
