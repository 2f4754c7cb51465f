"""Control charts that follow the span store as it grows, without re-reading it.

Each refresh asks only for rows stored since the last one (by row id, then by the
(name, start) index per name that moved), appends them to each name's window and
judges the new points against the limits fixed when the series was first seen.
New limits come only from `rebaseline`, an explicit action.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.spans.span_store import SpanStore
from backend.spc.charts import ChartLimits
from backend.spc.series import Sample, Series, SeriesOptions, analyse

LIVE_WINDOW = 2_000
MAX_NAMES = 200


@dataclass(slots=True)
class Tracked:
    samples: list[Sample] = field(default_factory=list)
    limits: ChartLimits | None = None
    series: Series | None = None
    count: int = 0


class LiveCharts:
    """Every span name's series for one chart kind and scale."""

    def __init__(self, spans: SpanStore, options: SeriesOptions | None = None) -> None:
        self.spans = spans
        self.options = options or SeriesOptions(log=True)
        self.tracked: dict[str, Tracked] = {}
        self._last_row = 0

    async def refresh(self) -> set[str]:
        """Pull what was stored since the last call; returns the names that moved."""
        rows = await self.spans.store.query(
            "SELECT name, COUNT(*), MAX(id) FROM spans WHERE id > ? GROUP BY name",
            (self._last_row,),
        )
        moved = set()
        for name, count, last in rows:
            self._last_row = max(self._last_row, last)
            if name not in self.tracked and len(self.tracked) >= MAX_NAMES:
                continue
            entry = self.tracked.setdefault(name, Tracked())
            entry.count += count
            after = entry.samples[-1].start_ns if entry.samples else None
            # Spans of one name are stored close to start order; one that arrives
            # later than a newer one of its name is left out of the live window.
            entry.samples.extend(await self.spans.samples(name, LIVE_WINDOW, after))
            del entry.samples[:-LIVE_WINDOW]
            self._judge(name, entry)
            moved.add(name)
        return moved

    def set_options(self, options: SeriesOptions) -> None:
        """Another chart kind or scale: limits are computed afresh for it."""
        self.options = options
        for name, entry in self.tracked.items():
            entry.limits = None
            self._judge(name, entry)

    def rebaseline(self, name: str) -> Series | None:
        """New limits for one series from its newest `baseline` points."""
        entry = self.tracked.get(name)
        if entry is None or not entry.samples:
            return None
        size = self.options.baseline
        if self.options.chart in ("xbar-r", "xbar-s"):
            size *= self.options.subgroup
        recent = entry.samples[-size:]
        entry.limits = analyse(name, recent, self.options).limits
        self._judge(name, entry)
        return entry.series

    def ranked(self) -> list[tuple[str, int, int]]:
        """(name, spans stored, signals), most signals first."""
        rows = [
            (name, entry.count, entry.series.signal_count if entry.series else 0)
            for name, entry in self.tracked.items()
        ]
        return sorted(rows, key=lambda r: (-r[2], r[0]))

    def _judge(self, name: str, entry: Tracked) -> None:
        if not entry.samples:
            return
        try:
            entry.series = analyse(name, entry.samples, self.options, fixed=entry.limits)
        except ValueError:
            entry.series = None  # too few points for this chart yet
            return
        if entry.limits is None and entry.series.limits is not None:
            entry.limits = entry.series.limits
