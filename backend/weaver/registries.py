"""Where registries are: devkit's own (in `assets/semconv`), the folders of a project
that hold a registry manifest, and a stamp of their files that changes when any does.
Nothing here reads YAML, so asking costs no parse."""

from __future__ import annotations

from pathlib import Path

OWN_REGISTRY = Path(__file__).resolve().parents[2] / "assets" / "semconv"
MANIFEST_NAMES = ("registry_manifest.yaml", "manifest.yaml")


def find_registries(project: Path) -> list[Path]:
    """Registry folders in a project: a folder holding a registry manifest."""
    found = []
    for name in MANIFEST_NAMES:
        for manifest in sorted(project.rglob(name)):
            if ".venv" not in manifest.parts and "node_modules" not in manifest.parts:
                found.append(manifest.parent)
    return sorted(set(found))


def registry_stamp(projects: dict[str, Path]) -> tuple[int, ...]:
    """Modification times of every registry file the dashboard checks: a re-check is
    due when this changes."""
    folders = [OWN_REGISTRY, *(r for p in projects.values() for r in find_registries(p))]
    return tuple(
        sorted(
            f.stat().st_mtime_ns
            for folder in folders
            for f in folder.rglob("*.y*ml")
            if f.is_file()
        )
    )
