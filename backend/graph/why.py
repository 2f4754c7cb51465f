"""Why a package is there: the paths up from it to the project (or a workspace's
members), drawn as `uv tree --invert` draws them.

A path that comes up through an extra of a package goes on only through edges that
request that extra; one that comes up through a dependency group ends at the package
that declares it, which must be a top (groups are local to the project declaring them).
"""

from __future__ import annotations

from collections import defaultdict

from backend.graph.dependency_graph import DependencyGraph, GraphEdge, NodeKey

GROUP_END = "\x00group"
"""A path that came up through a dependency group: it can only end at a top."""


def edges_to(
    graph: DependencyGraph, targets: set[NodeKey], depth: int | None = None
) -> list[GraphEdge]:
    """Every edge on some path from a top (the project, or a workspace's members) to one
    of `targets` ("why is it here"), at most `depth` levels up from the targets.

    As `uv tree --invert` draws them: a path that comes up through an extra of a
    package continues only through edges that request that extra, and one that comes
    up through a dependency group ends at the package that declares it, which must be
    a top (groups are local to the project that declares them).
    """
    parents = graph.parents()
    tops = set(graph.starts)
    State = tuple[NodeKey, str | None]
    starts: list[State] = [(target, None) for target in sorted(targets, key=str)]
    below: dict[State, list[tuple[GraphEdge, State]]] = defaultdict(list)
    """For each state, the transitions up from it."""
    level = {state: 0 for state in starts}
    frontier = list(starts)
    while frontier:
        following = []
        for state in frontier:
            node, need = state
            if need == GROUP_END or (depth is not None and level[state] >= depth):
                continue
            for edge in parents.get(node, []):
                if need is not None and need not in edge.extras:
                    continue
                up: State = (edge.parent, need_above(edge))
                below[state].append((edge, up))
                if up not in level:
                    level[up] = level[state] + 1
                    following.append(up)
        frontier = following
    useful = {s for s in level if s[0] in tops or _at_limit(s, level, depth)}
    changed = True
    while changed:  # a state is useful when some transition up from it reaches a useful one
        changed = False
        for state, moves in below.items():
            if state not in useful and any(up in useful for _, up in moves):
                useful.add(state)
                changed = True
    out: list[GraphEdge] = []
    seen: set[GraphEdge] = set()
    for state in sorted(below, key=lambda s: (level[s], str(s))):
        if state not in useful:
            continue
        for edge, up in below[state]:
            if up in useful and edge not in seen:
                seen.add(edge)
                out.append(edge)
    return out


def need_above(edge: GraphEdge) -> str | None:
    """What the edge above this one must give its parent: the extra this edge belongs
    to, or the end of the path for a group's edge."""
    if edge.group.startswith("extra:"):
        return edge.group.removeprefix("extra:")
    if edge.group.startswith("group:"):
        return GROUP_END
    return None


def _at_limit(state: tuple[NodeKey, str | None], level: dict, depth: int | None) -> bool:  # type: ignore[type-arg]
    return depth is not None and level[state] >= depth
