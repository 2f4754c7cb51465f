"""Resolve a plan in a scratch copy of the project, so its exact consequence (the
files uv would write, the lock diff with transitive changes) is known before the
project itself is touched."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from pathlib import Path

from backend.parsers.records import ParseFailure
from backend.parsers.toml_file import load_toml
from backend.update.journal import read_bytes
from backend.update.lock_diff import (
    diff_versions,
    lock_rewrites,
    pinned_versions,
    uv_lock_versions,
)
from backend.update.plan import Change, UnitPlan
from backend.update.requirements_edit import (
    PinNotFound,
    loosen_pin,
    rewrite_pin,
    without_hashes,
)
from backend.update.uv_runner import CommandResult, run_command

IGNORED = shutil.ignore_patterns(
    ".venv", "venv", ".git", ".hg", "node_modules", "__pycache__", "*.pyc", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", "*.egg-info",
)  # fmt: skip
_HASH_OPTION = re.compile(r"--hash[=\s]+\S+")


class ResolutionFailed(Exception):
    """uv could not do what the plan asks; the message is uv's own, shortened."""


def copy_unit(folder: Path, into: Path) -> Path:
    """The project (without environments, caches and VCS data) under `into`, placed so
    that its path sources outside it (`path = "../lib"`) still resolve: each one is
    a symbolic link, at the same relative place, to the real folder."""
    outside = outside_sources(folder)
    depth = max((_ups(rel) for rel, _ in outside), default=0)
    ancestors = [p.name or "root" for p in folder.parents][: max(depth - 1, 0)]
    target = into.joinpath(*reversed(ancestors), folder.name or "project")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, target, ignore=IGNORED, symlinks=True)
    for rel, real in outside:
        link = Path(os.path.normpath(target / rel))
        if not link.exists() and not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(real, target_is_directory=real.is_dir())
    return target


def outside_sources(folder: Path) -> list[tuple[str, Path]]:
    """`[tool.uv.sources]` paths of the project's pyproject files that lead out of
    it, as (path relative to the folder, real path)."""
    found: dict[str, Path] = {}
    for pyproject in _pyprojects(folder):
        try:
            data, _ = load_toml(pyproject)
        except ParseFailure:
            continue
        sources = data.get("tool", {}).get("uv", {}).get("sources", {})
        for entry in sources.values() if isinstance(sources, dict) else []:
            for source in entry if isinstance(entry, list) else [entry]:
                path = source.get("path") if isinstance(source, dict) else None
                if not isinstance(path, str) or Path(path).is_absolute():
                    continue
                real = (pyproject.parent / path).resolve()
                if not real.is_relative_to(folder.resolve()) and real.exists():
                    found[os.path.relpath(real, folder.resolve())] = real
    return sorted(found.items())


def _pyprojects(folder: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not IGNORED(root, [d])]
        if "pyproject.toml" in files:
            out.append(Path(root) / "pyproject.toml")
    return out


def _ups(relative: str) -> int:
    parts = Path(relative).parts
    return next((i for i, part in enumerate(parts) if part != ".."), len(parts))


def watched_files(unit: UnitPlan, copy: Path) -> list[str]:
    """Files an update may write, relative to the unit: the lock and every
    pyproject.toml (uv add edits a member's), or the pinned requirements files."""
    if unit.kind == "requirements":
        pins = {os.path.relpath(c.file, unit.folder) for c in unit.changes if c.file}
        return sorted(pins | set(unit.requirements) | set(unit.edits))
    found = ["uv.lock", *unit.edits]
    for path in copy.rglob("pyproject.toml"):
        found.append(path.relative_to(copy).as_posix())
    return sorted(set(found))


def uv_commands(uv: str, unit: UnitPlan) -> list[list[str]]:
    """`uv add` per member and group for specifier bumps, then one `uv lock` that
    moves every package to its exact target."""
    commands: list[list[str]] = []
    adds: dict[tuple[str | None, str], list[Change]] = {}
    for change in unit.changes:
        if change.method == "add":
            adds.setdefault((change.member, change.group), []).append(change)
    for (member, group), changes in adds.items():
        command = [uv, "add", "--no-sync"]
        if member:
            command += ["--package", member]
        command += _group_flags(group)
        commands.append(command + [c.requirement for c in changes])
    lock = [uv, "lock"]
    for name, target in dict((c.name, c.target) for c in unit.changes).items():
        lock += ["--upgrade-package", f"{name}=={target}"]
    if "*" in unit.upgrade:
        lock.append("--upgrade")
    else:
        for name in unit.upgrade:
            lock += ["--upgrade-package", name]
    commands.append(lock)
    return commands


def _group_flags(group: str) -> list[str]:
    kind, _, name = group.partition(":")
    if kind == "group":
        return ["--group", name]
    if kind == "extra":
        return ["--optional", name]
    if kind == "dev":
        return ["--dev"]
    return []


async def resolve_unit(unit: UnitPlan, uv: str, cancel: asyncio.Event | None = None) -> None:
    """Fill in the unit's base files, new files, lock diff and commands; on failure
    set its result to `failed` with uv's message."""
    if unit.sync_only:  # nothing to resolve: applying it is the sync
        return
    with tempfile.TemporaryDirectory(prefix="devkit-plan-") as scratch:
        try:
            copy = await asyncio.to_thread(copy_unit, unit.folder, Path(scratch))
            unit.base = {rel: read_bytes(unit.folder / rel) for rel in watched_files(unit, copy)}
            if unit.kind == "uv":
                for rel, data in unit.edits.items():
                    (copy / rel).write_bytes(data)
                await _resolve_uv(unit, uv, copy, cancel)
            elif unit.constraints:
                await _resolve_constrained(unit, uv, copy, cancel)
            else:
                await _resolve_requirements(unit, uv, copy, cancel)
        except ResolutionFailed as exc:
            unit.result, unit.error = "failed", str(exc)
        except (OSError, ParseFailure, PinNotFound) as exc:
            unit.result, unit.error = "failed", str(exc)


async def _run(command: list[str], cwd: Path, cancel: asyncio.Event | None) -> CommandResult:
    result = await run_command(command, cwd, cancel)
    if not result.ok:
        raise ResolutionFailed(f"`{_shown(result)}` failed:\n{result.tail()}")
    return result


def _shown(result: CommandResult) -> str:
    """The command line without the full path of uv."""
    return " ".join(["uv", *result.args[1:]]) if result.args[0].endswith("uv") else result.line


async def _resolve_uv(unit: UnitPlan, uv: str, copy: Path, cancel: asyncio.Event | None) -> None:
    before = uv_lock_versions(copy / "uv.lock")
    before_text = (copy / "uv.lock").read_text(encoding="utf-8")
    for command in uv_commands(uv, unit):
        result = await _run(command, copy, cancel)
        unit.commands.append(_shown(result))
    after = uv_lock_versions(copy / "uv.lock")
    for change in unit.changes:
        got = after.get(change.name)
        if got is None or change.target not in got.split(", "):
            raise ResolutionFailed(
                f"uv did not move {change.name} to {change.target} (it resolved {got or 'nothing'})"
            )
    _check_constraints(unit.constraints, after)
    unit.lock_diff = diff_versions(before, after)
    unit.lock_diff.notes = lock_rewrites(before_text, (copy / "uv.lock").read_text("utf-8"))
    unit.new = _changed_files(unit, copy)


async def _resolve_requirements(
    unit: UnitPlan, uv: str, copy: Path, cancel: asyncio.Event | None
) -> None:
    """Rewrite the pins in the copy, compile the old and the new top-level files with
    `uv pip compile --generate-hashes` (the diff, and the new pins' hashes)."""
    tops = sorted({c.group.split(":", 1)[1] for c in unit.changes})
    old_pins: dict[str, str] = {}
    for top in tops:
        compiled = await _compile(uv, copy, top, "old", cancel)
        old_pins.update(pinned_versions(compiled))
    edited: dict[str, str] = {}
    for change in unit.changes:
        rel = os.path.relpath(change.file, unit.folder)  # type: ignore[arg-type]
        text = edited.get(rel) or (copy / rel).read_text(encoding="utf-8")
        edited[rel] = rewrite_pin(
            text, change.line or 0, change.name, change.current, change.target
        )
    for rel, text in edited.items():
        (copy / rel).write_text(without_hashes(text), encoding="utf-8")
    new_pins: dict[str, str] = {}
    hashes: dict[str, list[str]] = {}
    for top in tops:
        compiled = await _compile(uv, copy, top, "new", cancel)
        new_pins.update(pinned_versions(compiled))
        hashes.update(compiled_hashes(compiled))
        unit.commands.append(f"uv pip compile --generate-hashes {top}")
    for change in unit.changes:
        if new_pins.get(change.name) != change.target:
            raise ResolutionFailed(
                f"{change.name}=={change.target} does not resolve with the rest of the file"
            )
    new: dict[str, bytes] = {}
    for change in unit.changes:
        rel = os.path.relpath(change.file, unit.folder)  # type: ignore[arg-type]
        original = new[rel].decode() if rel in new else (unit.folder / rel).read_text("utf-8")
        text = rewrite_pin(
            original, change.line or 0, change.name, change.current, change.target,
            hashes.get(change.name),
        )  # fmt: skip
        new[rel] = text.encode("utf-8")
    unit.new = new
    unit.lock_diff = diff_versions(old_pins, new_pins)


async def _resolve_constrained(
    unit: UnitPlan, uv: str, copy: Path, cancel: asyncio.Event | None
) -> None:
    """A requirements project given a constraints file: each top-level file compiled
    as it is (for the diff), then with the file included and the pins that break it
    loosened, so uv picks their versions; those pins are rewritten with their hashes."""
    old_pins: dict[str, str] = {}
    for top in unit.requirements:
        old_pins.update(pinned_versions(await _compile(uv, copy, top, "old", cancel)))
    texts = {rel: data.decode("utf-8") for rel, data in unit.edits.items()}
    for change in unit.changes:
        rel = os.path.relpath(change.file, unit.folder)  # type: ignore[arg-type]
        text = texts.get(rel) or (copy / rel).read_text(encoding="utf-8")
        texts[rel] = text
    loosened = dict(texts)
    for change in unit.changes:
        rel = os.path.relpath(change.file, unit.folder)  # type: ignore[arg-type]
        loosened[rel] = loosen_pin(loosened[rel], change.line or 0, change.name, change.current)
    for rel, text in loosened.items():
        (copy / rel).write_text(without_hashes(text) if rel.endswith(".txt") else text, "utf-8")
    new_pins: dict[str, str] = {}
    hashes: dict[str, list[str]] = {}
    for top in unit.requirements:
        compiled = await _compile(uv, copy, top, "new", cancel)
        new_pins.update(pinned_versions(compiled))
        hashes.update(compiled_hashes(compiled))
        unit.commands.append(f"uv pip compile --generate-hashes {top}")
    _check_constraints(unit.constraints, new_pins)
    for change in unit.changes:
        change.target = new_pins.get(change.name, "")
        if not change.target:
            raise ResolutionFailed(f"uv did not pin {change.name} (it is no longer required)")
        rel = os.path.relpath(change.file, unit.folder)  # type: ignore[arg-type]
        texts[rel] = rewrite_pin(
            texts[rel], change.line or 0, change.name, change.current, change.target,
            hashes.get(change.name),
        )  # fmt: skip
    unit.new = {rel: text.encode("utf-8") for rel, text in texts.items()
                if text.encode("utf-8") != unit.base.get(rel)}  # fmt: skip
    unit.lock_diff = diff_versions(old_pins, new_pins)


def _check_constraints(constraints: list[str], resolved: dict[str, str]) -> None:
    """Every resolved version of a constrained name meets the constraint."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    for line in constraints:
        requirement = Requirement(line)
        got = resolved.get(canonicalize_name(requirement.name))
        for version in got.split(", ") if got else []:
            if not requirement.specifier.contains(version, prereleases=True):
                raise ResolutionFailed(f"uv resolved {requirement.name} {version}, which"
                                       f" does not meet {line}")  # fmt: skip


async def _compile(uv: str, copy: Path, top: str, tag: str, cancel: asyncio.Event | None) -> str:
    source = copy / top
    if tag == "old":  # compile what the file says, without its hashes (they verify installs)
        text = source.read_text(encoding="utf-8")
        source = source.with_name(f".devkit-old-{source.name}")  # beside it: includes hold
        source.write_text(without_hashes(text), encoding="utf-8")
    output = copy / f".devkit-{tag}-compiled.txt"
    await _run(
        [uv, "pip", "compile", "--generate-hashes", "--no-header", "--quiet", str(source),
         "--output-file", str(output)],
        copy, cancel,
    )  # fmt: skip
    return output.read_text(encoding="utf-8")


def compiled_hashes(text: str) -> dict[str, list[str]]:
    """`name -> ['sha256:...']` from `uv pip compile --generate-hashes` output."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        if not line[:1].isspace():
            name = body.split("==", 1)[0].split("[", 1)[0].strip()
            current = name.lower().replace("_", "-").replace(".", "-") if "==" in body else None
        for option in _HASH_OPTION.findall(body):
            if current is not None:
                found.setdefault(current, []).append(re.split(r"[=\s]+", option, maxsplit=1)[1])
    return found


def _changed_files(unit: UnitPlan, copy: Path) -> dict[str, bytes]:
    new = {}
    for rel, before in unit.base.items():
        after = read_bytes(copy / rel)
        if after is not None and after != before:
            new[rel] = after
    return new
