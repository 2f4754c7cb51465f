"""Parse poetry.lock: packages and their versions (and their declared dependencies)."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from backend.parsers.records import Lock, LockEdge, LockedPackage
from backend.parsers.toml_file import load_toml


def parse_poetry_lock(path: Path) -> Lock:
    """Read `[[package]]` entries; Poetry's constraint syntax is kept as text on edges."""
    data, _ = load_toml(path)
    packages: list[LockedPackage] = []
    for entry in data.get("package", []):
        if not isinstance(entry, dict):
            continue
        source = entry.get("source", {})
        kind = source.get("type", "registry") if isinstance(source, dict) else "registry"
        local = kind in ("directory", "file")
        packages.append(
            LockedPackage(
                name=canonicalize_name(str(entry.get("name", ""))),
                version=entry.get("version"),
                source=kind,
                local=local,
                source_path=source.get("url") if local else None,
                dependencies=[
                    LockEdge(canonicalize_name(name)) for name in entry.get("dependencies", {})
                ],
            )
        )
    return Lock(path=path, format="poetry.lock", packages=packages)
