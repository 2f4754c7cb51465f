"""Parse uv.lock (lock format version 1, revisions 1 to 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from backend.parsers.records import FileError, Lock, LockEdge, LockedPackage, ParseFailure
from backend.parsers.toml_file import line_of, load_toml

SUPPORTED_VERSIONS = {1}
_LOCAL_SOURCES = ("editable", "virtual", "directory", "path")


def parse_uv_lock(path: Path) -> Lock:
    """Read every `[[package]]` with its edges; refuse a lock version we do not know."""
    data, text = load_toml(path)
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise ParseFailure(
            FileError(
                str(path),
                line_of(text, "version"),
                f"uv.lock format version {version!r} is not supported "
                f"(devkit-tui reads version {', '.join(map(str, sorted(SUPPORTED_VERSIONS)))});"
                " upgrade devkit-tui",
            )
        )
    packages = [_package(entry) for entry in data.get("package", []) if isinstance(entry, dict)]
    manifest = data.get("manifest", {})
    members = [canonicalize_name(m) for m in manifest.get("members", [])]
    root_groups = {
        canonicalize_name(group): [_edge(e) for e in edges if isinstance(e, dict)]
        for group, edges in manifest.get("dependency-groups", {}).items()
    }
    return Lock(
        path=path,
        format="uv.lock",
        packages=packages,
        members=members,
        root_groups=root_groups,
        requires_python=data.get("requires-python"),
        errors=invalid_versions(packages, path, text),
    )


def invalid_versions(packages: list[LockedPackage], path: Path, text: str) -> list[FileError]:
    """An entry whose version is not PEP 440 is reported (and kept, as text)."""
    errors = []
    for package in packages:
        if package.version is None:
            continue
        try:
            Version(package.version)
        except InvalidVersion:
            errors.append(
                FileError(
                    str(path),
                    line_of(text, f'version = "{package.version}"'),
                    f"{package.name}: invalid version {package.version!r}",
                )
            )
    return errors


def _package(entry: dict[str, Any]) -> LockedPackage:
    source = entry.get("source", {})
    kind, where = next(iter(source.items()), ("unknown", ""))
    local = kind in _LOCAL_SOURCES
    recorded = _recorded(entry.get("metadata", {})) if local else {}
    return LockedPackage(
        name=canonicalize_name(str(entry.get("name", ""))),
        version=entry.get("version"),
        source=f"{kind}:{where}" if where else kind,
        local=local,
        source_path=str(where) if local else None,
        dependencies=[_edge(e) for e in entry.get("dependencies", [])],
        optional={
            canonicalize_name(extra): [_edge(e) for e in edges]
            for extra, edges in entry.get("optional-dependencies", {}).items()
        },
        dev={
            canonicalize_name(group): [_edge(e) for e in edges]
            for group, edges in entry.get("dev-dependencies", {}).items()
        },
        specifiers={k: v[0] or "" for k, v in recorded.items()},
        recorded=recorded,
        requires=[
            (
                canonicalize_name(str(r.get("name", ""))),
                str(r.get("specifier", "")),
                r.get("marker"),
            )
            for r in entry.get("metadata", {}).get("requires-dist", [])
            if not any(source in r for source in _DIRECT_SOURCES)
        ]
        if local
        else [],
    )


_DIRECT_SOURCES = ("url", "git", "path", "directory", "editable")


def _recorded(metadata: dict[str, Any]) -> dict[str, list[str | None]]:
    """Every requirement a local package declared, from `[package.metadata]`, by plain
    name (`requires-dist`) or `group:NAME` (`requires-dev`)."""
    out: dict[str, list[str | None]] = {}
    entries = [("", r) for r in metadata.get("requires-dist", [])] + [
        (f"{canonicalize_name(group)}:", r)
        for group, requirements in metadata.get("requires-dev", {}).items()
        for r in requirements
    ]
    for prefix, requirement in entries:
        key = prefix + canonicalize_name(str(requirement.get("name", "")))
        direct = any(source in requirement for source in _DIRECT_SOURCES)
        out.setdefault(key, []).append(None if direct else requirement.get("specifier", ""))
    return out


def _edge(entry: dict[str, Any]) -> LockEdge:
    return LockEdge(
        name=canonicalize_name(str(entry.get("name", ""))),
        version=entry.get("version"),
        markers=entry.get("marker"),
        extras=tuple(canonicalize_name(x) for x in entry.get("extra", ())),
    )
