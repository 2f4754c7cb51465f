"""The inventory: one row per package, usages per project, and each flag."""

from __future__ import annotations

from pathlib import Path

from backend.inventory.build import build_inventory
from backend.workspace.scanner import Scanner
from tests.helpers import make_venv


def inventory_of(*roots: Path):  # type: ignore[no-untyped-def]
    return build_inventory(list(roots), Scanner().scan_all(list(roots)))


def uv_project(folder: Path, name: str, deps: dict[str, str], locked: dict[str, str]) -> Path:
    """A pyproject and a real-format uv.lock with the project node and its packages."""
    folder.mkdir(parents=True, exist_ok=True)
    requirements = ", ".join(f'"{n}{s}"' for n, s in deps.items())
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = [{requirements}]\n'
    )
    edges = ", ".join(f'{{ name = "{n}" }}' for n in deps)
    body = [
        f'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n[[package]]\nname = "{name}"\n'
        f'version = "0.1.0"\nsource = {{ editable = "." }}\ndependencies = [{edges}]\n'
    ]
    for package, version in locked.items():
        body.append(
            f'[[package]]\nname = "{package}"\nversion = "{version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
        )
    (folder / "uv.lock").write_text("\n".join(body))
    return folder


def test_demo_workspace_flags(demo_workspace: Path) -> None:
    inventory = inventory_of(demo_workspace)
    rows = inventory.packages
    assert {p.name for p in inventory.projects} == {
        "api-service",
        "data-pipeline",
        "platform",
        "platform-core",
        "platform-cli",
        "legacy-scripts",
        "broken-service",
    }
    assert "drift" in rows["pydantic"].flags  # 2.10.4 in api-service, 2.9.2 in data-pipeline
    assert "conflict" in rows["numpy"].flags  # declared >=2.3, locked 2.2.1
    assert "env-drift" in rows["httpx"].flags  # locked 0.28.1, installed 0.27.2
    assert "extraneous" in rows["rich"].flags  # installed by hand in api-service
    assert "missing" in rows["pytest"].flags  # dev group not synced
    assert rows["fastapi"].flags == set()
    # workspace members and projects are projects, not packages
    assert not {"platform-core", "platform-cli", "api-service"} & set(rows)
    broken = next(p for p in inventory.projects if p.name == "broken-service")
    assert broken.errors and broken.errors[0].line == 8


def test_workspace_members_share_the_lock(demo_workspace: Path) -> None:
    inventory = inventory_of(demo_workspace)
    kinds = {p.name: p.kind for p in inventory.projects}
    assert kinds["platform"] == "uv-workspace"
    assert kinds["platform-core"] == kinds["platform-cli"] == "uv-workspace-member"
    typer = {u.project: u for u in inventory.packages["typer"].usages}
    assert set(typer) == {"platform", "platform-cli"}  # core does not reach typer
    assert typer["platform-cli"].direct and not typer["platform"].direct
    assert typer["platform-cli"].locked == ["0.15.1"]
    assert "platform-cli" not in {u.project for u in inventory.packages["pytest"].usages}


def test_usage_records_declared_groups_locked_installed_direct(tmp_path: Path) -> None:
    project = uv_project(tmp_path / "p", "p", {"idna": ">=3"}, {"idna": "3.10", "six": "1.17.0"})
    make_venv(project / ".venv", {"idna": "3.10", "six": "1.17.0"})
    (usage,) = inventory_of(tmp_path).packages["idna"].usages
    assert (
        usage.project,
        usage.declared,
        usage.groups,
        usage.locked,
        usage.installed,
        usage.direct,
    ) == (
        "p",
        [">=3"],
        ["main"],
        ["3.10"],
        "3.10",
        True,
    )
    assert usage.flags == set()
    six = inventory_of(tmp_path).packages["six"].usages[0]
    assert not six.direct and six.declared == []


def test_conflict_from_installed_version(tmp_path: Path) -> None:
    project = uv_project(tmp_path / "p", "p", {"idna": ">=3"}, {"idna": "3.10"})
    make_venv(project / ".venv", {"idna": "2.10"})
    flags = inventory_of(tmp_path).packages["idna"].flags
    assert flags == {"conflict", "env-drift"}


def test_missing_only_when_an_environment_exists(tmp_path: Path) -> None:
    uv_project(tmp_path / "noenv", "noenv", {"idna": ""}, {"idna": "3.10"})
    with_env = uv_project(tmp_path / "withenv", "withenv", {"idna": ""}, {"idna": "3.10"})
    make_venv(with_env / ".venv", {})
    usages = {u.project: u.flags for u in inventory_of(tmp_path).packages["idna"].usages}
    assert usages == {"noenv": set(), "withenv": {"missing"}}


def test_marker_excluded_package_is_not_missing(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "requirements.txt").write_text(
        "pywin32==306 ; sys_platform == 'win32'\nidna==3.10\n"
    )
    make_venv(project / ".venv", {"idna": "3.10"})
    rows = inventory_of(tmp_path).packages
    assert rows["pywin32"].flags == set()
    assert rows["idna"].flags == set()


def test_drift_across_projects_by_installed_version(tmp_path: Path) -> None:
    for name, version in (("a", "3.4"), ("b", "3.10")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "requirements.txt").write_text(f"idna=={version}\n")
        make_venv(folder / ".venv", {"idna": version})
    row = inventory_of(tmp_path).packages["idna"]
    assert row.flags == {"drift"} and row.versions == ["3.4", "3.10"]


def test_shared_projects_inventory(shared_projects: Path) -> None:
    inventory = inventory_of(shared_projects)
    assert len(inventory.projects) >= 150 and len(inventory.packages) >= 800
    assert inventory.error_count == 0
    by_name = {p.name: p for p in inventory.projects}
    assert by_name["textualize-textual"].package_count == 111  # poetry.lock, not the empty uv.lock
    assert by_name["pydantic-ai"].kind == "uv-workspace"
    assert by_name["pydantic-evals"].kind == "uv-workspace-member"
    # spectree locks 5 packages at two versions each (a forked resolution)
    spectree_forked = [
        r.name
        for r in inventory.packages.values()
        for u in r.usages
        if u.project == "spectree" and len(u.locked) > 1
    ]
    assert len(spectree_forked) == 5
