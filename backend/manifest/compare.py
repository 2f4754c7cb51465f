"""Two manifests compared (what was added, removed, changed, and how big each change
is), and an environment checked against a manifest: exactly what it says, for this
environment's markers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.markers import Marker
from packaging.version import InvalidVersion, Version

from backend.graph.markers import marker_environment
from backend.manifest.read import Manifest


@dataclass(slots=True)
class ManifestDiff:
    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """name -> (from, to, kind)."""
    same: int = 0

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": [{"name": n, "version": v} for n, v in sorted(self.added.items())],
            "removed": [{"name": n, "version": v} for n, v in sorted(self.removed.items())],
            "changed": [
                {"name": n, "from": old, "to": new, "kind": kind}
                for n, (old, new, kind) in sorted(self.changed.items())
            ],
            "same": self.same,
        }


def diff_manifests(a: Manifest, b: Manifest) -> ManifestDiff:
    """From `a` to `b`, by package name over every version each one holds."""
    diff = ManifestDiff()
    for name in sorted(a.entries.keys() | b.entries.keys()):
        old, new = a.versions(name), b.versions(name)
        if name not in a.entries:
            diff.added[name] = new
        elif name not in b.entries:
            diff.removed[name] = old
        elif old != new:
            diff.changed[name] = (old, new, change_kind(old, new))
        else:
            diff.same += 1
    return diff


def change_kind(old: str, new: str) -> str:
    """`major`, `minor` or `patch`: the first release segment that differs; `other`
    for anything else (a pre-release, a local version, several versions)."""
    try:
        before, after = Version(old), Version(new)
    except InvalidVersion:
        return "other"
    for kind, index in (("major", 0), ("minor", 1), ("patch", 2)):
        if _segment(before, index) != _segment(after, index):
            return kind
    return "other"


def _segment(version: Version, index: int) -> int:
    return version.release[index] if index < len(version.release) else 0


@dataclass(slots=True)
class Verification:
    missing: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    mismatched: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name -> (wanted, installed)."""
    not_here: list[str] = field(default_factory=list)
    """Entries whose markers leave them out of this environment."""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.mismatched)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "missing": [{"name": n, "version": v} for n, v in sorted(self.missing.items())],
            "extra": [{"name": n, "version": v} for n, v in sorted(self.extra.items())],
            "mismatched": [
                {"name": n, "wanted": wanted, "installed": installed}
                for n, (wanted, installed) in sorted(self.mismatched.items())
            ],
            "not_for_this_environment": sorted(self.not_here),
        }


def verify_environment(environment: Manifest, manifest: Manifest) -> Verification:
    """Is `environment` exactly `manifest`? Entries whose marker is false for the
    environment's interpreter and this platform are not expected; a name the manifest
    gives no version (a VCS source) only has to be there."""
    markers: dict[str, Any] = dict(marker_environment(environment.python_version))
    markers |= {"extras": frozenset(), "dependency_groups": frozenset(manifest.default_groups)}
    result = Verification()
    installed = {name: entries[0].version or "" for name, entries in environment.entries.items()}
    for name, entries in sorted(manifest.entries.items()):
        here = [e for e in entries if _applies(e.marker, markers)]
        if not here:
            result.not_here.append(name)
            continue
        wanted = {e.version for e in here}
        have = installed.get(name)
        if have is None:
            result.missing[name] = ", ".join(sorted(v or "?" for v in wanted))
        elif None not in wanted and not any(_same(have, v) for v in wanted if v):
            result.mismatched[name] = (", ".join(sorted(v for v in wanted if v)), have)
    expected = set(manifest.entries) | manifest.local
    for name, version in sorted(installed.items()):
        if name not in expected:
            result.extra[name] = version
    return result


def _applies(marker: str | None, environment: dict[str, Any]) -> bool:
    if not marker:
        return True
    try:
        return Marker(marker).evaluate(environment, context="lock_file")
    except Exception:
        return True  # a marker this cannot judge: expect the package


def _same(installed: str, wanted: str) -> bool:
    try:
        return Version(installed) == Version(wanted)
    except InvalidVersion:
        return installed == wanted
