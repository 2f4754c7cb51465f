"""What a project's uv.lock says beyond versions: where each package comes from, and
the requirements it recorded for a project whose dependencies are dynamic."""

from __future__ import annotations

import re
from pathlib import Path

from backend.parsers.records import Declaration, LockedPackage

_EXTRA_MARKER = re.compile(r"""^extra\s*==\s*['"]([^'"]+)['"]$""")


def recorded_declarations(
    node: LockedPackage | None,
    declared: list[Declaration],
    local_names: set[str],
    lock_path: Path,
) -> list[Declaration]:
    """A project whose dependencies its build backend fills in declares nothing in
    pyproject.toml; uv.lock recorded what it declared, so that stands in."""
    if node is None:
        return []
    known = {d.name for d in declared}
    out = []
    for name, specifier, marker in node.requires:
        if name in known or name in local_names:
            continue
        extra = _EXTRA_MARKER.match(marker or "")
        group = f"extra:{extra.group(1)}" if extra else "main"
        markers = None if extra else marker
        out.append(Declaration(name, specifier, group, str(lock_path), markers=markers))
    return out


def sources_of(packages: list[LockedPackage], names: set[str]) -> dict[str, str]:
    """Where the lock takes each package from; a registry wins over other sources."""
    out: dict[str, str] = {}
    for package in packages:
        if package.name in names and not out.get(package.name, "").startswith("registry:"):
            out[package.name] = package.source
    return out
