"""`devkit-tui monitor`: is anything wrong right now? A screen for a small tmux pane.

The status line always stays; under it the blocks that fit, by priority: control-chart
alarms, span and error rates, entropy per project, the newest audit entries, a line of
keys. Narrower than 40 columns the status line is all there is. `enter` on an alarm, a project or
an entry opens the dashboard at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.audit.entries import AuditEntry
from backend.health.entropy import EntropyReport
from backend.health.pulse import Pulse
from widgets.monitor_lines import (
    MIN_WIDTH,
    Block,
    alarm_line,
    audit_line,
    failures_first,
    fit_blocks,
    fitted,
    gauge_line,
    heading,
    rate_lines,
    status_line,
)
from widgets.theme import theme_color

PRIORITY = ("alarms", "rates", "entropy", "audit", "keys")
"""What stays longest as the pane shrinks, first to last."""
KEYS_LINE = " ↑↓ move · enter open · m dashboard · p pause · ? help · q quit"


@dataclass(slots=True)
class MonitorData:
    """Everything the monitor shows, gathered by the app in one refresh."""

    pulse: Pulse = field(default_factory=Pulse)
    reports: list[EntropyReport] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    spans: list[int] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    bucket_s: float = 10.0
    receiver: str | None = None
    now_ns: int | None = None


class MonitorList(OptionList):
    """The alarms, gauges and entries; headings are disabled options."""

    DEFAULT_CSS = """
    MonitorList {
        height: 1fr; border: none; padding: 0; background: $background;
        text-wrap: nowrap; text-overflow: ellipsis; scrollbar-size-vertical: 0;
    }
    MonitorList:focus { border: none; }
    """

    moved = False
    """The user moved the highlight: redraws keep it on that item (else the first)."""

    def action_cursor_up(self) -> None:
        self.moved = True
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        self.moved = True
        super().action_cursor_down()

    def action_first(self) -> None:
        self.moved = True
        super().action_first()

    def action_last(self) -> None:
        self.moved = True
        super().action_last()

    def action_page_up(self) -> None:
        self.moved = True
        super().action_page_up()

    def action_page_down(self) -> None:
        self.moved = True
        super().action_page_down()


class MonitorScreen(Screen[None]):
    DEFAULT_CSS = """
    MonitorScreen { layout: vertical; }
    #monitor-status { height: 1; background: $success-muted; color: $text; }
    #monitor-status.-warning { background: $warning-muted; }
    #monitor-status.-alarm { background: $error; color: $text; }
    #monitor-rates { height: 2; }
    #monitor-keys { height: 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding(
            "m",
            "dashboard",
            "Dashboard",
            id="monitor.dashboard",
            tooltip="Back to the dashboard",
        ),
        Binding("escape", "dashboard", "Dashboard", show=False, id="monitor.back"),
    ]

    class ItemChosen(Message):
        """`enter` on an item: `kind` is alarm, project or audit; `key` names it."""

        def __init__(self, kind: str, key: str) -> None:
            super().__init__()
            self.kind = kind
            self.key = key

    def __init__(self) -> None:
        super().__init__()
        self.data = MonitorData()
        self.shown_blocks: dict[str, int] = {}
        """Rows per block at the last draw (tests read which blocks fit)."""
        self.status_text = ""
        """The status line as drawn (the terminal title carries it too)."""
        self._drawn: dict[str, object] = {}
        """What each part last showed: a redraw that changes nothing repaints nothing."""

    def compose(self) -> ComposeResult:
        yield Static(" waiting for the first scan…", id="monitor-status")
        yield Static("", id="monitor-rates")
        yield MonitorList(id="monitor-list")
        yield Static(KEYS_LINE, id="monitor-keys")

    def on_mount(self) -> None:
        self.query_one(MonitorList).focus()

    def on_resize(self) -> None:
        self.redraw()

    def show(self, data: MonitorData) -> None:
        self.data = data
        self.redraw()

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        width, height = self.size
        data = self.data
        status = self.query_one("#monitor-status", Static)
        for state in ("warning", "alarm"):
            status.set_class(data.pulse.state == state, f"-{state}")
        line = status_line(data.pulse, width)
        self.status_text = line.plain
        self._update(status, line)
        small = width < MIN_WIDTH  # too narrow for any line but the status
        audit = failures_first(data.audit)
        reports = sorted(data.reports, key=lambda r: (-r.score, r.project))
        alarms = data.pulse.alarms
        blocks = [
            Block("alarms", 2, 1 + max(1, len(alarms))),
            Block("rates", 2, 2),
            Block("entropy", 2 if reports else 0, 1 + len(reports)),
            Block("audit", 2 if audit else 0, 1 + len(audit)),
            Block("keys", 1, 1),
        ]
        rows = {} if small else fit_blocks(height - 1, blocks)
        self.shown_blocks = rows
        rates = self.query_one("#monitor-rates", Static)
        rates.display = "rates" in rows
        if "rates" in rows:
            lines = rate_lines(data.spans, data.errors, data.bucket_s, width, data.receiver)
            self._update(rates, Text("\n").join(lines))
        keys = self.query_one("#monitor-keys", Static)
        keys.display = "keys" in rows
        self._update(keys, fitted(Text(KEYS_LINE), width))
        self._fill_list(rows, alarms, reports, audit, width)

    def _fill_list(
        self,
        rows: dict[str, int],
        alarms: list,  # type: ignore[type-arg]
        reports: list[EntropyReport],
        audit: list[AuditEntry],
        width: int,
    ) -> None:
        chooser = self.query_one(MonitorList)
        listed = [rows.get(name, 0) for name in ("alarms", "entropy", "audit")]
        chooser.display = any(listed)
        highlighted = chooser.highlighted_option.id if chooser.highlighted_option else None
        options: list[Option] = []
        styles = self._styles()
        if rows.get("alarms"):
            room = rows["alarms"] - 1
            shown = alarms[:room]
            options.append(Option(heading("Alarms", len(alarms), len(shown)), disabled=True))
            for alarm in shown:
                options.append(
                    Option(
                        alarm_line(alarm, width, self.data.now_ns),
                        id=f"alarm:{alarm.series}",
                    )
                )
            if not alarms:
                options.append(
                    Option(Text(" no rule broken in the last 15 min", style="dim"), disabled=True)
                )
        if rows.get("entropy"):
            shown_reports = reports[: rows["entropy"] - 1]
            options.append(
                Option(
                    heading("Entropy", len(reports), len(shown_reports), "worst first"),
                    disabled=True,
                )
            )
            options += [
                Option(gauge_line(r, width, styles), id=f"project:{r.project}")
                for r in shown_reports
            ]
        if rows.get("audit"):
            shown_entries = audit[: rows["audit"] - 1]
            options.append(
                Option(
                    heading("Audit", len(audit), len(shown_entries), "failures first"),
                    disabled=True,
                )
            )
            options += [
                Option(audit_line(e, width, styles), id=f"audit:{e.seq}") for e in shown_entries
            ]
        drawn = [(o.id, o.disabled, _look(o.prompt)) for o in options]
        if self._drawn.get("list") == (drawn, width):
            return
        self._drawn["list"] = (drawn, width)
        chooser.set_options(options)
        ids = [o.id for o in options if not o.disabled]
        if chooser.moved and highlighted in ids:
            chooser.highlighted = next(i for i, o in enumerate(options) if o.id == highlighted)
        elif ids:
            chooser.highlighted = next(i for i, o in enumerate(options) if not o.disabled)

    def _update(self, widget: Static, text: Text) -> None:
        """Show `text` unless it is what the widget shows already (same look too)."""
        drawn = (text.plain, tuple(text.spans))
        if self._drawn.get(widget.id or "") != drawn:
            self._drawn[widget.id or ""] = drawn
            widget.update(text)

    def _styles(self) -> dict[str, str]:
        error, warning = theme_color(self, "error"), theme_color(self, "warning")
        return {
            "CRITICAL": error,
            "HIGH": error,
            "MEDIUM": warning,
            "LOW": theme_color(self, "success"),
            "failure": error,
            "partial": warning,
        }

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _, key = str(event.option.id).partition(":")
        self.post_message(self.ItemChosen(kind, key))

    def action_dashboard(self) -> None:
        self.app.pop_screen()


def _look(prompt: object) -> object:
    """What a prompt shows, comparable: its text and styles."""
    return (prompt.plain, tuple(prompt.spans)) if isinstance(prompt, Text) else str(prompt)
