"""A manifest seen as a one-project inventory, so the policy bundle judges it like
any project: its label (`[tool.devkit-tui] name`, else the file name) is the
project, and the environment name scoped rules look for."""

from __future__ import annotations

from pathlib import Path

from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage
from backend.manifest.read import read_manifest


def manifest_label(path: Path) -> str:
    """`prod` for a pylock.toml labelled prod, else `pylock.prod.toml`'s `prod`, else
    the file name."""
    if path.is_file() and path.suffix == ".toml":
        from backend.parsers.records import ParseFailure
        from backend.parsers.toml_file import load_toml

        try:
            data, _ = load_toml(path)
        except ParseFailure:
            data = {}
        name = data.get("tool", {}).get("devkit-tui", {}).get("name")
        if isinstance(name, str) and name:
            return name
        parts = path.name.split(".")
        if len(parts) == 3 and parts[0] == "pylock":
            return parts[1]
    return path.name


def manifest_inventory(path: Path) -> Inventory:
    """Raises `ManifestError` for a path that is no manifest."""
    manifest = read_manifest(path)
    label = manifest_label(path)
    packages = {}
    for name in manifest.entries:
        versions = sorted({e.version for e in manifest.entries[name] if e.version})
        usage = Usage(project=label, declarations=[], locked=versions, installed=None,
                      direct=False, resolution=str(path))  # fmt: skip
        packages[name] = PackageRow(name, [usage], set())
    info = ProjectInfo(path=path, name=label, kind=f"manifest:{manifest.kind}",
                       manifests=[path], environment=None, errors=[],
                       package_count=len(packages))  # fmt: skip
    return Inventory(roots=[path.parent], projects=[info], packages=packages)
