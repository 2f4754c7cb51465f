"""Real projects locked by the real uv against the local index: each starts on old
versions (locked with exact pins, then loosened to the declared specifiers, which
uv keeps its locked versions for)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.local_index import LocalIndex

PYPROJECT = """\
[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{dependencies}]
{groups}
[[tool.uv.index]]
name = "local"
url = "{index}"
default = true
{tool}"""


def uv(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    result = subprocess.run(["uv", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def _quoted(requirements: list[str]) -> str:
    return ", ".join(f'"{r}"' for r in requirements)


def uv_project(
    folder: Path,
    index: LocalIndex,
    start: list[str],
    declared: list[str],
    dev: tuple[list[str], list[str]] | None = None,
    check: str | None = None,
    venv: bool = False,
    extra: str = "",
) -> Path:
    """`start` pins what gets locked; `declared` is what pyproject.toml says after."""
    folder.mkdir(parents=True)

    def write(main: list[str], dev_group: list[str] | None) -> None:
        groups = f"\n[dependency-groups]\ndev = [{_quoted(dev_group)}]\n" if dev_group else ""
        literal = "'''" + (check or "") + "'''"  # a TOML literal string: quotes kept as they are
        tool = f"\n[tool.devkit-tui]\nupdate-check = {literal}\n" if check else ""
        text = PYPROJECT.format(
            name=folder.name, dependencies=_quoted(main), groups=groups, index=index.simple,
            tool=tool,
        )  # fmt: skip
        (folder / "pyproject.toml").write_text(text + extra)

    write(start, dev[0] if dev else None)
    uv("lock", cwd=folder)
    write(declared, dev[1] if dev else None)
    uv("lock", cwd=folder)
    if venv:
        uv("sync", "--locked", cwd=folder)
    return folder


def requirements_project(folder: Path, index: LocalIndex, pins: dict[str, str]) -> Path:
    """A requirements.txt with hashes, comments and an index line, no pyproject."""
    folder.mkdir(parents=True)
    lines = ["# pinned by hand; keep this comment", f"--index-url {index.simple}", ""]
    for name, version in pins.items():
        lines += [
            f"{name}=={version} \\",
            f"    --hash=sha256:{index.hashes[(name, version)]}",
            f"    # via {folder.name}",
        ]
    (folder / "requirements.txt").write_text("\n".join(lines) + "\n")
    return folder


def workspace_project(root: Path, index: LocalIndex) -> Path:
    """A virtual uv workspace locked on old versions: member `core` uses alpha 1.0.0,
    member `cli` gamma 1.0.0, both beta 1.0.0. Callers loosen what they need, then
    lock again."""
    (root / "packages").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        f'[[tool.uv.index]]\nname = "local"\nurl = "{index.simple}"\ndefault = true\n'
    )
    for member, requirement in (("core", "alpha==1.0.0"), ("cli", "gamma==1.0.0")):
        folder = root / "packages" / member
        folder.mkdir()
        (folder / "pyproject.toml").write_text(
            f'[project]\nname = "{member}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            f'dependencies = ["{requirement}", "beta==1.0.0"]\n'
        )
    uv("lock", cwd=root)
    return root


def loosen(pyproject: Path, old: str, new: str) -> None:
    pyproject.write_text(pyproject.read_text().replace(old, new))
