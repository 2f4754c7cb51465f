"""Any of the things an environment can be written down as, read into one shape: a
PEP 751 pylock.toml, a uv.lock, a pinned requirements file, an installed environment,
or a project folder (its lock, else its pins, else its `.venv`). The project's own
packages (directories, editable installs, workspace members) are set apart: they are
the code under work, not the environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backend.parsers.environment import find_environment, scan_environment, site_packages_of
from backend.parsers.pylock import parse_pylock
from backend.parsers.records import ParseFailure
from backend.parsers.requirements import parse_requirements
from backend.parsers.uv_lock import parse_uv_lock

KINDS = ("pylock", "uv.lock", "requirements", "environment")


class ManifestError(ValueError):
    """A path that is none of the kinds, or a file that cannot be read."""


@dataclass(frozen=True, slots=True)
class Entry:
    version: str | None
    marker: str | None = None


@dataclass(slots=True)
class Manifest:
    path: Path
    kind: str
    """One of `KINDS`."""
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    """By normalized name; several entries when a lock forks on markers."""
    local: set[str] = field(default_factory=set)
    """The project's own packages, left out of `entries`."""
    python_version: str | None = None
    """For an environment: its interpreter's version (for markers)."""
    default_groups: list[str] = field(default_factory=list)

    def versions(self, name: str) -> str:
        """Every version the manifest holds for `name`, sorted, as one string."""
        found = sorted({e.version or "?" for e in self.entries.get(name, [])})
        return ", ".join(found)

    def add(self, name: str, entry: Entry) -> None:
        self.entries.setdefault(name, [])
        if entry not in self.entries[name]:
            self.entries[name].append(entry)


def read_manifest(path: Path) -> Manifest:
    """Read `path` as whichever kind it is; `ManifestError` names it and says why."""
    path = path.expanduser()
    if not path.exists():
        raise ManifestError(f"{path}: no such file or folder")
    try:
        if path.is_dir():
            return _folder(path)
        if path.name == "uv.lock":
            return _lock(path, "uv.lock")
        if path.suffix == ".toml" and (path.name.startswith("pylock") or _has_lock_version(path)):
            return _lock(path, "pylock")
        if path.suffix in (".txt", ".in"):
            return _requirements(path)
    except ParseFailure as exc:
        line = f":{exc.error.line}" if exc.error.line else ""
        raise ManifestError(f"{exc.error.file}{line}: {exc.error.message}") from None
    raise ManifestError(f"{path}: not a manifest ({_WANTED})")


_WANTED = "a pylock.toml, uv.lock, requirements file, environment or project folder"


def _has_lock_version(path: Path) -> bool:
    """A PEP 751 file under another name (`prod-manifest.toml`)."""
    from backend.parsers.toml_file import load_toml

    data, _ = load_toml(path)
    return "lock-version" in data and "packages" in data


def read_environment(path: Path) -> Manifest:
    """An environment folder, or the environment of a project folder (`.venv`)."""
    path = path.expanduser()
    if path.is_dir() and ((path / "pyvenv.cfg").is_file() or site_packages_of(path)):
        return _environment(path)
    env = find_environment(path) if path.is_dir() else None
    if env is None:
        raise ManifestError(f"{path}: not an environment, nor a project folder with one")
    return _environment(env)


def _folder(folder: Path) -> Manifest:
    if (folder / "pyvenv.cfg").is_file() or site_packages_of(folder) is not None:
        return _environment(folder)
    for name in ("uv.lock", "pylock.toml"):
        if (folder / name).is_file():
            return read_manifest(folder / name)
    requirements = folder / "requirements.txt"
    if requirements.is_file():
        return _requirements(requirements)
    env = find_environment(folder)
    if env is not None:
        return _environment(env)
    raise ManifestError(f"{folder}: no lock, requirements.txt or environment ({_WANTED})")


def _lock(path: Path, kind: str) -> Manifest:
    lock = parse_uv_lock(path) if kind == "uv.lock" else parse_pylock(path)
    manifest = Manifest(path, kind)
    for package in lock.packages:
        if package.local:
            manifest.local.add(package.name)
        else:
            manifest.add(package.name, Entry(package.version, package.markers))
    if kind == "pylock":
        from backend.parsers.toml_file import load_toml

        data, _ = load_toml(path)
        groups = data.get("default-groups")
        manifest.default_groups = [str(g) for g in groups] if isinstance(groups, list) else []
    return manifest


def _requirements(path: Path) -> Manifest:
    parsed = parse_requirements(path)
    if parsed.errors:
        first = parsed.errors[0]
        raise ManifestError(f"{first.file}:{first.line or '?'}: {first.message}")
    manifest = Manifest(path, "requirements")
    for declaration in parsed.declarations:
        if declaration.url or declaration.editable:
            manifest.local.add(declaration.name)
            continue
        manifest.add(declaration.name, Entry(parsed.pins.get(declaration.name),
                                             declaration.markers))  # fmt: skip
    return manifest


def _environment(folder: Path) -> Manifest:
    env = scan_environment(folder, with_sizes=False)
    if env.site_packages is None:
        raise ManifestError(f"{folder}: an environment without site-packages")
    manifest = Manifest(folder, "environment", python_version=env.python_version)
    for name, dist in env.dists.items():
        if dist.editable:
            manifest.local.add(name)
        else:
            manifest.add(name, Entry(dist.version))
    return manifest
