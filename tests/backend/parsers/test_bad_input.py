"""Bad input, end to end: each case is an error entry naming the file (and line where
known) in `list --json`, and the rest of the inventory is still built."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import add_dist, make_venv, site_packages

ROOT = Path(__file__).resolve().parents[3]


def build_bad_workspace(root: Path) -> Path:
    good = root / "good"
    good.mkdir(parents=True)
    (good / "requirements.txt").write_text("idna==3.10\n")
    cases = {
        "malformed-toml": ("pyproject.toml", '[project\nname = "x"\n'),
        "future-lock": ("uv.lock", "version = 99\nrevision = 1\n"),
        "bad-version": (
            "uv.lock",
            'version = 1\n\n[[package]]\nname = "x"\nversion = "one.two"\n'
            'source = { registry = "https://pypi.org/simple" }\n',
        ),
        "bad-specifier": (
            "pyproject.toml",
            '[project]\nname = "bad-spec"\ndependencies = ["idna >= = 3"]\n',
        ),
        "not-utf8": ("requirements.txt", b"idna==3.10\n\xff\xfe\n"),
    }
    for folder, (name, content) in cases.items():
        path = root / folder / name
        path.parent.mkdir()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    unreadable = root / "unreadable"
    (unreadable / "uv.lock").mkdir(parents=True)  # a folder where a file should be
    (unreadable / "pyproject.toml").write_text('[project]\nname = "unreadable"\n')
    venv = make_venv(root / "garbage-env" / ".venv", {"idna": "3.10"})
    (root / "garbage-env" / "requirements.txt").write_text("idna\nevil\n")
    add_dist(site_packages(venv), "junk", "0", metadata="\x00\x01 garbage")
    add_dist(site_packages(venv), "evil", "1", summary="[bold red]boom[/] \x1b[2J")
    return root


def test_every_bad_input_is_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    root = build_bad_workspace(tmp_path / "ws")
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "list", str(root), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    document = json.loads(result.stdout)
    errors = {
        Path(e["file"]).relative_to(root).as_posix(): e
        for p in document["projects"]
        for e in p["errors"]
    }
    assert errors["malformed-toml/pyproject.toml"]["line"] == 1
    assert "invalid TOML" in errors["malformed-toml/pyproject.toml"]["message"]
    assert "version 99 is not supported" in errors["future-lock/uv.lock"]["message"]
    assert errors["future-lock/uv.lock"]["line"] == 1
    assert errors["bad-version/uv.lock"]["line"] == 5
    assert "invalid version 'one.two'" in errors["bad-version/uv.lock"]["message"]
    assert errors["bad-specifier/pyproject.toml"]["line"] == 3
    assert "not UTF-8" in errors["not-utf8/requirements.txt"]["message"]
    assert "cannot read" in errors["unreadable/uv.lock"]["message"]
    junk = next(k for k in errors if k.endswith("junk-0.dist-info/METADATA"))
    assert "no Name" in errors[junk]["message"]
    evil = next(k for k in errors if k.endswith("evil-1.dist-info/METADATA"))
    assert "control characters" in errors[evil]["message"]
    packages = {p["name"]: p for p in document["packages"]}
    assert {u["project"] for u in packages["idna"]["usages"]} == {"good", "garbage-env"}
    assert packages["evil"]["summary"] == "[bold red]boom[/] \x1b[2J"  # JSON escapes it
    assert "\\u001b[2J" in result.stdout
    assert "\x1b" not in result.stdout


def test_demo_builds_without_opening(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--into", str(tmp_path / "d"), "--no-open"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == str(tmp_path / "d")
    assert (tmp_path / "d" / "platform" / "uv.lock").is_file()
    assert (tmp_path / "d" / "api-service" / ".venv" / "pyvenv.cfg").is_file()
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "demo",
            "--into",
            str(tmp_path / "e"),
            "--no-open",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert json.loads(again.stdout) == {"schema": "devkit.demo/1", "path": str(tmp_path / "e")}
