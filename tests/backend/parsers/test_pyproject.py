"""pyproject.toml: PEP 621, PEP 735 groups with include-group, uv settings, bad input."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.parsers.pyproject import parse_pyproject
from backend.parsers.records import ParseFailure


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


def test_dependencies_extras_groups_and_uv_dev(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[project]
name = "My_App"
dependencies = ["Requests[socks]>=2.31 ; python_version >= '3.9'", "click"]
[project.optional-dependencies]
Fast = ["orjson>=3"]
[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]
[tool.uv]
dev-dependencies = ["mypy"]
[tool.uv.workspace]
members = ["packages/*"]
[tool.uv.sources]
click = { path = "../click" }
""",
    )
    project = parse_pyproject(path)
    assert project.name == "my-app"
    found = {(d.name, d.group, d.specifier) for d in project.declarations}
    assert ("requests", "main", ">=2.31") in found
    assert ("orjson", "extra:fast", ">=3") in found
    assert ("pytest", "group:test", ">=8") in found
    assert ("ruff", "group:test", "") in found  # through include-group
    assert ("ruff", "group:lint", "") in found
    assert ("mypy", "dev", "") in found
    requests = next(d for d in project.declarations if d.name == "requests")
    assert requests.extras == ("socks",) and requests.markers == 'python_version >= "3.9"'
    assert requests.line == 4
    assert project.workspace_members == ["packages/*"]
    assert project.local_sources == {"click"}
    assert project.errors == []


def test_include_group_cycle_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[dependency-groups]
a = ["x", {include-group = "b"}]
b = ["y", {include-group = "a"}]
""",
    )
    project = parse_pyproject(path)
    messages = [e.message for e in project.errors]
    assert any("cycle: a -> b -> a" in m for m in messages)
    assert {d.name for d in project.declarations} == {"x", "y"}


def test_invalid_requirement_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[project]\nname = "x"\ndependencies = [\n  "good>=1",\n  "bad >= = 2",\n]\n'
    )
    project = parse_pyproject(path)
    assert [d.name for d in project.declarations] == ["good"]
    (error,) = project.errors
    assert error.file == str(path) and error.line == 5 and "bad >= = 2" in error.message


def test_malformed_toml_is_a_parse_failure_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndependencies = ["a"\n\n[tool.uv]\n')
    with pytest.raises(ParseFailure) as caught:
        parse_pyproject(path)
    assert caught.value.error.line is not None and caught.value.error.file == str(path)


def test_undecodable_file_is_a_parse_failure(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[project]\nname = "\xff\xfe"\n')
    with pytest.raises(ParseFailure) as caught:
        parse_pyproject(path)
    assert "not UTF-8" in caught.value.error.message


def test_real_workspace_roots(shared_projects: Path) -> None:
    for folder in ("pydantic__pydantic-ai", "open-telemetry__opentelemetry-python"):
        path = shared_projects / folder / "pyproject.toml"
        reference = tomllib.loads(path.read_text())
        project = parse_pyproject(path)
        assert project.workspace_members == reference["tool"]["uv"]["workspace"]["members"]
        main = [d for d in project.declarations if d.group == "main"]
        assert len(main) == len(reference.get("project", {}).get("dependencies", []))
        assert project.errors == []
