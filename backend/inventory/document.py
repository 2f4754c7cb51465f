"""The `devkit.inventory/1` JSON document printed by `devkit-tui list --json`.

Field names here are a contract with scripts: add fields, never rename or drop.
The TypedDicts document the shape; building plain dicts keeps `list` fast.
"""

from __future__ import annotations

from typing import TypedDict

from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage

INVENTORY_SCHEMA = "devkit.inventory/1"


class ErrorEntry(TypedDict):
    file: str
    line: int | None
    message: str


class ProjectEntry(TypedDict):
    path: str
    name: str
    kind: str
    manifests: list[str]
    environment: str | None
    errors: list[ErrorEntry]
    workspace: str | None
    package_count: int


class DeclarationEntry(TypedDict):
    specifier: str
    group: str
    markers: str | None
    extras: list[str]
    file: str
    line: int | None


class UsageEntry(TypedDict):
    project: str
    declared: list[str]
    groups: list[str]
    locked: str | None
    """The newest locked version; `locked_versions` has all of a forked lock's."""
    locked_versions: list[str]
    installed: str | None
    direct: bool
    flags: list[str]
    declarations: list[DeclarationEntry]


class PackageEntry(TypedDict):
    name: str
    versions: list[str]
    flags: list[str]
    usages: list[UsageEntry]
    summary: str | None


class InventoryDocument(TypedDict):
    schema: str
    roots: list[str]
    projects: list[ProjectEntry]
    packages: list[PackageEntry]
    errors: int


def inventory_document(inventory: Inventory) -> InventoryDocument:
    """Convert the in-memory inventory to its JSON contract."""
    return {
        "schema": INVENTORY_SCHEMA,
        "roots": [str(r) for r in inventory.roots],
        "projects": [_project(p) for p in inventory.projects],
        "packages": [_package(row) for row in inventory.packages.values()],
        "errors": inventory.error_count,
    }


def inventory_json(inventory: Inventory) -> str:
    from backend.collector import collector_paused
    from backend.json_text import pretty

    with collector_paused():  # 40,000 small dicts at 10,000 packages, none of them garbage
        return pretty(inventory_document(inventory))


def _project(project: ProjectInfo) -> ProjectEntry:
    return {
        "path": str(project.path),
        "name": project.name,
        "kind": project.kind,
        "manifests": [m.name for m in project.manifests],
        "environment": str(project.environment) if project.environment else None,
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in project.errors],
        "workspace": str(project.workspace) if project.workspace else None,
        "package_count": project.package_count,
    }


def _package(row: PackageRow) -> PackageEntry:
    return {
        "name": row.name,
        "versions": row.versions,
        "flags": sorted(row.flags),
        "usages": [_usage(u) for u in row.usages],
        "summary": row.metadata.summary if row.metadata else None,
    }


def _usage(usage: Usage) -> UsageEntry:
    return {
        "project": usage.project,
        "declared": usage.declared,
        "groups": usage.groups,
        "locked": usage.locked[-1] if usage.locked else None,
        "locked_versions": usage.locked,
        "installed": usage.installed,
        "direct": usage.direct,
        "flags": sorted(usage.flags),
        "declarations": [
            {
                "specifier": d.specifier,
                "group": d.group,
                "markers": d.markers,
                "extras": list(d.extras),
                "file": d.file,
                "line": d.line,
            }
            for d in usage.declarations
        ],
    }
