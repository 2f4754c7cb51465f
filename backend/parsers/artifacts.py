"""The files a lock records for each release, with their hashes: uv.lock's `sdist` and
`wheels` (`hash = "sha256:..."`) and pylock.toml's (`hashes = {sha256 = ...}`), read
only when an SBOM asks (the inventory's lock parsers skip them: most reads do not need
them, and they are most of a lock's bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from backend.parsers.toml_file import load_toml


@dataclass(frozen=True, slots=True)
class Artifact:
    url: str
    hashes: dict[str, str]
    """Algorithm (`sha256`, ...) to hex digest."""
    kind: str
    """`sdist` or `wheel`."""


def lock_artifacts(path: Path) -> dict[tuple[str, str], list[Artifact]]:
    """(canonical name, version) to its recorded files; a lock without hashes gives
    empty lists. Raises what `load_toml` raises for a file that cannot be read."""
    data, _ = load_toml(path)
    pylock = path.name != "uv.lock"
    entries = data.get("packages" if pylock else "package", [])
    out: dict[tuple[str, str], list[Artifact]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or "name" not in entry:
            continue
        key = (canonicalize_name(str(entry["name"])), str(entry.get("version", "")))
        files = [("sdist", entry.get("sdist"))] + [("wheel", w) for w in entry.get("wheels", [])]
        found = out.setdefault(key, [])
        for kind, item in files:
            artifact = _artifact(kind, item, pylock)
            if artifact is not None:
                found.append(artifact)
    return out


def _artifact(kind: str, item: Any, pylock: bool) -> Artifact | None:
    if not isinstance(item, dict):
        return None
    if pylock:
        given = item.get("hashes")
        hashes = {str(k): str(v) for k, v in given.items()} if isinstance(given, dict) else {}
    else:
        algorithm, sep, digest = str(item.get("hash", "")).partition(":")
        hashes = {algorithm: digest} if sep else {}
    url = str(item.get("url") or item.get("path") or item.get("name") or "")
    return Artifact(url, hashes, kind) if url or hashes else None
