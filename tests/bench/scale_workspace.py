"""A workspace ten times the size of the shared one, built from its real locks: 200
projects and about 10,000 distinct packages.

Project `i` is a copy of one of the shared uv projects (pyproject.toml and uv.lock)
with every package name suffixed by its group (`anyio` -> `anyio-g3`). Four projects
share a group, so they share names, and drift where their sources lock different
versions; groups are added until the distinct names reach the target, and the
projects after that reuse the groups there are.

    uv run python tests/bench/scale_workspace.py FOLDER [--projects 200] [--names 11400]
"""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path
from typing import Any

import rtoml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "projects"
PER_GROUP = 4
NAMES = 11_400
"""Distinct names across the locks: about 10,000 of them reach some project (the rest
are locked only for platforms or extras nothing asks for)."""
NAME = re.compile(r'^(\s*)name = "([^"]+)"', re.MULTILINE)
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def sources() -> list[tuple[Path, str, dict[str, Any], set[str]]]:
    """(folder, lock text, pyproject, locked names) of each shared uv project, largest
    lock first."""
    found = []
    for lock in sorted(SHARED.glob("*/uv.lock")):
        text = lock.read_text()
        names = set(NAME_IN_PACKAGE.findall(text))
        pyproject = tomllib.loads((lock.parent / "pyproject.toml").read_text())
        found.append((lock.parent, text, pyproject, names))
    return sorted(found, key=lambda s: -len(s[3]))


NAME_IN_PACKAGE = re.compile(r'^\[\[package\]\]\nname = "([^"]+)"', re.MULTILINE)


def suffixed_lock(text: str, suffix: str) -> str:
    text = NAME.sub(lambda m: f'{m.group(1)}name = "{m.group(2)}{suffix}"', text)
    return re.sub(
        r"^members = \[(.*?)\]",
        lambda m: (
            "members = ["
            + re.sub(r'"([^"]+)"', lambda n: f'"{n.group(1)}{suffix}"', m.group(1))
            + "]"
        ),
        text,
        flags=re.MULTILINE | re.DOTALL,
    )


def suffixed_inline_names(text: str, suffix: str) -> str:
    """`{ name = "x", ... }` inside dependency lists, where the line does not start
    with the key."""
    return re.sub(r'\{ name = "([^"]+)"', lambda m: f'{{ name = "{m.group(1)}{suffix}"', text)


def suffixed_pyproject(document: dict[str, Any], suffix: str, name: str) -> dict[str, Any]:
    def rename(items: list[Any]) -> list[Any]:
        return [REQUIREMENT.sub(lambda m: m.group(1) + suffix, x) if isinstance(x, str) else x
                for x in items]  # fmt: skip

    project = dict(document.get("project", {}))
    project["name"] = name
    project["dependencies"] = rename(project.get("dependencies", []))
    project["optional-dependencies"] = {
        k: rename(v) for k, v in project.get("optional-dependencies", {}).items()
    }
    project.pop("dynamic", None)
    project.setdefault("version", "0.1.0")
    out: dict[str, Any] = {"project": project}
    if "dependency-groups" in document:
        out["dependency-groups"] = {k: rename(v) for k, v in document["dependency-groups"].items()}
    return out


def build(folder: Path, projects: int = 200, packages: int = NAMES) -> tuple[int, int]:
    """Write the workspace; returns (projects, distinct package names)."""
    found = sources()
    distinct: set[str] = set()
    group_sources: list[set[int]] = []
    """Which sources' names each group holds: a project reuses a group that has its own."""
    group = 0
    for i in range(projects):
        source, text, pyproject, _ = found[i % len(found)]
        if i % PER_GROUP == 0:
            members = {j % len(found) for j in range(i, min(i + PER_GROUP, projects))}
            coming = set().union(*(found[j][3] for j in members))
            if not group_sources or len(distinct) + len(coming) <= packages:
                group_sources.append(members)  # a new group, within the target
                distinct |= {n + f"-g{len(group_sources) - 1}" for n in coming}
        fitting = [g for g, held in enumerate(group_sources) if i % len(found) in held]
        group = fitting[(i // PER_GROUP) % len(fitting)]
        suffix = f"-g{group}"
        own = pyproject.get("project", {}).get("name", source.name)
        new_name = f"{own}{suffix}-p{i}"
        lock = suffixed_inline_names(suffixed_lock(text, suffix), suffix)
        lock = lock.replace(f'name = "{own}{suffix}"', f'name = "{new_name}"')
        target = folder / f"p{i:03d}-{source.name}"
        target.mkdir(parents=True, exist_ok=True)
        (target / "uv.lock").write_text(lock)
        document = suffixed_pyproject(pyproject, suffix, new_name)
        (target / "pyproject.toml").write_text(rtoml.dumps(document))
    return projects, len(distinct)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--names", type=int, default=NAMES)
    args = parser.parse_args()
    projects, names = build(args.folder, args.projects, args.names)
    print(f"{projects} projects, {names} distinct package names in {args.folder}")


if __name__ == "__main__":
    main()
