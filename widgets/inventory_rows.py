"""Pure functions from an inventory to table rows: columns, filtering and sort keys.

Kept apart from the widget so they are tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    project_text: str = field(init=False, compare=False, repr=False)
    """Its projects, lowercased, one per line: a filter word is looked for in one
    string, not in each project lowercased again at every keystroke."""
    text: str = field(init=False, compare=False, repr=False)
    """The package name and `project_text`: what a word with no field looks in."""

    def __post_init__(self) -> None:
        projects = "\n".join(self.projects).lower()
        object.__setattr__(self, "project_text", projects)
        object.__setattr__(self, "text", f"{self.package}\n{projects}")


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
    return row_filter(query)(row)


RowTest = Callable[[TableRow], bool]


def row_filter(query: str) -> RowTest:
    """`matches` for one query, its words read once: a keystroke tests 10,000 rows."""
    tests = [_word_test(word) for word in query.lower().split()]
    if len(tests) == 1:
        return tests[0]
    return lambda row: all(test(row) for test in tests)


def _word_test(word: str) -> RowTest:
    field_name, _, value = word.partition(":") if ":" in word else ("", "", word)
    if field_name == "flag":
        return lambda row: any(value in f for f in row.flags)
    if field_name == "severity":
        return lambda row: at_least(row.severity, value)
    if field_name == "project":
        return lambda row: value in row.project_text
    if field_name == "name":
        return lambda row: value in row.package
    # A word never holds a newline, so it cannot match across two of `text`'s parts.
    return lambda row: value in row.text or value in row.flags


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
