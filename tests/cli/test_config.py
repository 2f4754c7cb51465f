"""The configuration file: found by flag, environment or the user folder; validated with
one message per problem (file, line, key path); under flags and the environment; its
schema printed; pydantic never imported when there is no file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPOSITORY


def devkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True, text=True, cwd=REPOSITORY, env=env, timeout=120,
    )  # fmt: skip


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No user configuration folder with a file in it, no database or config variable."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEVKIT_DB", "DEVKIT_CONFIG")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    return {**env, **extra}


def settings(output: str) -> dict[str, dict[str, object]]:
    document = json.loads(output)
    assert document["schema"] == "devkit.config/1"
    return document["settings"]  # type: ignore[no-any-return]


def test_flag_over_environment_over_file_over_default(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{tmp_path / "file.db"}"\nmax-depth = 3\n')
    env = clean_env(tmp_path)
    shown = settings(devkit("config", "--config", str(config), "--json", env=env).stdout)
    assert shown["database"] == {"value": str(tmp_path / "file.db"), "source": f"user:{config}"}
    assert shown["max-depth"] == {"value": 3, "source": f"user:{config}"}
    assert shown["otlp.port"] == {"value": 4318, "source": "default"}

    env_db = clean_env(tmp_path, DEVKIT_DB=str(tmp_path / "env.db"), DEVKIT_CONFIG=str(config))
    shown = settings(devkit("config", "--json", env=env_db).stdout)  # the file by variable
    assert shown["database"] == {"value": str(tmp_path / "env.db"), "source": "env"}
    shown = settings(
        devkit("config", "--json", "--db", str(tmp_path / "flag.db"), env=env_db).stdout
    )
    assert shown["database"] == {"value": str(tmp_path / "flag.db"), "source": "flag"}

    # the user folder's file is found without being named
    (tmp_path / "xdg" / "devkit-tui").mkdir(parents=True)
    (tmp_path / "xdg" / "devkit-tui" / "config.toml").write_text("max-depth = 5\n")
    shown = settings(devkit("config", "--json", env=env).stdout)
    assert shown["max-depth"]["value"] == 5


def test_a_setting_from_the_file_is_used(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "deep" / "app").mkdir(parents=True)
    (root / "deep" / "app" / "requirements.txt").write_text("six==1.16.0\n")
    config = tmp_path / "config.toml"
    db = str(tmp_path / "db.sqlite3")
    env = clean_env(tmp_path)
    found = devkit("list", str(root), "--json", "--db", db, env=env)
    assert len(json.loads(found.stdout)["projects"]) == 1
    config.write_text("max-depth = 1\n")  # the project is two folders down
    shallow = devkit("list", str(root), "--json", "--db", db, "--config", str(config), env=env)
    assert json.loads(shallow.stdout)["projects"] == []


def test_each_problem_names_the_file_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('max-depth = "deep"\n\n[otlp]\nport = 99999\nbogus = 1\n')
    done = devkit("list", str(tmp_path), "--config", str(config), env=clean_env(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert f"{config}:1: max-depth: Input should be a valid integer" in done.stderr
    assert f"{config}:4: otlp.port: Input should be less than or equal to 65535" in done.stderr
    assert f"{config}:5: otlp.bogus: not a setting devkit-tui knows" in done.stderr

    config.write_text("max-depth = [\n")
    broken = devkit("config", "--config", str(config), env=clean_env(tmp_path))
    assert (
        broken.returncode == 2 and f"{config}:" in broken.stderr and "invalid TOML" in broken.stderr
    )
    missing = devkit("config", "--config", str(tmp_path / "nope.toml"), env=clean_env(tmp_path))
    assert missing.returncode == 2 and "no such configuration file" in missing.stderr


def test_the_schema_and_no_pydantic_without_a_file(tmp_path: Path) -> None:
    schema = json.loads(devkit("config", "--schema", env=clean_env(tmp_path)).stdout)
    assert {"max-depth", "database", "otlp", "spec-limits"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    probe = (
        "import sys, app.cli; app.cli.main(['config', '--json']);"
        " print('pydantic' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPOSITORY,
        env=clean_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("False")


def test_a_process_wide_key_in_a_project_is_an_error_naming_file_and_key(tmp_path: Path) -> None:
    project = tmp_path / "root" / "app"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\n\n[tool.devkit-tui]\n'
        'update-check = "true"\ndatabase = "/tmp/x.db"\n'
    )
    done = devkit("list", str(tmp_path / "root"), "--json", "--db", str(tmp_path / "db"),
                  env=clean_env(tmp_path))  # fmt: skip
    (entry,) = json.loads(done.stdout)["projects"]
    (error,) = entry["errors"]
    assert error["file"] == str(project / "pyproject.toml") and error["line"] == 7
    assert "[tool.devkit-tui] database: a setting of the whole process" in error["message"]


def test_look_and_keys_come_from_the_file_and_bad_ones_are_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'bell = true\ntheme = "nord"\nrefresh = 2.5\n\n[keymap]\n"app.rescan" = "R"\n'
        '\n[services]\nshop = "api-service"\n'
    )
    shown = settings(
        devkit("config", "--config", str(config), "--json", env=clean_env(tmp_path)).stdout
    )
    source = f"user:{config}"
    assert shown["bell"] == {"value": True, "source": source}
    assert shown["theme"] == {"value": "nord", "source": source}
    assert shown["refresh"] == {"value": 2.5, "source": source}
    assert shown["keymap"] == {"value": {"app.rescan": "R"}, "source": source}
    assert shown["services"] == {"value": {"shop": "api-service"}, "source": source}

    config.write_text('bell = "loud"\nrefresh = 0\n\n[keymap]\n"app.rescan" = 5\n')
    done = devkit("config", "--config", str(config), env=clean_env(tmp_path))
    assert done.returncode == 2
    assert f"{config}:1: bell: Input should be a valid boolean" in done.stderr
    assert f"{config}:2: refresh: Input should be greater than or equal to 0.2" in done.stderr
    assert f"{config}:5: keymap.app.rescan: Input should be a valid string" in done.stderr
