"""A PEP 751 pylock.toml for one project, written by uv: `uv export --format
pylock.toml` from a uv lock; `uv pip compile --format pylock.toml` from pinned
requirements, or from the installed environment's `uv pip freeze` without resolving
anything new. Read back and validated with `packaging.pylock` before it is given
out, and labelled (`[tool.devkit-tui] name`)."""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from backend.manifest.read import ManifestError
from backend.parsers.environment import find_environment
from backend.update.uv_runner import run_command


@dataclass(frozen=True, slots=True)
class Selection:
    """What goes in, as `uv export` is told: groups, extras, every group."""

    groups: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False
    """Without uv's default groups (`dev`): what a production install holds."""

    def flags(self) -> list[str]:
        out = [f for g in self.groups for f in ("--group", g)]
        out += [f for e in self.extras for f in ("--extra", e)]
        out += ["--no-default-groups"] if self.no_default_groups else []
        return out + (["--all-groups"] if self.all_groups else [])


@dataclass(frozen=True, slots=True)
class Generated:
    text: str
    source: str
    """`uv.lock`, `requirements.txt` or `environment`: what it was made from."""
    packages: int
    command: str


async def generate(
    uv: str, project: Path, name: str, lock: Path | None, selection: Selection,
    index_url: str | None = None,
) -> Generated:  # fmt: skip
    """The manifest text for `project` (whose lock, if uv's, is `lock`); `index_url`
    is where pins and an environment's packages are looked up (uv's default else)."""
    index = ["--index-url", index_url] if index_url else []
    with tempfile.TemporaryDirectory(prefix="devkit-manifest-") as scratch:
        output = Path(scratch) / "pylock.toml"
        if lock is not None and lock.name == "uv.lock":
            source, cwd = "uv.lock", project
            command = [uv, "export", "--format", "pylock.toml", "--frozen", "--no-header",
                       *selection.flags(), "--output-file", str(output)]  # fmt: skip
            if lock.parent != project:  # a workspace member: its own packages only
                command += ["--package", _project_name(project)]
        elif (project / "requirements.txt").is_file():
            source, cwd = "requirements.txt", project
            command = [uv, "pip", "compile", "requirements.txt", "--format", "pylock.toml",
                       "--no-header", "--quiet", *index, "--output-file", str(output)]  # fmt: skip
        else:
            env = find_environment(project)
            if env is None:
                raise ManifestError(f"{project}: no uv.lock, requirements.txt or environment")
            source, cwd = "environment", project
            frozen = await run_command([uv, "pip", "freeze", "--python", str(env)], project)
            if not frozen.ok:
                raise ManifestError(f"`uv pip freeze` failed:\n{frozen.tail()}")
            pins = Path(scratch) / "requirements.txt"
            pins.write_text(frozen.output, encoding="utf-8")
            command = [uv, "pip", "compile", str(pins), "--no-deps", "--format", "pylock.toml",
                       "--no-header", "--quiet", *index, "--output-file", str(output)]  # fmt: skip
        done = await run_command(command, cwd)
        shown = " ".join(["uv", *command[1:]])
        if not done.ok:
            raise ManifestError(f"`{shown}` failed:\n{done.tail()}")
        text = output.read_text(encoding="utf-8")
    labelled = text.rstrip("\n") + "\n\n" + _label(name, project, source)
    packages = validated(labelled, f"the manifest from `{shown}`")
    return Generated(labelled, source, packages, shown)


def validated(text: str, what: str) -> int:
    """Parse and validate with `packaging.pylock`; returns how many packages it holds."""
    from packaging.pylock import Pylock, PylockValidationError

    try:
        lock = Pylock.from_dict(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, PylockValidationError) as exc:
        raise ManifestError(f"{what} is not a valid pylock.toml: {exc}") from None
    return len(lock.packages)


def _label(name: str, project: Path, source: str) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        "[tool.devkit-tui]\n"
        f"name = {quoted(name)}\n"
        f"project = {quoted(str(project))}\n"
        f"source = {quoted(source)}\n"
    )


def _project_name(project: Path) -> str:
    try:
        data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return project.name
    return str(data.get("project", {}).get("name") or project.name)
