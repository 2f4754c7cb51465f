"""The dependency tree: forward from a project, or inverted from a package ("why"),
across every project that has it. Children are added only when a node is expanded,
so a lock with thousands of packages opens at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from backend.graph.dependency_graph import DependencyGraph, GraphEdge, NodeKey
from backend.graph.why import GROUP_END, need_above
from widgets.inventory_rows import format_flags
from widgets.safe_text import plain
from widgets.theme import theme_color

FORWARD, INVERTED = "forward", "inverted"
DEPTH_STEPS: tuple[int | None, ...] = (None, 1, 2, 3, 5)
"""What `d` cycles through: no limit, then levels shown at once."""
OPEN_LIMIT = 3000
"""Lines a depth limit opens at most; deeper ones stay closed, to keep the tree quick."""
SOURCE_NOTES = {"pylock.toml": "from pylock.toml", "environment": "from the installed environment"}


@dataclass(frozen=True, slots=True)
class TreeData:
    """What the tree shows: the package, the project, and the graphs that have it."""

    package: str | None
    project: str | None
    graphs: dict[str, DependencyGraph]
    flags: dict[str, set[str]] = field(default_factory=dict)
    """Inventory flags by package name, shown as badges."""


@dataclass(frozen=True, slots=True)
class NodeData:
    project: str
    key: NodeKey
    path: tuple[NodeKey, ...]
    """The nodes above this one, to tell a cycle."""
    need: str | None = None
    """Inverted: what the edges further up must request (see `edges_to`)."""


class DependencyTree(Tree[NodeData]):
    """`f` forward, `i` inverted, `space` expands, `enter` jumps to the inventory row."""

    BINDINGS = [
        Binding(
            "f",
            "mode('forward')",
            "Forward",
            id="tree.forward",
            tooltip="Show what the project depends on",
        ),
        Binding(
            "i",
            "mode('inverted')",
            "Why",
            id="tree.inverted",
            tooltip="Show every path from each project to the package",
        ),
        Binding(
            "enter",
            "choose",
            "Inventory row",
            id="tree.choose",
            tooltip="Jump to the package's row in the inventory",
        ),
        Binding(
            "d",
            "cycle_depth",
            "Depth",
            id="tree.depth",
            tooltip="Limit the depth (none, 1, 2, 3, 5 levels) and open the tree to it",
        ),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    mode: reactive[str] = reactive(INVERTED, init=False)
    """Forward from the project, or inverted from the package."""
    depth: reactive[int | None] = reactive(None, init=False)
    """At most this many levels below the top; with a limit the tree opens to it."""

    class PackageChosen(Message):
        """Show this package in the inventory."""

        def __init__(self, package: str) -> None:
            super().__init__()
            self.package = package

    def __init__(self, **kwargs: object) -> None:
        super().__init__(Text("Select a package in the inventory"), **kwargs)  # type: ignore[arg-type]
        self.auto_expand = False
        self.data_shown: TreeData | None = None
        self._parents: dict[int, dict[NodeKey, list[GraphEdge]]] = {}

    def show(self, data: TreeData) -> None:
        """New data (data down); the tree is rebuilt lazily from its root."""
        self.data_shown = data
        self._parents.clear()
        self._rebuild()

    def watch_mode(self) -> None:
        self._rebuild()

    def watch_depth(self) -> None:
        self._rebuild()

    def action_mode(self, mode: str) -> None:
        self.mode = mode

    def action_cycle_depth(self) -> None:
        index = DEPTH_STEPS.index(self.depth) if self.depth in DEPTH_STEPS else 0
        self.depth = DEPTH_STEPS[(index + 1) % len(DEPTH_STEPS)]
        self.notify(
            f"Depth: {self.depth} level{'s' * (self.depth != 1)}" if self.depth else "Depth: all",
            timeout=2,
        )

    def action_choose(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.PackageChosen(node.data.key[0]))

    def search(self, text: str) -> bool:
        """Open the tree down to the nearest package whose name contains `text`."""
        data = self.data_shown
        if data is None or not text.strip():
            return False
        for top in [self.root, *self.root.children]:
            info = top.data
            if info is None:
                continue
            graph = data.graphs[info.project]
            path = find_path(graph, info.key, text.strip(), self._step(graph))
            if path is not None:
                self._open_path(top, path[1:])
                return True
        return False

    def _step(self, graph: DependencyGraph) -> Callable[[NodeKey], list[NodeKey]]:
        """One level down the tree as shown: children forward, parents inverted."""
        if self.mode == FORWARD:
            return lambda key: [e.child for e in graph.children(key)]
        parents = self._parents_of(graph)
        return lambda key: [e.parent for e in parents.get(key, [])]

    def _open_path(self, node: TreeNode[NodeData], path: list[NodeKey]) -> None:
        for key in path:
            if not node.children and node.data is not None:
                self._add_children(node)
            node.expand()
            node = next(c for c in node.children if c.data is not None and c.data.key == key)
        # The tree lays out new lines on its next refresh; the cursor can move after it.
        self.call_after_refresh(self.move_cursor, node)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        node = event.node
        if node.data is not None and not node.children:
            self._add_children(node)

    # -- building ------------------------------------------------------------------------

    def _rebuild(self) -> None:
        data = self.data_shown
        self.clear()
        if data is None or not data.graphs:
            self.root.set_label(
                Text("Nothing describes this package's projects: no uv.lock, pylock.toml or .venv")
            )
            return
        if self.mode == FORWARD:
            project = data.project if data.project in data.graphs else next(iter(data.graphs))
            graph = data.graphs[project]
            label = Text.assemble(("project ", "dim"), plain(project, style="bold"))
            if graph.source in SOURCE_NOTES:
                label.append(f"  {SOURCE_NOTES[graph.source]}", style="dim italic")
            if graph.tops:
                label.append("  workspace: every member", style="dim")
            self.root.set_label(label)
            self.root.data = NodeData(project, graph.root, ())
            if graph.tops:  # a workspace's root: every member is a tree of its own
                self.root.data = None
                for top in graph.tops:
                    child = self.root.add(
                        _node_label(top, data.flags), data=NodeData(project, top, (top,))
                    )
                    child.allow_expand = bool(graph.children(top))
        else:
            self.root.set_label(
                Text.assemble(
                    plain(data.package or "?", style="bold"), ("  why is it here?", "dim")
                )
            )
            self.root.data = None
            for project, graph in data.graphs.items():
                for key in sorted(k for k in graph.nodes if k[0] == data.package):
                    label = Text.assemble(
                        _node_label(key, data.flags), ("  in ", "dim"), plain(project)
                    )
                    child = self.root.add(label, data=NodeData(project, key, (key,)))
                    child.allow_expand = bool(self._parents_of(graph).get(key))
        if self.depth is not None:
            label = self.root.label.copy()
            label.append(f"  depth ≤ {self.depth}", style="dim")
            self.root.set_label(label)
        if self.root.data is not None:
            self._add_children(self.root)
        self.root.expand()
        if self.depth is not None:
            self._open_to_depth()
        self.cursor_line = 0

    def _open_to_depth(self) -> None:
        """With a depth limit, show every level down to it at once (as `uv tree --depth`)."""
        frontier = list(self.root.children)
        budget = OPEN_LIMIT
        while frontier and budget > 0:
            node = frontier.pop(0)
            if node.allow_expand:
                if not node.children:
                    self._add_children(node)
                node.expand()
                frontier.extend(node.children)
                budget -= len(node.children)

    def _level(self, info: NodeData) -> int:
        """Levels below the top: the project forward, the package itself inverted."""
        return len(info.path) if self.mode == FORWARD else len(info.path) - 1

    def _add_children(self, node: TreeNode[NodeData]) -> None:
        data = self.data_shown
        info = node.data
        if data is None or info is None:
            return
        graph = data.graphs[info.project]
        if self.mode == FORWARD:
            edges = graph.children(info.key)
            targets = [edge.child for edge in edges]
        else:
            if info.need == GROUP_END:
                return  # a group's edge: the path ends at the project that declares it
            edges = self._parents_of(graph).get(info.key, [])
            if info.need is not None:
                edges = [e for e in edges if info.need in e.extras]
            targets = [edge.parent for edge in edges]
        for edge, target in zip(edges, targets, strict=True):
            cycle = target in info.path
            label = self._edge_label(edge, target, graph, cycle, data.flags)
            need = need_above(edge) if self.mode != FORWARD else None
            child = node.add(label, data=NodeData(info.project, target, (*info.path, target), need))
            more = (
                graph.children(target)
                if self.mode == FORWARD
                else need != GROUP_END and self._parents_of(graph).get(target)
            )
            within = self.depth is None or self._level(child.data) < self.depth  # type: ignore[arg-type]
            child.allow_expand = bool(more) and not cycle and within

    def _parents_of(self, graph: DependencyGraph) -> dict[NodeKey, list[GraphEdge]]:
        cached = self._parents.get(id(graph))
        if cached is None:
            cached = self._parents[id(graph)] = graph.parents()
        return cached

    def _edge_label(
        self,
        edge: GraphEdge,
        target: NodeKey,
        graph: DependencyGraph,
        cycle: bool,
        flags: dict[str, set[str]],
    ) -> Text:
        if target == graph.root:
            label = Text.assemble(("project ", "dim"), plain(target[0], style="bold"))
        else:
            label = _node_label(target, flags)
        if edge.group != "main":
            label.append(f"  {edge.group}", style="italic")
        if edge.specifier:
            label.append("  ")
            label.append_text(plain(edge.specifier))
        if "conflict" in edge.flags:
            label.append("  ! not satisfied", style=f"bold {self._color('error')}")
        if cycle:
            label.append("  ↻ cycle", style=self._color("warning"))
        if not edge.active:
            label.stylize("dim")
            label.append("  (inactive here)", style="dim")
        return label

    def _color(self, name: str) -> str:
        return theme_color(self, name)


def _node_label(key: NodeKey, flags: dict[str, set[str]]) -> Text:
    name, version = key
    label = plain(name)
    if version:
        label.append(f" {version}", style="dim")
    badges = flags.get(name)
    if badges:
        label.append(f"  [{format_flags(badges)}]", style="bold")
    return label


def find_path(
    graph: DependencyGraph,
    start: NodeKey,
    text: str,
    step: Callable[[NodeKey], list[NodeKey]],
) -> list[NodeKey] | None:
    """The shortest path from `start` to a node whose name contains `text`."""
    wanted = text.lower()
    previous: dict[NodeKey, NodeKey | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node != start and wanted in node[0]:
            path = [node]
            while (before := previous[path[-1]]) is not None:
                path.append(before)
            return path[::-1]
        for following in step(node):
            if following not in previous:
                previous[following] = node
                queue.append(following)
    return None
