"""The dashboard's policy marks: the bundle at a root (or the one given) checked after
each scan, re-read when one of its files changed, and the `policy` flag set on each
usage that breaks a rule (cleared where none is left)."""

from __future__ import annotations

from pathlib import Path

from backend.inventory.model import Inventory
from backend.policy.bundle import LoadedBundle, find_bundle, load_bundle
from backend.policy.check import Violation, violations


class PolicyWatch:
    def __init__(self, roots: list[Path], explicit: Path | None = None) -> None:
        self.roots = roots
        self.explicit = explicit
        self.bundle: LoadedBundle | None = None
        self._stamps: dict[Path, int] = {}

    def check(self, inventory: Inventory) -> list[Violation]:
        """Violations of the current bundle (none without one); a bundle that cannot be
        read raises `BundleError`, and is read again on the next check."""
        bundle = self.current()
        return violations(bundle, inventory) if bundle is not None else []

    def current(self) -> LoadedBundle | None:
        """The bundle as its files are now (read again when one changed)."""
        path = find_bundle(self.roots, self.explicit)
        if path is None:
            self.bundle = None
            return None
        if self.bundle is None or self.bundle.path != path or self._changed():
            self.bundle = None
            self.bundle = load_bundle(path)
            self._stamps = {p: _stamp(p) for p, _ in self.bundle.bundles}
        return self.bundle

    def _changed(self) -> bool:
        return any(_stamp(p) != stamp for p, stamp in self._stamps.items())


def _stamp(path: Path) -> int:
    try:
        status = path.stat()
    except OSError:
        return -1
    return status.st_mtime_ns ^ status.st_size


def mark_policy(inventory: Inventory, found: list[Violation]) -> None:
    """The `policy` flag on every usage (and row) a violation is about."""
    broken = {(v.package, v.project) for v in found}
    for name, row in inventory.packages.items():
        row.flags.discard("policy")
        for usage in row.usages:
            usage.flags.discard("policy")
            if (name, usage.project) in broken:
                usage.flags.add("policy")
                row.flags.add("policy")
