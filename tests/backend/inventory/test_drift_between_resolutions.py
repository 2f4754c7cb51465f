"""`drift` is about different resolutions: a fork by marker inside one uv.lock and the
members of one workspace lock are one resolution (shown in the detail, not flagged);
another project's lock holding other versions is drift. Locks made by the real uv."""

from __future__ import annotations

from pathlib import Path

from backend.inventory.build import resolutions_of
from backend.service import Backend
from backend.settings import Settings
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv, uv_project

MEMBER = """[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{dependencies}]
"""


def forked_workspace(root: Path, index: LocalIndex) -> Path:
    (root / "packages" / "core").mkdir(parents=True)
    (root / "packages" / "cli").mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        f'[[tool.uv.index]]\nname = "local"\nurl = "{index.simple}"\ndefault = true\n'
    )
    fork = "\"gamma==1.0.5; python_version >= '3.12'\", \"gamma==1.0.0; python_version < '3.12'\""
    (root / "packages" / "core" / "pyproject.toml").write_text(
        MEMBER.format(name="core", dependencies=fork)
    )
    (root / "packages" / "cli" / "pyproject.toml").write_text(
        MEMBER.format(name="cli", dependencies='"gamma>=1", "beta==1.0.0"')
    )
    uv("lock", cwd=root)
    return root


async def scan(root: Path, db: Path):  # type: ignore[no-untyped-def]
    async with Backend(Settings(roots=[root], db_path=db, watch=False, trace_self=False)) as b:
        return await b.scan()


async def test_one_lock_is_one_resolution(tmp_path: Path, local_index: LocalIndex) -> None:
    ws = forked_workspace(tmp_path / "ws" / "mono", local_index)
    inventory = await scan(tmp_path / "ws", tmp_path / "db.sqlite3")
    gamma = inventory.packages["gamma"]
    assert gamma.versions == ["1.0.0", "1.0.5"]  # the fork is there
    assert "drift" not in gamma.flags and "drift" not in inventory.packages["beta"].flags
    ((source, (versions, projects)),) = resolutions_of(gamma).items()
    assert source == str(ws / "uv.lock") and versions == ["1.0.0", "1.0.5"]
    assert sorted(projects) == ["cli", "core", "mono"]  # the virtual root too

    # another project that resolved gamma on its own, to one version: that is drift
    uv_project(tmp_path / "ws" / "solo", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    inventory = await scan(tmp_path / "ws", tmp_path / "db2.sqlite3")
    assert "drift" in inventory.packages["gamma"].flags
    assert "drift" not in inventory.packages["beta"].flags  # only the workspace has it
