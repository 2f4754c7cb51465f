"""The monitor's lines, each fitted to a width: what is cut ends in `…` and never
mid-word in the status line; and which blocks fit a height, by priority."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from backend.audit.entries import AuditEntry
from backend.health.entropy import EntropyReport
from backend.health.pulse import ChartAlarm, Pulse
from widgets.safe_text import one_line

MIN_WIDTH = 40
"""Narrower than this the monitor is its status line alone."""
BARS = "▁▂▃▄▅▆▇█"
STATE_LABEL = {"ok": "OK", "warning": "WARN", "alarm": "ALARM"}
GAUGE_CELLS = 10
NAME_CELLS = 28
"""A project name's room beside its gauge, at most: wider panes keep the gauges close."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block of the monitor: its name, the rows it cannot do without, the rows it
    could use."""

    name: str
    least: int
    wanted: int


def fit_blocks(height: int, blocks: Sequence[Block]) -> dict[str, int]:
    """Rows per block, `blocks` in priority order: each gets its least while rows are
    left (one that does not fit drops out, smaller ones after it may still fit), then
    the rows left go to blocks in priority order up to what they want."""
    rows: dict[str, int] = {}
    left = height
    for block in blocks:
        if 0 < block.least <= left:
            rows[block.name] = block.least
            left -= block.least
    for block in blocks:
        if block.name in rows and left:
            more = min(left, block.wanted - rows[block.name])
            if more > 0:
                rows[block.name] += more
                left -= more
    return rows


def fitted(text: Text, width: int) -> Text:
    """One line no wider than `width`, ending in `…` where it was cut."""
    line = text.copy()
    line.no_wrap = True
    line.truncate(max(1, width), overflow="ellipsis")
    return line


def status_line(pulse: Pulse, width: int) -> Text:
    """`ALARM · 2 control-chart alarms · 7 projects · 38 packages · drift 4 …`: whole
    pieces in order of importance, as many as fit; `…` says some were left out."""
    pieces = [STATE_LABEL[pulse.state], *pulse.reasons[:1]]
    pieces += [f"{pulse.projects} projects", f"{pulse.packages} packages"]
    pieces += [f"{flag} {count}" for flag, count in pulse.flagged.items()]
    if pulse.outdated:
        pieces.append(f"outdated {pulse.outdated}")
    if pulse.unreadable:
        pieces.append(f"unreadable {pulse.unreadable}")
    pieces += pulse.reasons[1:]
    shown = pieces[:1]
    for index, piece in enumerate(pieces[1:], start=1):
        more = index < len(pieces) - 1
        if len(" " + " · ".join([*shown, piece])) + (2 if more else 0) > width:
            break
        shown.append(piece)
    line = Text(" ")
    line.append(shown[0], style="bold")
    line.append("".join(f" · {piece}" for piece in shown[1:]))
    if len(shown) < len(pieces):
        line.append(" …")
    return fitted(line, width)


def sparkline(values: Sequence[int], width: int) -> str:
    """The newest `width` values as bars scaled to their largest; 0 is the lowest."""
    shown = list(values)[-width:] if width > 0 else []
    top = max(shown, default=0)
    if not top:
        return BARS[0] * len(shown)
    return "".join(BARS[min(7, (v * 7 + top - 1) // top)] for v in shown)


def rate_lines(
    spans: Sequence[int], errors: Sequence[int], bucket_s: float, width: int, receiver: str | None
) -> list[Text]:
    """Two lines: spans per second with its sparkline and the receiver, error share."""
    minute = max(1, round(60 / bucket_s))
    per_second = sum(spans[-minute:]) / 60
    total = sum(spans)
    share = sum(errors) / total if total else 0.0
    where = f" {receiver.removeprefix('http://')}" if receiver else " no receiver"
    span_label = f" spans {per_second:6.1f}/s "
    error_label = f" errors {share:6.1%}  "
    room = max(0, width - len(span_label) - len(where) - 1)
    if room < 8:  # the address gives way to the sparkline
        where, room = "", max(0, width - len(span_label))
    first = Text(span_label, style="bold")
    first.append(sparkline(spans, room), style="cyan")
    first.append(where, style="dim")
    second = Text(error_label, style="bold")
    second.append(sparkline(errors, max(0, width - len(error_label))), style="red")
    return [fitted(first, width), fitted(second, width)]


def heading(title: str, total: int, shown: int, note: str = "") -> Text:
    line = Text(f"{title}", style="bold underline")
    line.append(f" {total}" if total else " none", style="bold")
    if shown < total:
        line.append(f"  (+{total - shown} more)", style="dim")
    if note:
        line.append(f"  {note}", style="dim")
    return line


def alarm_line(alarm: ChartAlarm, width: int, now_ns: int | None = None) -> Text:
    line = Text(f" {_ago(alarm.at_ns, now_ns):>4} ", style="dim")
    line.append(f"{alarm.rule_text:<22} ", style="red")
    line.append_text(one_line(alarm.series))
    return fitted(line, width)


def gauge_line(report: EntropyReport, width: int, styles: dict[str, str]) -> Text:
    """`name ██████░░░░ 0.62 HIGH`: the name takes what the gauge leaves."""
    filled = round(report.score * GAUGE_CELLS)
    style = styles.get(report.level, "")
    tail = Text(" ")
    tail.append("█" * filled + "░" * (GAUGE_CELLS - filled), style=style)
    tail.append(f" {report.score:.2f} ")
    tail.append(f"{report.level:<8}", style=f"bold {style}")
    room = min(NAME_CELLS, max(6, width - len(tail) - 1))
    name = fitted(one_line(report.project), room)
    name.pad_right(room - len(name))
    return fitted(Text(" ").append_text(name).append_text(tail), width)


def audit_line(entry: AuditEntry, width: int, styles: dict[str, str]) -> Text:
    line = Text(f" {time.strftime('%H:%M', time.localtime(entry.timestamp_ns / 1e9))} ")
    line.append(f"{entry.action:<13} ")
    line.append(f"{entry.result:<8} ", style=styles.get(entry.result, ""))
    if entry.project:
        line.append_text(one_line(entry.project, style="bold"))
        line.append(" ")
    line.append_text(one_line(entry.summary(), style="dim"))
    return fitted(line, width)


def failures_first(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Failed and partial operations first, each group newest first."""
    return sorted(entries, key=lambda e: (e.result == "success", -e.seq))


def _ago(at_ns: int, now_ns: int | None) -> str:
    seconds = max(0, ((now_ns or time.time_ns()) - at_ns) // 1_000_000_000)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
