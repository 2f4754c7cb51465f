"""A project in detail: what it is, the files read, its environment, the environment
manifests beside it (pylock.toml files, with their labels), and the policy bundle's
rules it breaks. Every name and path is shown as text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from backend.inventory.model import ProjectInfo
from widgets.safe_text import plain

if TYPE_CHECKING:
    from backend.policy.check import Violation  # the bundle's models load with a bundle


class ProjectDetailScreen(ModalScreen[None]):
    """Opened with `D` on an inventory row (its project); `esc` closes."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="project-detail.close")]
    DEFAULT_CSS = """
    ProjectDetailScreen { align: center middle; }
    ProjectDetailScreen > VerticalScroll {
        width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    ProjectDetailScreen #project-manifests { margin-top: 1; }
    """

    def __init__(
        self, project: ProjectInfo, violations: list[Violation], charter: dict[str, Any]
    ) -> None:
        super().__init__()
        self.project = project
        self.violations = violations
        self.charter = charter
        """Its remediation charter, as `remediate --json` gives it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"Project {self.project.name}"
            box.border_subtitle = "esc to close"
            yield Static(self._facts(), id="project-facts")
            yield Static(plain("Environment manifests: reading…", style="dim"),
                         id="project-manifests")  # fmt: skip

    def on_mount(self) -> None:
        self.read_manifests()

    @work(exclusive=True, exit_on_error=False, description="environment manifests")
    async def read_manifests(self) -> None:
        import asyncio

        lines = await asyncio.to_thread(manifest_lines, self.project.path)
        text = Text()
        text.append("Environment manifests", style="bold")
        if not lines:
            text.append_text(plain("\n  none (devkit-tui manifest generate PROJECT --name NAME"
                                   " --output pylock.NAME.toml)", style="dim"))  # fmt: skip
        for line in lines:
            text.append("\n  ")
            text.append_text(plain(line))
        self.query_one("#project-manifests", Static).update(text)

    def _facts(self) -> Text:
        project = self.project
        text = Text()
        rows = [
            ("Kind", project.kind),
            ("Folder", str(project.path)),
            ("Workspace", str(project.workspace) if project.workspace else "-"),
            ("Environment", str(project.environment) if project.environment else "none"),
            ("Packages", str(project.package_count)),
            ("Files read", ", ".join(m.name for m in project.manifests) or "-"),
            ("Unreadable", str(len(project.errors))),
        ]
        for label, value in rows:
            text.append(f"{label:<12}", style="bold")
            text.append_text(plain(value))
            text.append("\n")
        charter = self.charter
        criteria = charter.get("criteria", {})
        text.append(f"{'Charter':<12}", style="bold")
        text.append_text(plain(
            f"act at {charter.get('threshold')}; allows {', '.join(charter.get('actions', []))};"
            f" repaired: entropy < {criteria.get('max-score')}"
            + (", no conflict" if criteria.get("no-conflict") else "")
            + (f", nothing vulnerable at {criteria['no-vulnerable-at']} or worse"
               if criteria.get("no-vulnerable-at") else "")
            + (", lock in sync" if criteria.get("lock-in-sync") else "")
        ))  # fmt: skip
        text.append("\n")
        mine = [v for v in self.violations if v.project == project.name]
        text.append("Policy", style="bold")
        if not mine:
            text.append_text(plain("  no rule of the bundle is broken", style="dim"))
        for v in mine:
            style = "red" if v.severity == "error" else "yellow"
            text.append("\n  ")
            text.append_text(plain(f"{v.severity} {v.rule}: {v.found} (wants {v.wanted})",
                                   style=style))  # fmt: skip
        return text


def manifest_lines(folder: Path) -> list[str]:
    """`pylock.prod.toml  prod · 42 packages` for each pylock file in the folder."""
    from backend.manifest.as_inventory import manifest_label
    from backend.manifest.read import ManifestError, read_manifest

    out = []
    for path in sorted(folder.glob("pylock*.toml")):
        try:
            count = len(read_manifest(path).entries)
        except ManifestError as exc:
            out.append(f"{path.name}  cannot be read: {exc}")
            continue
        out.append(f"{path.name}  {manifest_label(path)} · {count} packages")
    return out
