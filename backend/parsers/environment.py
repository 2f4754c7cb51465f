"""Scan an installed environment's site-packages: one `InstalledDist` per `*.dist-info`.

METADATA is read with a small header reader instead of `email.parser`, which is
several times slower; only the header block matters here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from backend.parsers.licenses import License, license_from
from backend.parsers.records import Environment, FileError, InstalledDist

ENV_FOLDER_NAMES = (".venv", "venv")
_WANTED = {
    "name", "version", "summary", "license", "license-expression", "requires-dist", "classifier",
}  # fmt: skip


def find_environment(project: Path, configured: Path | None = None) -> Path | None:
    """The project's environment folder: a configured path, else `.venv`, else `venv`."""
    candidates = [configured] if configured else [project / n for n in ENV_FOLDER_NAMES]
    for folder in candidates:
        if folder and (folder / "pyvenv.cfg").is_file():
            return folder
    return None


def site_packages_of(env: Path) -> Path | None:
    """`lib/pythonX.Y/site-packages` on POSIX, `Lib/site-packages` on Windows."""
    lib = env / "lib"
    if lib.is_dir():
        for entry in sorted(lib.iterdir()):
            if entry.name.startswith(("python", "pypy")) and (entry / "site-packages").is_dir():
                return entry / "site-packages"
    windows = env / "Lib" / "site-packages"
    return windows if windows.is_dir() else None


def python_version_of(env: Path) -> str | None:
    """The interpreter version recorded in pyvenv.cfg (`version_info` or `version`)."""
    try:
        text = (env / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values.get("version_info") or values.get("version")


def scan_environment(env: Path, with_sizes: bool = True) -> Environment:
    """Read every distribution of `env`; a bad dist-info becomes an error entry."""
    site = site_packages_of(env)
    result = Environment(path=env, python_version=python_version_of(env), site_packages=site)
    if site is None:
        result.errors.append(FileError(str(env), None, "no site-packages folder in environment"))
        return result
    try:
        entries = os.scandir(site)
    except OSError as exc:
        result.errors.append(FileError(str(site), None, f"cannot list: {exc.strerror}"))
        return result
    with entries:
        for entry in entries:
            if entry.name.endswith(".dist-info") and entry.is_dir():
                dist = read_dist_info(Path(entry.path), result.errors, with_sizes)
                if dist is not None:
                    result.dists[dist.name] = dist
    return result


def read_dist_info(
    folder: Path, errors: list[FileError], with_sizes: bool = True
) -> InstalledDist | None:
    """One dist-info folder to an `InstalledDist`, or None (with an error) if unusable."""
    metadata = folder / "METADATA"
    try:
        raw = metadata.read_bytes()
    except OSError as exc:
        errors.append(FileError(str(metadata), None, f"cannot read: {exc.strerror}"))
        return None
    headers = metadata_headers(raw.decode("utf-8", errors="replace"))
    name = (headers.get("name") or [""])[0]
    version = (headers.get("version") or [""])[0]
    if not name or not version:
        missing = "Name" if not name else "Version"
        errors.append(FileError(str(metadata), None, f"METADATA has no {missing} field"))
        return None
    try:
        Version(version)
    except InvalidVersion:
        errors.append(
            FileError(
                str(metadata), _line_of_header(raw, b"Version:"), f"invalid version {version!r}"
            )
        )
    summary = (headers.get("summary") or [""])[0]
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in summary):
        errors.append(
            FileError(
                str(metadata),
                _line_of_header(raw, b"Summary:"),
                "Summary holds control characters (shown escaped)",
            )
        )
    return InstalledDist(
        name=canonicalize_name(name),
        version=version,
        path=str(folder),
        requires_dist=tuple(headers.get("requires-dist", ())),
        summary=summary,
        license=license_of(headers),
        size=_record_size(folder / "RECORD") if with_sizes else None,
        installer=_first_line(folder / "INSTALLER"),
        editable=_is_editable(folder / "direct_url.json"),
    )


def license_of(headers: dict[str, list[str]]) -> License:
    """The licence that core metadata headers (as `metadata_headers` reads them) name."""
    return license_from(
        (headers.get("license-expression") or [""])[0],
        (headers.get("license") or [""])[0],
        headers.get("classifier", ()),
    )


def metadata_headers(text: str) -> dict[str, list[str]]:
    """RFC 822 style headers up to the first blank line, with folded lines joined."""
    out: dict[str, list[str]] = {}
    key: str | None = None
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            if key in out:
                out[key][-1] += "\n" + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            key = None
            continue
        key = name.strip().lower()
        if key in _WANTED:
            out.setdefault(key, []).append(value.strip())
        else:
            key = None
    return out


def _line_of_header(raw: bytes, header: bytes) -> int | None:
    at = raw.find(header)
    return None if at < 0 else raw.count(b"\n", 0, at) + 1


def _record_size(record: Path) -> int | None:
    """Sum of the size column of RECORD: the bytes the distribution put on disk."""
    try:
        data = record.read_bytes()
    except OSError:
        return None
    total = 0
    for line in data.split(b"\n"):
        size = line.rpartition(b",")[2]
        if size.isdigit():
            total += int(size)
    return total


def _first_line(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[0]
    except (OSError, IndexError):
        return ""


def _is_editable(direct_url: Path) -> bool:
    try:
        data = json.loads(direct_url.read_bytes())
    except (OSError, ValueError):
        return False
    return bool(isinstance(data, dict) and data.get("dir_info", {}).get("editable"))
