"""The `devkit.inventory/1` JSON document printed by `devkit-tui list --json`.

Field names here are a contract with scripts: add fields, never rename or drop.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.inventory import Inventory

INVENTORY_SCHEMA = "devkit.inventory/1"


class ErrorEntry(BaseModel):
    file: str
    line: int | None
    message: str


class ProjectEntry(BaseModel):
    path: str
    name: str
    kind: str
    manifests: list[str]
    environment: str | None
    errors: list[ErrorEntry]
    workspace: str | None
    package_count: int


class DeclarationEntry(BaseModel):
    specifier: str
    group: str
    markers: str | None
    extras: list[str]
    file: str
    line: int | None


class UsageEntry(BaseModel):
    project: str
    declared: list[str]
    groups: list[str]
    locked: str | None
    """The locked version; `locked_versions` lists all when a forked lock holds several."""
    locked_versions: list[str]
    installed: str | None
    direct: bool
    flags: list[str]
    declarations: list[DeclarationEntry]


class PackageEntry(BaseModel):
    name: str
    versions: list[str]
    flags: list[str]
    usages: list[UsageEntry]
    summary: str | None


class InventoryDocument(BaseModel):
    schema_: str = Field(default=INVENTORY_SCHEMA, serialization_alias="schema")
    roots: list[str]
    projects: list[ProjectEntry]
    packages: list[PackageEntry]
    errors: int

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)


def inventory_document(inventory: Inventory) -> InventoryDocument:
    """Convert the in-memory inventory to its JSON contract."""
    return InventoryDocument(
        roots=[str(r) for r in inventory.roots],
        projects=[
            ProjectEntry(
                path=str(p.path),
                name=p.name,
                kind=p.kind,
                manifests=[m.name for m in p.manifests],
                environment=str(p.environment) if p.environment else None,
                errors=[ErrorEntry(file=e.file, line=e.line, message=e.message) for e in p.errors],
                workspace=str(p.workspace) if p.workspace else None,
                package_count=p.package_count,
            )
            for p in inventory.projects
        ],
        packages=[
            PackageEntry(
                name=row.name,
                versions=row.versions,
                flags=sorted(row.flags),
                summary=row.metadata.summary if row.metadata else None,
                usages=[
                    UsageEntry(
                        project=u.project,
                        declared=u.declared,
                        groups=u.groups,
                        locked=u.locked[-1] if u.locked else None,
                        locked_versions=u.locked,
                        installed=u.installed,
                        direct=u.direct,
                        flags=sorted(u.flags),
                        declarations=[
                            DeclarationEntry(
                                specifier=d.specifier,
                                group=d.group,
                                markers=d.markers,
                                extras=list(d.extras),
                                file=d.file,
                                line=d.line,
                            )
                            for d in u.declarations
                        ],
                    )
                    for u in row.usages
                ],
            )
            for row in inventory.packages.values()
        ],
        errors=inventory.error_count,
    )
