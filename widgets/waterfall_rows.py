"""A trace as waterfall rows: tree order, depth, and each bar's place in time (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BAR_CHARS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True, slots=True)
class WaterfallRow:
    span: dict[str, Any]
    depth: int
    offset: float
    """Where the bar starts, as a fraction of the trace's duration."""
    width: float
    """How long the bar is, as a fraction of the trace's duration."""


def waterfall(spans: list[dict[str, Any]]) -> list[WaterfallRow]:
    """Parents before children, siblings by start time; a span whose parent is not in
    the trace (not received, or pruned) is shown as a root."""
    if not spans:
        return []
    ids = {s["span_id"] for s in spans}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for span in spans:
        parent = span["parent_span_id"] if span["parent_span_id"] in ids else None
        children.setdefault(parent, []).append(span)
    for group in children.values():
        group.sort(key=lambda s: (s["start_time_unix_nano"], s["name"]))
    start = min(s["start_time_unix_nano"] for s in spans)
    end = max(s["end_time_unix_nano"] for s in spans)
    total = max(end - start, 1)
    rows: list[WaterfallRow] = []
    seen: set[str] = set()

    def visit(span: dict[str, Any], depth: int) -> None:
        if span["span_id"] in seen:  # a cycle of parent ids: show each span once
            return
        seen.add(span["span_id"])
        rows.append(
            WaterfallRow(
                span,
                depth,
                (span["start_time_unix_nano"] - start) / total,
                max(span["end_time_unix_nano"] - span["start_time_unix_nano"], 0) / total,
            )
        )
        for child in children.get(span["span_id"], []):
            visit(child, depth + 1)

    for root in children.get(None, []):
        visit(root, 0)
    for span in spans:  # anything left is inside a parent cycle
        if span["span_id"] not in seen:
            visit(span, 0)
    return rows


def bar(offset: float, width: float, columns: int) -> str:
    """A bar `columns` wide, in eighths of a cell, starting at `offset`."""
    eighths = columns * 8
    begin = min(int(offset * eighths), eighths - 1)
    length = max(round(width * eighths), 1)
    cells = []
    for cell in range(columns):
        lo, hi = cell * 8, cell * 8 + 8
        covered = max(0, min(hi, begin + length) - max(lo, begin))
        if covered == 8:
            cells.append("█")
        elif covered and max(lo, begin) == lo:
            cells.append(BAR_CHARS[covered])
        elif covered:
            cells.append("▐" if covered >= 4 else "▕")
        else:
            cells.append(" ")
    return "".join(cells)
