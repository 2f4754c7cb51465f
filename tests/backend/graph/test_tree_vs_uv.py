"""Our dependency graph against `uv tree --frozen --universal --all-groups` on the real
locks in ../shared/data/projects: the same (parent, child) edges, project by project."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from backend.graph.dependency_graph import nodes_named, reachable_edges
from backend.graph.why import edges_to
from backend.inventory.model import Inventory
from backend.service import Backend
from backend.settings import Settings

UV = [sys.executable, "-m", "uv"]
LINE = re.compile(r"^((?:[│ ]   |[├└]── )*)([A-Za-z0-9][A-Za-z0-9._-]*)")
ROOT = Path(__file__).resolve().parents[3]


def uv_tree(folder: Path, *args: str) -> str:
    result = subprocess.run(
        [*UV, "tree", "--frozen", "--universal", "--all-groups", "--no-dedupe", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def uv_edges(text: str) -> tuple[set[tuple[str, str]], set[str]]:
    """(parent, child) pairs, and the names printed at the top level."""
    edges, tops, stack = set(), set(), []
    for line in text.splitlines():
        found = LINE.match(line)
        if not found:
            continue
        depth = len(found.group(1)) // 4
        name = canonicalize_name(found.group(2))
        del stack[depth:]
        if depth == 0:
            tops.add(name)
        else:
            edges.add((stack[-1], name))
        stack.append(name)
    return edges, tops


@asynccontextmanager
async def scanned(folder: Path, tmp_path: Path) -> AsyncIterator[tuple[Backend, Inventory]]:
    """A backend that has scanned `folder`, stopped afterwards."""
    backend = Backend(
        Settings(roots=[folder], db_path=tmp_path / "db.sqlite3", watch=False, trace_self=False)
    )
    await backend.start(scan=False)
    await backend.ready()
    try:
        yield backend, await backend.scan()
    finally:
        await backend.stop()


def our_edges(backend: Backend, folder: Path) -> set[tuple[str, str]]:
    graph = backend.project_graph(folder)
    assert graph is not None, folder
    return {(e.parent[0], e.child[0]) for e in reachable_edges(graph)}


SINGLE = ["pallets__flask", "0b01001001__spectree", "NVIDIA__NeMo-Agent-Toolkit"]
WORKSPACES = [
    "pydantic__pydantic-ai",
    "open-telemetry__opentelemetry-python",
    "modelcontextprotocol__python-sdk",
]


@pytest.mark.parametrize("name", SINGLE)
async def test_single_project_edges_match_uv(
    shared_projects: Path, tmp_path: Path, name: str
) -> None:
    folder = shared_projects / name
    async with scanned(folder, tmp_path) as (backend, _):
        expected, _ = uv_edges(uv_tree(folder))
        assert our_edges(backend, folder) == expected


@pytest.mark.parametrize("name", WORKSPACES)
async def test_every_workspace_member_matches_uv(
    shared_projects: Path, tmp_path: Path, name: str
) -> None:
    folder = shared_projects / name
    async with scanned(folder, tmp_path) as (backend, inventory):
        # the root's own folder is the whole workspace (the test below)
        members = [p for p in inventory.projects if p.workspace == folder and p.path != folder]
        assert len(members) >= 5
        for member in members:
            expected, _ = uv_edges(uv_tree(folder, "--package", member.name))
            assert our_edges(backend, member.path) == expected, member.name


@pytest.mark.parametrize("name", [*WORKSPACES, "fastapi__full-stack-fastapi-template"])
async def test_a_workspace_root_is_the_whole_workspace(
    shared_projects: Path, tmp_path: Path, name: str
) -> None:
    """At a workspace's root (a package itself, or virtual) the tree starts at every
    member and at the root's own groups' packages, with exactly uv's edges."""
    folder = shared_projects / name
    async with scanned(folder, tmp_path) as (backend, _):
        graph = backend.project_graph(folder)
        assert graph is not None
        expected, tops = uv_edges(uv_tree(folder))
        assert {top[0] for top in graph.tops} == tops
        assert our_edges(backend, folder) == expected


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("pallets__flask", "markupsafe"),
        ("pallets__flask", "typing-extensions"),
        ("NVIDIA__NeMo-Agent-Toolkit", "pydantic"),
        ("pydantic__pydantic-ai", "httpx"),  # from workspace roots: through extras and groups
        ("modelcontextprotocol__python-sdk", "anyio"),
    ],
)
async def test_inverted_edges_match_uv(
    shared_projects: Path, tmp_path: Path, name: str, package: str
) -> None:
    folder = shared_projects / name
    async with scanned(folder, tmp_path) as (backend, _):
        graph = backend.project_graph(folder)
        assert graph is not None
        ours = {(e.child[0], e.parent[0]) for e in edges_to(graph, nodes_named(graph, package))}
        expected, tops = uv_edges(uv_tree(folder, "--invert", "--package", package))
        assert tops == {package}
        assert ours == expected


def test_cli_json_contract(shared_projects: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "tree",
            str(shared_projects / "pallets__flask"),
            "--json",
            "--db",
            str(tmp_path / "db.sqlite3"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "devkit.tree/1" and document["project"] == "flask"
    blinker = next(e for e in document["edges"] if e["child"] == "blinker")
    assert {
        k: blinker[k] for k in ("parent", "specifier", "markers", "extras", "group", "active")
    } == {
        "parent": "flask",
        "specifier": ">=1.9.0",
        "markers": None,
        "extras": [],
        "group": "main",
        "active": True,
    }
    groups = {e["group"] for e in document["edges"] if e["parent"] == "flask"}
    assert {"main", "extra:async", "extra:dotenv", "group:dev", "group:tests"} <= groups
    assert {"name", "version", "flags"} <= set(document["nodes"][0])
