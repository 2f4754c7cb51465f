"""`devkit-tui list`: the JSON contract, exit codes, and no textual in headless runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_json_document_shape(demo_workspace: Path) -> None:
    result = run("list", str(demo_workspace), "--json")
    assert result.returncode == 1  # the broken pyproject is a finding
    document = json.loads(result.stdout)
    assert document["schema"] == "devkit.inventory/1"
    assert document["roots"] == [str(demo_workspace)]
    project = next(p for p in document["projects"] if p["name"] == "broken-service")
    assert set(project) >= {"path", "name", "kind", "manifests", "environment", "errors"}
    (error,) = project["errors"]
    assert error["file"].endswith("broken-service/pyproject.toml") and error["line"] == 8
    httpx = next(p for p in document["packages"] if p["name"] == "httpx")
    assert set(httpx) >= {"name", "versions", "flags", "usages"}
    assert httpx["flags"] == ["env-drift"]
    (usage,) = httpx["usages"]
    assert {
        k: usage[k] for k in ("project", "declared", "groups", "locked", "installed", "direct")
    } == {
        "project": "api-service",
        "declared": [">=0.27"],
        "groups": ["main"],
        "locked": "0.28.1",
        "installed": "0.27.2",
        "direct": True,
    }
    assert "broken-service/pyproject.toml:8" in result.stderr


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "requirements.txt").write_text("idna==3.10\n")
    assert run("list", str(tmp_path / "ok"), "--json").returncode == 0
    missing = run("list", str(tmp_path / "nowhere"), "--json")
    assert missing.returncode == 2 and "not a folder" in missing.stderr and missing.stdout == ""
    assert run("list", "--max-depth", "many").returncode == 2


def test_db_flag_and_env_var(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "requirements.txt").write_text("idna==3.10\n")
    flag_db = tmp_path / "flag.sqlite3"
    env_db = tmp_path / "env.sqlite3"
    assert (
        run(
            "list", str(tmp_path / "p"), "--db", str(flag_db), env={"DEVKIT_DB": str(env_db)}
        ).returncode
        == 0
    )
    assert flag_db.exists() and not env_db.exists()
    assert run("list", str(tmp_path / "p"), env={"DEVKIT_DB": str(env_db)}).returncode == 0
    assert env_db.exists()


def test_unusable_database_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database" * 50)
    result = run("list", str(tmp_path), "--db", str(bad), "--json")
    assert result.returncode == 2 and "cannot open database" in result.stderr


def test_list_never_imports_textual(demo_workspace: Path) -> None:
    code = (
        "import sys\nfrom app.cli import main\n"
        f"code = main(['list', {str(demo_workspace)!r}, '--json'])\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('UI:', ui, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "UI: []" in result.stderr


def test_backend_imports_no_ui() -> None:
    code = (
        "import sys, pkgutil, importlib, backend\n"
        "for m in pkgutil.walk_packages(backend.__path__, 'backend.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_headless_run_leaves_without_teardown_but_with_everything_stored(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """The console script skips the interpreter's teardown after a headless command:
    the output, the exit code, devkit's own spans and the audit entry are all there
    (the scan's span is stored by the backend's stop, not by an exit handler)."""
    import sqlite3

    db = tmp_path / "db.sqlite3"
    result = run("list", str(demo_workspace), "--json", "--db", str(db))
    assert result.returncode == 1  # the broken pyproject is a finding
    assert json.loads(result.stdout)["schema"] == "devkit.inventory/1"
    connection = sqlite3.connect(db)
    try:
        spans = {name for (name,) in connection.execute("SELECT name FROM spans")}
        entries = connection.execute("SELECT action, trace_id FROM audit_log").fetchall()
    finally:
        connection.close()
    assert {"devkit.scan", "devkit.inventory.build", "devkit.snapshot.store"} <= spans
    (trace,) = [trace for action, trace in entries if action == "scan"]
    assert trace
