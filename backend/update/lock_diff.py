"""What a change does to a lock: packages added, removed and changed, transitive ones
included. Compared by name over non-local packages; a name locked at several versions
(forked resolutions) compares as its sorted version list."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from backend.parsers.records import ParseFailure
from backend.parsers.uv_lock import parse_uv_lock


@dataclass(slots=True)
class LockDiff:
    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What else uv rewrote: the lock's format or revision, markers of other entries."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.notes)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": [{"name": n, "version": v} for n, v in sorted(self.added.items())],
            "removed": [{"name": n, "version": v} for n, v in sorted(self.removed.items())],
            "changed": [
                {"name": n, "from": old, "to": new}
                for n, (old, new) in sorted(self.changed.items())
            ],
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        """`+ name version`, `- name version`, `~ name old -> new`, sorted by name."""
        rows = [(n, f"+ {n} {v}") for n, v in self.added.items()]
        rows += [(n, f"- {n} {v}") for n, v in self.removed.items()]
        rows += [(n, f"~ {n} {old} -> {new}") for n, (old, new) in self.changed.items()]
        return [text for _, text in sorted(rows)] + [f"! {note}" for note in self.notes]


def diff_versions(before: dict[str, str], after: dict[str, str]) -> LockDiff:
    diff = LockDiff()
    for name in before.keys() | after.keys():
        old, new = before.get(name), after.get(name)
        if old is None and new is not None:
            diff.added[name] = new
        elif new is None and old is not None:
            diff.removed[name] = old
        elif old != new and old is not None and new is not None:
            diff.changed[name] = (old, new)
    return diff


def lock_rewrites(before: str, after: str) -> list[str]:
    """What an update's resolution rewrote in uv.lock beyond versions: the lock's
    `version` or `revision` (uv writes its own), and how many entries kept their
    version but got other markers."""
    import rtoml

    try:
        old, new = rtoml.loads(before), rtoml.loads(after)
    except Exception:  # rtoml raises its own error; a lock that does not parse says so later
        return []
    notes = [
        f"uv.lock {key} {old.get(key)} -> {new.get(key)}"
        for key in ("version", "revision")
        if old.get(key) != new.get(key)
    ]
    before_markers, after_markers = _markers_by_entry(old), _markers_by_entry(new)
    rewritten = sum(
        1 for key in before_markers.keys() & after_markers.keys()
        if before_markers[key] != after_markers[key]
    )  # fmt: skip
    if rewritten:
        notes.append(f"markers rewritten in {rewritten} entries")
    return notes


def _markers_by_entry(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    out = {}
    for entry in document.get("package", []):
        edges = [(d.get("name"), d.get("marker")) for d in entry.get("dependencies", [])]
        for table in ("optional-dependencies", "dev-dependencies"):
            for extra, deps in sorted(entry.get(table, {}).items()):
                edges += [(f"{extra}:{d.get('name')}", d.get("marker")) for d in deps]
        key = (str(entry.get("name")), str(entry.get("version")))
        out[key] = repr((entry.get("resolution-markers"), sorted(edges, key=repr)))
    return out


def uv_lock_versions(path: Path) -> dict[str, str]:
    """Name to version(s) of every registry/URL package in a uv.lock; raises
    `ParseFailure` when the lock cannot be read."""
    lock = parse_uv_lock(path)
    found: dict[str, list[str]] = {}
    for package in lock.packages:
        if package.local:
            continue
        found.setdefault(package.name, []).append(package.version or "?")
    return {name: ", ".join(sorted(set(versions))) for name, versions in found.items()}


def pinned_versions(text: str) -> dict[str, str]:
    """`name==version` lines of a compiled requirements file (`uv pip compile` output)."""
    found = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip().rstrip("\\").strip()
        if "==" not in line or line.startswith("-"):
            continue
        name, _, rest = line.partition("==")
        name = name.split("[", 1)[0].strip()
        version = rest.split(";", 1)[0].split()[0] if rest.split() else ""
        if name and version:
            found[canonicalize_name(name)] = version
    return found


__all__ = [
    "LockDiff",
    "ParseFailure",
    "diff_versions",
    "lock_rewrites",
    "pinned_versions",
    "uv_lock_versions",
]
