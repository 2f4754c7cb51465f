"""The Weaver pane: registry and live-check findings grouped by level and id, with
counts, filtered as you type; `enter` opens a group's findings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from backend.weaver.findings import LEVELS, Finding
from widgets.filter_input import FilterablePane, FilterInput
from widgets.navigable_table import NavigableTable
from widgets.safe_text import plain
from widgets.theme import theme_color

LEVEL_STYLE = {"violation": "error", "improvement": "warning", "information": "primary"}


class FindingGroups(NavigableTable[Text]):
    """One row per (level, id)."""

    SHRINKS = {"example": 12, "id": 24}


def matches(finding: Finding, query: str) -> bool:
    """Every word must appear in the id, level, message, registry, file or span name."""
    haystack = " ".join(
        str(v or "")
        for v in (
            finding.id,
            finding.level,
            finding.message,
            finding.registry,
            finding.file,
            finding.signal_name,
            finding.attribute,
            finding.group,
        )
    ).lower()
    return all(word in haystack for word in query.lower().split())


class WeaverPane(FilterablePane, Vertical):
    """Shows the report the app hands it."""

    table_type = FindingGroups

    DEFAULT_CSS = """
    WeaverPane { height: 1fr; }
    WeaverPane #weaver-header { height: auto; max-height: 3; padding: 0 1; }
    WeaverPane FindingGroups { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", show=False)]

    class GroupChosen(Message):
        """Show these findings."""

        def __init__(self, title: str, findings: list[Finding]) -> None:
            super().__init__()
            self.title = title
            self.findings = findings

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []
        self.summary: dict[str, Any] = {}
        self.query_text = ""
        self._groups: dict[str, list[Finding]] = {}

    def compose(self) -> ComposeResult:
        yield Static("Checking the registries…", id="weaver-header")
        yield FilterInput(placeholder="id, level, registry, file or span name", id="weaver-filter")
        yield FindingGroups(id="weaver-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(FindingGroups)
        for label, key in (
            ("Level", "level"),
            ("Id", "id"),
            ("Count", "count"),
            ("Example", "example"),
        ):
            table.add_column(label, key=key)

    def show(self, findings: list[Finding], summary: dict[str, Any]) -> None:
        """All findings, and what the header says (registries, samples, coverage)."""
        self.findings, self.summary = findings, summary
        self._redraw()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        if key in self._groups:
            self.post_message(self.GroupChosen(key.replace("\t", " · "), self._groups[key]))

    def _redraw(self) -> None:
        shown = [f for f in self.findings if matches(f, self.query_text)]
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in shown:
            groups[f"{finding.level}\t{finding.id}"].append(finding)
        order = sorted(groups, key=lambda k: (LEVELS.index(k.split("\t")[0]), -len(groups[k]), k))
        self._groups = {k: groups[k] for k in order}
        self._header(shown)
        table = self.query_one(FindingGroups)
        with self.app.batch_update():
            table.clear()
            for key in order:
                level, finding_id = key.split("\t")
                first = groups[key][0]
                table.add_row(
                    Text(level, style=self._style(level)),
                    Text(finding_id),
                    Text(str(len(groups[key])), justify="right"),
                    plain(first.message),
                    key=key,
                )

    def _header(self, shown: list[Finding]) -> None:
        summary = self.summary
        counts = {level: sum(1 for f in shown if f.level == level) for level in LEVELS}
        text = Text()
        registries = summary.get("registries", 0)
        text.append(f"{registries} {'registry' if registries == 1 else 'registries'} · ")
        for level in LEVELS:
            text.append(
                f"{counts[level]} {level}", style=self._style(level) if counts[level] else ""
            )
            text.append(" · ")
        text.append(f"{summary.get('samples', 0):,} spans checked")
        unchecked = summary.get("unchecked", 0)
        if unchecked:
            text.append(f" ({unchecked:,} of services without a registry)", style="dim")
        if self.query_text.strip():
            text.append("  filter: ")
            text.append_text(plain(self.query_text.strip(), style="bold"))
        if not self.findings and summary:
            text.append("\nEvery registry and span checked is clean.")
        self.query_one("#weaver-header", Static).update(text)

    def _style(self, level: str) -> str:
        return f"bold {theme_color(self, LEVEL_STYLE.get(level, ''))}".strip()
