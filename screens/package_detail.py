"""A package in detail: every project's usage of it, and its metadata as plain text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backend.inventory.build import resolutions_of
from backend.inventory.model import PackageRow
from backend.security.matching import PackageResult
from widgets.inventory_rows import format_flags
from widgets.navigable_table import NavigableTable
from widgets.safe_text import one_line, plain

if TYPE_CHECKING:
    from backend.policy.check import Violation  # the bundle's models load with a bundle


class PackageDetailScreen(ModalScreen[None]):
    """Opened with `enter` on an inventory row; `esc` closes."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="detail.close")]
    DEFAULT_CSS = """
    PackageDetailScreen { align: center middle; }
    PackageDetailScreen > Vertical {
        width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    PackageDetailScreen #detail-meta { height: auto; max-height: 18; margin-bottom: 1; }
    PackageDetailScreen DataTable { height: 1fr; }
    """

    def __init__(
        self,
        row: PackageRow,
        project: str | None = None,
        vulnerable: list[PackageResult] | None = None,
        violations: list[Violation] | None = None,
    ) -> None:
        super().__init__()
        self.row = row
        self.project = project
        self.vulnerable = vulnerable or []
        """Its vulnerable usages, each with its findings (from the last check)."""
        self.violations = violations or []
        """The policy bundle's rules it breaks, per project."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Package {self.row.name}"
            box.border_subtitle = "esc to close"
            yield Static(self._metadata(), id="detail-meta")
            yield NavigableTable(id="detail-usages", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in (
            "Project",
            "Declared",
            "Groups",
            "Locked",
            "Installed",
            "Direct",
            "Flags",
            "Where",
        ):
            table.add_column(label, key=label.lower())
        for usage in self.row.usages:
            where = ", ".join(
                f"{d.file}:{d.line}" if d.line else d.file for d in usage.declarations
            )
            table.add_row(
                plain(usage.project),
                plain(
                    " | ".join(s for s in usage.declared if s)
                    or ("*" if usage.declarations else "-")
                ),
                plain(", ".join(usage.groups) or "-"),
                plain(" ".join(usage.locked) or "-"),
                plain(usage.installed or "-"),
                plain("direct" if usage.direct else "transitive"),
                plain(format_flags(usage.flags, usage.severity)),
                plain(where or "-"),
                key=usage.project,
            )
        if self.project is not None:
            index = next((i for i, u in enumerate(self.row.usages) if u.project == self.project), 0)
            table.move_cursor(row=index)
        table.focus()

    def _metadata(self) -> Text:
        meta = self.row.metadata
        text = Text()
        text.append(self.row.name, style="bold")
        text.append(f"  {' '.join(self.row.versions) or 'no version known'}\n")
        text.append("Flags: ", style="bold")
        text.append(format_flags(self.row.flags, self.row.severity) + "\n")
        for result in self.vulnerable:
            text.append("Vulnerable ", style="bold red")
            text.append_text(plain(f"in {result.project} ({result.version})"))
            text.append(f": fix {result.fix}\n" if result.fix else ": no release fixes it all\n")
            for finding in result.findings:
                text.append(f"  {finding.severity:<8}", style="bold")
                score = f" {finding.score:.1f}" if finding.score is not None else ""
                text.append_text(plain(f"{', '.join(finding.ids)}{score}"))
                if finding.aliases:
                    text.append_text(plain(f" ({', '.join(finding.aliases)})", style="dim"))
                fixed = f" · fixed {finding.fixed}" if finding.fixed else ""
                text.append_text(plain(f"{fixed} · {finding.summary}\n"))
        for violation in self.violations:
            style = "bold red" if violation.severity == "error" else "bold yellow"
            text.append(f"Policy {violation.severity} ", style=style)
            text.append_text(one_line(f"{violation.rule} in {violation.project}: {violation.found}"
                                      f" (wants {violation.wanted})"))  # fmt: skip
            text.append("\n")
        for usage in self.row.usages:
            for flag, note in sorted(usage.notes.items()):  # the index's word: yank, status
                text.append(f"{flag.capitalize()} ", style="bold yellow")
                text.append_text(one_line(f"in {usage.project}: {note}"))
                text.append("\n")
        for source, (versions, projects) in resolutions_of(self.row).items():
            if len(versions) < 2 and len(projects) < 2:
                continue
            where = Path(source)
            shown = f"{where.parent.name}/{where.name}" if where.is_absolute() else source
            text.append("Resolved in ", style="bold")
            text.append_text(plain(f"{shown}: {', '.join(versions)}"))
            if len(versions) > 1:
                text.append(" (forked by marker)")
            if len(projects) > 1:
                text.append_text(plain(f", for {', '.join(projects)}"))
            text.append("\n")
        if meta is None:
            text.append("Not installed in any scanned environment.", style="italic")
            return text
        text.append("Summary: ", style="bold")
        text.append_text(plain(meta.summary or "-"))
        text.append("\nLicense: ", style="bold")
        text.append_text(plain(meta.license or "-"))
        if meta.license_source:
            text.append(f" (from {meta.license_source})", style="dim")
        text.append("\nSize: ", style="bold")
        text.append(_size(meta.size))
        text.append("  Installer: ", style="bold")
        text.append_text(plain(meta.installer or "-"))
        if meta.editable:
            text.append("  (editable)")
        if meta.requires_dist:
            text.append("\nRequires: ", style="bold")
            text.append_text(plain(", ".join(meta.requires_dist)))
        return text


def _size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return "-"
