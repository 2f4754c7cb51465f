"""uv.lock parsing, checked against the real lock files read independently with tomllib."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from backend.parsers.records import ParseFailure
from backend.parsers.uv_lock import parse_uv_lock


def _locks(root: Path) -> list[Path]:
    return sorted(root.rglob("uv.lock"))


def test_every_shared_lock_matches_tomllib(shared_projects: Path) -> None:
    locks = _locks(shared_projects)
    assert len(locks) >= 10
    for path in locks:
        reference = tomllib.loads(path.read_text())
        parsed = parse_uv_lock(path)
        expected = [
            (canonicalize_name(p["name"]), p.get("version")) for p in reference.get("package", [])
        ]
        assert [(p.name, p.version) for p in parsed.packages] == expected, path
        for entry, package in zip(reference.get("package", []), parsed.packages, strict=True):
            edges = [
                (canonicalize_name(d["name"]), d.get("marker"))
                for d in entry.get("dependencies", [])
            ]
            assert [(e.name, e.markers) for e in package.dependencies] == edges
            assert set(package.optional) == {
                canonicalize_name(k) for k in entry.get("optional-dependencies", {})
            }
            assert set(package.dev) == {
                canonicalize_name(k) for k in entry.get("dev-dependencies", {})
            }


def test_counts_from_the_shared_readme(shared_projects: Path) -> None:
    counts = {
        "pydantic__pydantic-ai": 347,
        "pallets__flask": 83,
        "open-telemetry__opentelemetry-python": 93,
        "fastapi__full-stack-fastapi-template": 81,
        "modelcontextprotocol__python-sdk": 131,
        "NVIDIA__NeMo-Agent-Toolkit": 678,
        "Textualize__textual": 0,
    }
    for folder, count in counts.items():
        assert len(parse_uv_lock(shared_projects / folder / "uv.lock").packages) == count, folder


def test_forked_versions_are_kept_apart(shared_projects: Path) -> None:
    lock = parse_uv_lock(shared_projects / "0b01001001__spectree" / "uv.lock")
    names = [p.name for p in lock.packages]
    repeated = {n for n in names if names.count(n) > 1}
    assert len(repeated) == 5
    for name in repeated:
        versions = [p.version for p in lock.packages if p.name == name]
        assert len(set(versions)) == len(versions)


def test_workspace_members_and_virtual_root_groups(shared_projects: Path) -> None:
    lock = parse_uv_lock(shared_projects / "fastapi__full-stack-fastapi-template" / "uv.lock")
    assert lock.members == ["app"]
    assert set(lock.root_groups) == {"dev", "github-actions"}
    assert [e.name for e in lock.root_groups["github-actions"]] == ["smokeshow"]
    local = [p for p in lock.packages if p.local]
    assert [p.source_path for p in local] == ["backend"]


def test_edges_carry_extras_markers_and_versions(shared_projects: Path) -> None:
    lock = parse_uv_lock(shared_projects / "pydantic__pydantic-ai" / "uv.lock")
    root = next(p for p in lock.packages if p.name == "pydantic-ai")
    assert root.local and root.source_path == "."
    slim = root.dependencies[0]
    assert slim.name == "pydantic-ai-slim" and "openai" in slim.extras
    dev = {e.name: e for e in root.dev["dev"]}
    assert dev["pydocket"].version == "0.22.0"
    assert dev["coverage"].markers == "extra == 'group-11-pydantic-ai-dev'"


def test_unknown_lock_version_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text('version = 2\nrevision = 1\nrequires-python = ">=3.12"\n')
    with pytest.raises(ParseFailure) as caught:
        parse_uv_lock(path)
    error = caught.value.error
    assert error.file == str(path) and error.line == 1
    assert "version 2 is not supported" in error.message


def test_broken_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text('version = 1\n\n[[package]]\nname = "x\nversion = "1"\n')
    with pytest.raises(ParseFailure) as caught:
        parse_uv_lock(path)
    assert caught.value.error.line == 4
    assert caught.value.error.message.startswith("invalid TOML")
