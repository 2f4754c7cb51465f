"""Graph cases on small real-format locks: cycles, markers, extras and groups, an
unsatisfied specifier, a missing lock entry."""

from __future__ import annotations

from pathlib import Path

from app.commands.tree import render, tree_document
from backend.graph.dependency_graph import (
    graph_from_uv_lock,
    nodes_named,
    reachable_edges,
)
from backend.graph.markers import marker_environment
from backend.graph.why import edges_to
from backend.parsers.uv_lock import parse_uv_lock

LOCK = """version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "alpha" },
    { name = "winonly", marker = "sys_platform == 'win32'" },
    { name = "ghost" },
]

[package.optional-dependencies]
fast = [{ name = "speedy", extra = ["turbo"] }]

[package.dev-dependencies]
test = [{ name = "checker" }]

[package.metadata]
requires-dist = [
    { name = "alpha", specifier = ">=2" },
    { name = "winonly", marker = "sys_platform == 'win32'" },
    { name = "ghost" },
    { name = "speedy", extras = ["turbo"], marker = "extra == 'fast'", specifier = ">=1" },
]

[package.metadata.requires-dev]
test = [{ name = "checker", specifier = "==0.5" }]

[[package]]
name = "alpha"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "beta" }]

[[package]]
name = "beta"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "alpha" }]

[[package]]
name = "winonly"
version = "3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "speedy"
version = "1.2"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
turbo = [{ name = "rocket" }]

[[package]]
name = "rocket"
version = "9.9"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "checker"
version = "0.5"
source = { registry = "https://pypi.org/simple" }
"""


def graph(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "uv.lock").write_text(LOCK)
    lock = parse_uv_lock(tmp_path / "uv.lock")
    result = graph_from_uv_lock(lock, ".", "app", marker_environment("3.11.7"))
    assert result is not None
    return result


def edge_map(g) -> dict[tuple[str, str], object]:  # type: ignore[no-untyped-def]
    return {(e.parent[0], e.child[0]): e for e in reachable_edges(g)}


def test_groups_extras_and_specifiers(tmp_path: Path) -> None:
    edges = edge_map(graph(tmp_path))
    assert edges[("app", "alpha")].group == "main"
    assert edges[("app", "speedy")].group == "extra:fast"
    assert edges[("app", "speedy")].extras == ("turbo",)
    assert edges[("app", "checker")].group == "group:test"
    assert edges[("app", "checker")].specifier == "==0.5"
    assert edges[("speedy", "rocket")].group == "extra:turbo"  # reached with [turbo]


def test_unsatisfied_specifier_is_flagged(tmp_path: Path) -> None:
    edge = edge_map(graph(tmp_path))[("app", "alpha")]
    assert edge.specifier == ">=2" and "conflict" in edge.flags


def test_markers_that_do_not_apply_are_kept_but_inactive(tmp_path: Path) -> None:
    edge = edge_map(graph(tmp_path))[("app", "winonly")]
    assert edge.active is False and edge.markers == "sys_platform == 'win32'"


def test_cycle_is_flagged_and_rendering_ends(tmp_path: Path) -> None:
    g = graph(tmp_path)
    edges = edge_map(g)
    assert "cycle" in edges[("beta", "alpha")].flags
    lines = list(render(g, reachable_edges(g), invert=False, package=None))
    assert any("alpha" in line and "(cycle)" in line for line in lines)
    why = {(e.child[0], e.parent[0]) for e in edges_to(g, nodes_named(g, "beta"))}
    assert why == {("beta", "alpha"), ("alpha", "beta"), ("alpha", "app")}


def test_missing_lock_entry_is_an_edge_to_nowhere(tmp_path: Path) -> None:
    g = graph(tmp_path)
    edge = edge_map(g)[("app", "ghost")]
    assert edge.child == ("ghost", None) and "missing" in edge.flags
    document = tree_document(g, reachable_edges(g))
    ghost = next(n for n in document["nodes"] if n["name"] == "ghost")
    assert ghost["version"] is None
