"""What uv does to a real environment reaches the inventory: `uv pip install` into a
`.venv` made by uv (whose `lib64` link is the path the watcher reports on Linux)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from backend.events import InventoryUpdated
from backend.service import Backend
from backend.settings import Settings
from backend.workspace.routing import environment_of
from backend.workspace.watcher import watched_folders
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project


def installed(inventory, name: str) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [u.installed for u in inventory.packages[name].usages]


async def test_uv_pip_install_into_a_uv_venv_is_seen(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    project = uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"],
                         venv=True)  # fmt: skip
    backend = Backend(Settings(roots=[tmp_path / "ws"], db_path=tmp_path / "db.sqlite3"))
    events = backend.subscribe()
    await backend.start()
    try:
        first = await next_inventory(events)
        assert installed(first, "gamma") == ["1.0.0"]
        await watching(project, events)
        done = subprocess.run(
            ["uv", "pip", "install", "--python", str(project / ".venv" / "bin" / "python"),
             "--index-url", local_index.simple, "gamma==1.0.5"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        while installed(await next_inventory(events), "gamma") != ["1.0.5"]:
            pass
    finally:
        await backend.stop()


async def watching(project: Path, events: asyncio.Queue[object]) -> None:
    """Rewrite the pyproject as it is until a refresh shows the watcher is running."""
    manifest = project / "pyproject.toml"
    while True:
        manifest.write_bytes(manifest.read_bytes())
        try:
            event = await asyncio.wait_for(events.get(), 2)
        except TimeoutError:
            continue
        if isinstance(event, InventoryUpdated) and event.reason == "watch":
            return


async def next_inventory(events: asyncio.Queue[object]):  # type: ignore[no-untyped-def]
    """The next inventory the backend publishes (a generous limit for a busy machine)."""
    while True:
        event = await asyncio.wait_for(events.get(), 30)
        if isinstance(event, InventoryUpdated):
            return event.inventory


def test_the_environment_of_a_path_in_site_packages() -> None:
    dist = "site-packages/six-1.15.0.dist-info/RECORD"
    for inside in ("lib/python3.12", "lib64/python3.12", "Lib"):
        assert environment_of(Path(f"/w/app/.venv/{inside}/{dist}")) == Path("/w/app/.venv")
    assert environment_of(Path("/w/app/pyproject.toml")) is None


def test_an_environment_is_watched_only_where_dists_come_and_go(tmp_path: Path) -> None:
    """Every project folder is watched, and of a real `uv venv` only the way to its
    site-packages and site-packages itself: not the files of installed packages."""
    project = tmp_path / "ws" / "app"
    (project / "src" / "app").mkdir(parents=True)
    (project / "node_modules" / "left-pad").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    done = subprocess.run(["uv", "venv", str(project / ".venv")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    site = next((project / ".venv" / "lib").glob("python*/site-packages"))
    (site / "six-1.16.0.dist-info").mkdir()
    (site / "big" / "sub" / "deeper").mkdir(parents=True)

    folders = watched_folders([tmp_path / "ws"])

    assert site in folders and project in folders and project / "src" / "app" in folders
    assert project / ".venv" in folders
    inside_site = [f for f in folders if f.is_relative_to(site) and f != site]
    assert inside_site == []  # neither dist-info folders nor packages' own folders
    assert not any("node_modules" in f.parts or f.name == "lib64" for f in folders)
    assert len([f for f in folders if f.is_relative_to(project / ".venv")]) == 4
