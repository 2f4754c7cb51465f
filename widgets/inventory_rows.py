"""Pure functions from an inventory to table rows: columns, filtering and sort keys.

Kept apart from the widget so they are tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from packaging.version import InvalidVersion, Version

from backend.inventory.model import SEVERITIES, Inventory, PackageRow, Usage

FLAG_ORDER = (
    "vulnerable", "quarantined", "yanked", "policy", "conflict", "missing", "env-drift", "drift",
    "archived", "deprecated", "outdated", "extraneous",
)  # fmt: skip


class View(Enum):
    """The two ways to read the inventory."""

    PACKAGES = "by package"
    PROJECTS = "by project"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    numeric: bool = False


COLUMNS: dict[View, tuple[Column, ...]] = {
    View.PACKAGES: (
        Column("name", "Package"),
        Column("versions", "Versions"),
        Column("flags", "Flags"),
        Column("projects", "Projects", numeric=True),
        Column("declared", "Declared"),
        Column("installed", "Installed"),
        Column("latest", "Latest"),
    ),
    View.PROJECTS: (
        Column("project", "Project"),
        Column("name", "Package"),
        Column("flags", "Flags"),
        Column("declared", "Declared"),
        Column("locked", "Locked"),
        Column("installed", "Installed"),
        Column("direct", "Direct"),
        Column("latest", "Latest"),
        Column("allowed", "Allowed"),
    ),
}


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row: its key, its cell values as plain strings, and what a filter looks at."""

    key: str
    package: str
    cells: dict[str, str]
    flags: frozenset[str]
    projects: tuple[str, ...]
    severity: str | None = None
    """The worst severity of its findings, when vulnerable."""


def rows_for(inventory: Inventory, view: View) -> list[TableRow]:
    """All rows of the inventory in the given view, unfiltered."""
    if view is View.PACKAGES:
        return [_package_row(row) for row in inventory.packages.values()]
    return [_usage_row(row, usage) for row in inventory.packages.values() for usage in row.usages]


def _package_row(row: PackageRow) -> TableRow:
    declared = sorted({s for u in row.usages for s in u.declared if s})
    installed = sorted({u.installed for u in row.usages if u.installed})
    latest = _newest(u.latest for u in row.usages)
    return TableRow(
        key=row.name,
        package=row.name,
        cells={
            "name": row.name,
            "versions": " ".join(row.versions) or "-",
            "flags": format_flags(row.flags, row.severity),
            "projects": str(len(row.usages)),
            "declared": " | ".join(declared) or "-",
            "installed": " ".join(installed) or "-",
            "latest": latest or "-",
        },
        flags=frozenset(row.flags),
        projects=tuple(row.projects),
        severity=row.severity,
    )


def _usage_row(row: PackageRow, usage: Usage) -> TableRow:
    return TableRow(
        key=f"{usage.project}\x00{row.name}",
        package=row.name,
        cells={
            "project": usage.project,
            "name": row.name,
            "declared": " | ".join(s for s in usage.declared if s)
            or ("*" if usage.declarations else "-"),
            "locked": " ".join(usage.locked) or "-",
            "installed": usage.installed or "-",
            "flags": format_flags(usage.flags, usage.severity),
            "direct": "direct" if usage.direct else "transitive",
            "latest": usage.latest or "-",
            "allowed": usage.latest_allowed or "-",
        },
        flags=frozenset(usage.flags),
        projects=(usage.project,),
        severity=usage.severity,
    )


def _newest(versions) -> str | None:  # type: ignore[no-untyped-def]
    found = [v for v in versions if v]
    try:
        return str(max(Version(v) for v in found)) if found else None
    except InvalidVersion:
        return found[0]


def format_flags(flags: set[str] | frozenset[str], severity: str | None = None) -> str:
    """Flags in order of severity, comma separated (any other after them); `vulnerable`
    carries its worst severity as a badge: `vulnerable(high)`."""
    known = [f for f in FLAG_ORDER if f in flags]
    shown = [*known, *sorted(set(flags) - set(FLAG_ORDER))]
    if severity and "vulnerable" in shown:
        shown[shown.index("vulnerable")] = f"vulnerable({severity})"
    return ",".join(shown) or "-"


def at_least(severity: str | None, wanted: str) -> bool:
    """`severity:high` selects high and critical; an unknown word selects nothing."""
    if severity is None or wanted not in SEVERITIES:
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(wanted)


def matches(row: TableRow, query: str) -> bool:
    """Every word of the query must match: a name or project substring, or a flag.

    `flag:X`, `project:X` and `name:X` restrict a word to one field; `severity:X`
    selects vulnerable rows at that severity or worse.
    """
    for word in query.lower().split():
        field, _, value = word.partition(":") if ":" in word else ("", "", word)
        if field == "flag":
            hit = any(value in f for f in row.flags)
        elif field == "severity":
            hit = at_least(row.severity, value)
        elif field == "project":
            hit = any(value in p.lower() for p in row.projects)
        elif field == "name":
            hit = value in row.package
        else:
            hit = (
                value in row.package
                or any(value in p.lower() for p in row.projects)
                or value in row.flags
            )
        if not hit:
            return False
    return True


def cell_sort_value(text: str, column: Column) -> tuple[int, object]:
    """A key that sorts a cell's text: counts as numbers, versions as versions."""
    if column.numeric:
        return (0, int(text)) if text.isdigit() else (1, 0)
    if column.key in ("versions", "locked", "installed"):
        try:
            return (0, Version(text.split(" ", 1)[0]))
        except InvalidVersion:
            return (1, text)
    return (0, text.lower())
