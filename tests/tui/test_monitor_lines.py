"""The monitor's lines: blocks by priority, whole words in the status line, `…` where
something is cut, bars scaled to the largest count."""

from __future__ import annotations

from backend.health.pulse import Pulse
from widgets.monitor_lines import Block, fit_blocks, sparkline, status_line

BLOCKS = [Block("alarms", 2, 4), Block("rates", 2, 2), Block("entropy", 2, 8), Block("keys", 1, 1)]


def test_blocks_drop_out_lowest_priority_first() -> None:
    assert fit_blocks(20, BLOCKS) == {"alarms": 4, "rates": 2, "entropy": 8, "keys": 1}
    assert fit_blocks(9, BLOCKS) == {"alarms": 4, "rates": 2, "entropy": 2, "keys": 1}
    assert fit_blocks(6, BLOCKS) == {"alarms": 2, "rates": 2, "entropy": 2}  # keys gave way
    assert fit_blocks(5, BLOCKS) == {"alarms": 2, "rates": 2, "keys": 1}  # entropy too
    assert fit_blocks(3, BLOCKS) == {"alarms": 2, "keys": 1}  # a small block still fits
    assert fit_blocks(0, BLOCKS) == {}


def test_the_status_line_keeps_whole_pieces_and_says_when_some_are_left_out() -> None:
    pulse = Pulse(
        state="warning", projects=7, packages=38, flagged={"drift": 6, "missing": 4},
        outdated=3, reasons=["2 drift packages"],
    )  # fmt: skip
    wide = status_line(pulse, 200).plain
    assert wide == (
        " WARN · 2 drift packages · 7 projects · 38 packages · drift 6 · missing 4 · outdated 3"
    )
    for width in range(12, 90):
        line = status_line(pulse, width).plain
        assert len(line) <= width
        shown = line.removesuffix(" …").split(" · ")
        assert all(piece.strip() in wide for piece in shown)  # no piece is cut
        assert line.endswith(" …") == (line != wide)


def test_sparkline_scales_to_the_largest_and_keeps_the_newest() -> None:
    assert sparkline([0, 1, 2, 4, 8], 5) == "▁▂▃▅█"
    assert sparkline([0, 0, 0], 5) == "▁▁▁"
    assert sparkline([9, 0, 8], 2) == "▁█"  # the newest two, scaled to their own top
