"""Trees at a workspace built by the real uv, against `uv tree`: a root that depends on
its members' extras, members with dev groups of their own, an extra that brings a
package. Forward from the root is the whole workspace; inverted paths go up through an
extra only where it is requested, and through a group only to the member declaring it."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.graph.dependency_graph import nodes_named
from backend.graph.why import edges_to
from tests.backend.graph.test_tree_vs_uv import our_edges, scanned, uv_edges, uv_tree
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv

ROOT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["core[fast]", "cli"]

[tool.uv.sources]
core = {{ workspace = true }}
cli = {{ workspace = true }}

[tool.uv.workspace]
members = ["packages/*"]

[[tool.uv.index]]
name = "local"
url = "{index}"
default = true
"""
CORE = """[project]
name = "core"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["beta>=1"]

[project.optional-dependencies]
fast = ["gamma>=1"]
slow = ["delta>=1"]

[dependency-groups]
dev = ["alpha>=1"]
"""
CLI = """[project]
name = "cli"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["core"]

[dependency-groups]
dev = ["delta>=1"]
"""


@pytest.fixture
def workspace(tmp_path: Path, local_index: LocalIndex) -> Path:
    root = tmp_path / "ws"
    for folder, text in (("packages/core", CORE), ("packages/cli", CLI)):
        (root / folder).mkdir(parents=True)
        (root / folder / "pyproject.toml").write_text(text)
    (root / "pyproject.toml").write_text(ROOT.format(index=local_index.simple))
    uv("lock", cwd=root)
    return root


async def test_forward_from_the_root_and_from_a_member(workspace: Path, tmp_path: Path) -> None:
    async with scanned(workspace, tmp_path) as (backend, _):
        graph = backend.project_graph(workspace)
        assert graph is not None
        expected, tops = uv_edges(uv_tree(workspace))
        assert {t[0] for t in graph.tops} == tops == {"app", "cli", "core"}
        assert our_edges(backend, workspace) == expected
        member, _ = uv_edges(uv_tree(workspace, "--package", "cli"))
        assert our_edges(backend, workspace / "packages" / "cli") == member


@pytest.mark.parametrize("package", ["gamma", "delta", "alpha", "beta"])
async def test_why_paths_from_the_root_match_uv(
    workspace: Path, tmp_path: Path, package: str
) -> None:
    async with scanned(workspace, tmp_path) as (backend, _):
        graph = backend.project_graph(workspace)
        assert graph is not None
        ours = {(e.child[0], e.parent[0]) for e in edges_to(graph, nodes_named(graph, package))}
        expected, _ = uv_edges(uv_tree(workspace, "--invert", "--package", package))
        assert ours == expected
