"""Lock drift agrees with `uv lock --check --offline` on locks made by the real uv: one
package from several sources chosen by marker, versions forked by marker, extras and
groups declared in another order than uv writes them, and a real drift."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.backend.health.test_entropy import reports
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv

HEAD = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
"""


def index_table(index: LocalIndex) -> str:
    return f'\n[[tool.uv.index]]\nname = "local"\nurl = "{index.simple}"\ndefault = true\n'


def several_sources(index: LocalIndex) -> str:
    wheel = f"{index.url}/files/gamma-1.0.0-py3-none-any.whl"
    return (
        HEAD
        + 'dependencies = ["gamma==1.0.0", "beta>=1"]\n'
        + index_table(index)
        + "\n[tool.uv.sources]\ngamma = [\n"
        + f'  {{ url = "{wheel}", marker = "sys_platform != \'win32\'" }},\n'
        + '  { index = "local", marker = "sys_platform == \'win32\'" },\n]\n'
    )


def forked(index: LocalIndex) -> str:
    return (
        HEAD
        + "dependencies = [\n"
        + "  \"gamma==1.0.5; python_version >= '3.12'\",\n"
        + "  \"gamma==1.0.0; python_version < '3.12'\",\n"
        + ']\n\n[project.optional-dependencies]\nz = ["beta>=1"]\na = ["alpha>=1"]\n'
        + '\n[dependency-groups]\ntest = ["delta==1.0.0"]\ndev = ["beta>=1", "alpha>=1"]\n'
        + index_table(index)
    )


def uv_check(project: Path) -> int:
    return subprocess.run(
        ["uv", "lock", "--check", "--offline"], cwd=project, capture_output=True, timeout=120
    ).returncode


@pytest.mark.parametrize("pyproject", [several_sources, forked])
async def test_locks_uv_accepts_have_no_lock_drift(
    tmp_path: Path, local_index: LocalIndex, pyproject
) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(pyproject(local_index))
    uv("lock", cwd=project)
    assert uv_check(project) == 0
    found, _ = await reports(project, tmp_path / "db.sqlite3")
    assert "lock-drift" not in {i.kind for i in found["app"].indicators}

    # a real drift: the declaration changed after locking, and uv says so too
    text = (project / "pyproject.toml").read_text().replace("beta>=1", "beta>=2", 1)
    (project / "pyproject.toml").write_text(text)
    assert uv_check(project) != 0
    found, _ = await reports(project, tmp_path / "db2.sqlite3")
    drift = [i for i in found["app"].indicators if i.kind == "lock-drift"]
    assert drift and any("beta" in line for line in drift[0].evidence)
