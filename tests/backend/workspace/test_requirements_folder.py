"""A project that keeps its requirements in a `requirements/` folder: every `*.txt` and
pip-tools `*.in` there is a declaration source of the project (an included file read
once), its kind is the same in `list` and `update`, and an edit there is routed to it."""

from __future__ import annotations

import json
from pathlib import Path

from backend.workspace.discovery import discover
from backend.workspace.routing import affected_projects
from backend.workspace.scanner import Scanner
from tests.cli.test_update_cli import cli
from tests.support.local_index import LocalIndex

PYPROJECT = '[project]\nname = "site"\nversion = "1"\ndependencies = []\n'


def requirements_site(folder: Path, index: LocalIndex | None = None) -> Path:
    (folder / "requirements").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT)
    head = f"--index-url {index.simple}\n" if index else ""
    (folder / "requirements.txt").write_text(head + "-r requirements/main.txt\n")
    (folder / "requirements" / "main.txt").write_text("alpha==1.0.0\nbeta==1.0.0\n")
    (folder / "requirements" / "dev.txt").write_text(head + "gamma==1.0.0\n")
    (folder / "requirements" / "tests.txt").write_text("-r main.txt\ndelta==1.0.0\n")
    (folder / "requirements" / "main.in").write_text("alpha>=1\nbeta\n")
    (folder / "requirements" / "notes.md").write_text("not a requirements file\n")
    return folder


def test_every_file_of_the_folder_declares(tmp_path: Path) -> None:
    site = requirements_site(tmp_path / "ws" / "site")
    (found,) = discover([tmp_path / "ws"])  # the requirements folder is not a project
    assert found.path == site
    assert {m.relative_to(site).as_posix() for m in found.manifests} == {
        "pyproject.toml", "requirements.txt", "requirements/dev.txt",
        "requirements/main.in", "requirements/main.txt", "requirements/tests.txt",
    }  # fmt: skip
    scanner = Scanner()
    (scan,) = scanner.scan_all([tmp_path / "ws"])
    assert scan.kind == "pyproject"
    groups: dict[str, set[str]] = {}
    for declaration in scan.declarations:
        groups.setdefault(declaration.name, set()).add(declaration.group)
    assert groups["gamma"] == {"requirements:requirements/dev.txt"}
    assert groups["delta"] == {"requirements:requirements/tests.txt"}
    assert "requirements:requirements/main.in" in groups["alpha"]
    # main.txt is read through the files that include it, not once more on its own
    assert groups["beta"] == {
        "requirements:requirements.txt",
        "requirements:requirements/tests.txt",
        "requirements:requirements/main.in",  # the pip-tools source says it too
    }
    assert scan.locked["gamma"] == ["1.0.0"]

    assert affected_projects(scanner, {site / "requirements" / "dev.txt"}) == {site}


def test_update_plans_a_pin_in_the_folder_and_says_the_same_kind(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    requirements_site(tmp_path / "ws" / "site", local_index)
    db = tmp_path / "db.sqlite3"
    listed = cli("list", str(tmp_path / "ws"), "--json", db=db)
    (project,) = json.loads(listed.stdout)["projects"]
    done = cli("update", "gamma==1.0.5", "--root", str(tmp_path / "ws"), "--dry-run",
               "--json", db=db)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (unit,) = json.loads(done.stdout)["projects"]
    assert unit["kind"] == project["kind"] == "pyproject"
    assert unit["through"] == "requirements"
    assert unit["files"] == ["requirements/dev.txt"]
