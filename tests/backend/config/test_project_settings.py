"""A project's own `[tool.devkit-tui]`: spec limits and service names reach the charts
and entropy, a bad value is an error naming file, line and key, and `devkit-tui config`
shows each with `project:PATH`."""

from __future__ import annotations

import json
from pathlib import Path

from backend.service import Backend
from backend.settings import Settings
from tests.cli.test_config import clean_env, devkit
from tests.helpers import span_records

PYPROJECT = """[project]
name = "api"
version = "1"

[tool.devkit-tui]
update-check = "true"
services = ["shop"]

[tool.devkit-tui.spec-limits]
checkout = 250
"""


def project(root: Path, text: str = PYPROJECT) -> Path:
    folder = root / "api"
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(text)
    return folder / "pyproject.toml"


async def test_spec_limits_and_services_reach_the_charts_and_entropy(tmp_path: Path) -> None:
    project(tmp_path / "root")
    settings = Settings(roots=[tmp_path / "root"], db_path=tmp_path / "db.sqlite3",
                        watch=False, trace_self=False, spec_limits={"search": 80.0})  # fmt: skip
    async with Backend(settings) as backend:
        await backend.start(scan=False)
        await backend.scan()
        assert backend.spec_limits() == {"search": 80.0, "checkout": 250.0}  # project over file
        settings.fixed_keys = frozenset({"spec-limits"})
        settings.spec_limits = {"checkout": 100.0}
        assert backend.spec_limits() == {"checkout": 100.0}  # a flag over the project
        await backend.spans.add(span_records("charge", [10.0] * 20, service="shop", errors={3}))
        (report,) = await backend.entropy(store_scores=False)
        assert report.project == "api" and report.details["operations"] == 20  # shop is api
        assert report.details["operation_errors"] == 1


def test_a_bad_project_value_names_file_line_and_key(tmp_path: Path) -> None:
    pyproject = project(tmp_path / "root", PYPROJECT.replace("checkout = 250", "checkout = -1"))
    done = devkit("list", str(tmp_path / "root"), "--json", "--db", str(tmp_path / "db"),
                  env=clean_env(tmp_path))  # fmt: skip
    (entry,) = json.loads(done.stdout)["projects"]
    (error,) = entry["errors"]
    assert error["file"] == str(pyproject) and error["line"] == 9
    assert (
        "[tool.devkit-tui] spec-limits.checkout: Input should be greater than 0" in error["message"]
    )
    config = devkit("config", str(tmp_path / "root"), env=clean_env(tmp_path))
    assert config.returncode == 2 and f"{pyproject}:9:" in config.stderr


def test_config_shows_each_project_key_with_its_file(tmp_path: Path) -> None:
    pyproject = project(tmp_path / "root")
    done = devkit("config", str(tmp_path / "root"), "--json", env=clean_env(tmp_path))
    shown = json.loads(done.stdout)["settings"]
    source = f"project:{pyproject}"
    assert shown["spec-limits.checkout"] == {"value": 250, "source": source}
    assert shown["services.shop"] == {"value": "api", "source": source}
    assert shown["update-check.api"] == {"value": "true", "source": source}
    user_level = shown["spec-limits"]  # the user file's (none) stays apart from the projects'
    assert user_level == {"value": {}, "source": "default"}
