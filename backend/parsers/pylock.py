"""Parse pylock.toml (PEP 751, lock-version 1.x)."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from backend.parsers.records import FileError, Lock, LockEdge, LockedPackage, ParseFailure
from backend.parsers.toml_file import line_of, load_toml
from backend.parsers.uv_lock import invalid_versions


def parse_pylock(path: Path) -> Lock:
    """Read `[[packages]]`; PEP 751 says a reader must refuse a major version it does not know."""
    data, text = load_toml(path)
    raw_version = str(data.get("lock-version", ""))
    try:
        major = Version(raw_version).major
    except InvalidVersion:
        major = None
    if major != 1:
        raise ParseFailure(
            FileError(
                str(path),
                line_of(text, "lock-version"),
                f"pylock lock-version {raw_version!r} is not supported (devkit-tui reads 1.x)",
            )
        )
    packages: list[LockedPackage] = []
    for entry in data.get("packages", []):
        if not isinstance(entry, dict):
            continue
        local = "directory" in entry
        packages.append(
            LockedPackage(
                name=canonicalize_name(str(entry.get("name", ""))),
                version=entry.get("version"),
                source="directory" if local else ("vcs" if "vcs" in entry else "registry"),
                local=local,
                source_path=entry["directory"].get("path") if local else None,
                markers=entry.get("marker"),
                dependencies=[
                    LockEdge(canonicalize_name(str(d.get("name", ""))), d.get("version"))
                    for d in entry.get("dependencies", [])
                    if isinstance(d, dict) and d.get("name")
                ],
            )
        )
    return Lock(
        path=path,
        format="pylock.toml",
        packages=packages,
        requires_python=data.get("requires-python"),
        errors=invalid_versions(packages, path, text),
    )
