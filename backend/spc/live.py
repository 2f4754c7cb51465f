"""Control charts that follow the span store as it grows, without re-reading it.

Each refresh asks only for rows stored since the last one (by row id, then by the
(name, start) index per name that moved), appends them to each name's window and
judges the new points against fixed limits: the stored ones when a series has
them, else limits from its first points, stored at once so they stay fixed across
restarts. New limits come only from `rebaseline`, an explicit action.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from backend.spc import baselines
from backend.spc.charts import ChartLimits
from backend.spc.series import Series, SeriesOptions, analyse
from backend.store.database import StoreError
from backend.telemetry import names
from backend.telemetry.model import Sample
from backend.telemetry.span_store import SpanStore

LIVE_WINDOW = 2_000
MAX_NAMES = 200


@dataclass(slots=True)
class Tracked:
    samples: list[Sample] = field(default_factory=list)
    limits: ChartLimits | None = None
    series: Series | None = None
    count: int = 0
    own: bool = True
    """Every span of this name so far was devkit's own."""


class RankedSeries(NamedTuple):
    """One row of the series chooser."""

    name: str
    count: int
    signals: int
    own: bool
    """devkit's own operations: ranked after every series of the user's services."""


class LiveCharts:
    """Every span name's series for one chart kind and scale."""

    def __init__(
        self,
        spans: SpanStore,
        options: SeriesOptions | None = None,
        spec_limits: dict[str, float] | None = None,
    ) -> None:
        self.spans = spans
        self.options = options or SeriesOptions(log=True)
        self.spec_limits = spec_limits or {}
        """Upper specification limits in ms by span name (else `options.spec_ms`)."""
        self.tracked: dict[str, Tracked] = {}
        self._last_row = 0
        self._unjudged: set[str] = set()
        self._stored: dict[str, ChartLimits] | None = None

    async def refresh(self) -> set[str]:
        """Pull what was stored since the last call; returns the names that moved.

        Everything is read before anything is kept, so a refresh cancelled half way
        (a newer one replaces it) leaves the series as they were and loses no rows.
        """
        if self._stored is None:
            self._stored = await baselines.load(self.spans.store, self.options)
        rows = await self.spans.store.query(
            "SELECT name, COUNT(*), MAX(id), MIN(service_name IS ?) FROM spans WHERE id > ?"
            " GROUP BY name",
            (names.SERVICE, self._last_row),
        )
        fetched: list[tuple[str, int, bool, list[Sample]]] = []
        for name, count, _, own in rows:
            if name not in self.tracked and len(self.tracked) + len(fetched) >= MAX_NAMES:
                continue
            known = self.tracked.get(name)
            after = known.samples[-1].start_ns if known and known.samples else None
            # Spans of one name are stored close to start order; one that arrives
            # later than a newer one of its name is left out of the live window.
            samples = await self.spans.samples(name, LIVE_WINDOW, after)
            fetched.append((name, count, bool(own), samples))
        self._last_row = max([self._last_row, *(row[2] for row in rows)])
        for name, count, own, samples in fetched:
            entry = self.tracked.setdefault(name, Tracked(limits=self._stored.get(name)))
            entry.count += count
            entry.own = entry.own and own
            entry.samples.extend(samples)
            del entry.samples[:-LIVE_WINDOW]
        moved = {name for name, *_ in fetched}
        self._unjudged |= moved
        for name in sorted(self._unjudged):  # and any a cancelled refresh left unjudged
            await self._judge(name, self.tracked[name])
            self._unjudged.discard(name)
        return moved

    async def set_options(self, options: SeriesOptions) -> None:
        """Another chart kind or scale: its own stored limits, or new ones."""
        self.options = options
        self._stored = await baselines.load(self.spans.store, options)
        for name, entry in self.tracked.items():
            entry.limits = self._stored.get(name)
            await self._judge(name, entry)

    async def rebaseline(self, name: str) -> Series | None:
        """New limits for one series from its newest `baseline` points, stored."""
        entry = self.tracked.get(name)
        if entry is None or not entry.samples:
            return None
        size = self.options.baseline
        if self.options.chart in ("xbar-r", "xbar-s"):
            size *= self.options.subgroup
        entry.limits = analyse(name, entry.samples[-size:], self.options_for(name)).limits
        if entry.limits is not None:
            await self._save(name, entry.limits)
        await self._judge(name, entry)
        return entry.series

    def set_spec_limits(self, limits: dict[str, float]) -> None:
        """New specification limits: every series is judged again on the next refresh
        (capability and DPMO follow them; control limits do not move)."""
        self.spec_limits = dict(limits)
        self._unjudged |= set(self.tracked)

    def options_for(self, name: str) -> SeriesOptions:
        spec = self.spec_limits.get(name)
        return replace(self.options, spec_ms=spec) if spec else self.options

    def ranked(self) -> list[RankedSeries]:
        """The user's series, most signals first, then devkit's own the same way."""
        rows = [
            RankedSeries(
                name, entry.count, entry.series.signal_count if entry.series else 0, entry.own
            )
            for name, entry in self.tracked.items()
        ]
        return sorted(rows, key=lambda r: (r.own, -r.signals, r.name))

    async def _judge(self, name: str, entry: Tracked) -> None:
        """Judge the window; limits become fixed (and stored) once the baseline is full,
        and until then are provisional, recomputed from what there is."""
        if not entry.samples:
            return
        try:  # off the event loop: 20 names of 10,000 points each held it for ~0.3 s
            entry.series = await asyncio.to_thread(
                analyse, name, list(entry.samples), self.options_for(name), entry.limits
            )
        except ValueError:
            entry.series = None  # too few points for this chart yet
            return
        if entry.limits is not None:
            entry.series.limits_note = "limits fixed"
            return
        points = len(entry.series.points)
        if points >= self.options.baseline and entry.series.limits is not None:
            entry.limits = entry.series.limits
            entry.series.limits_note = "limits fixed"
            await self._save(name, entry.limits)
        else:
            entry.series.limits_note = (
                f"provisional limits: {points} of {self.options.baseline} baseline points"
            )

    async def _save(self, name: str, limits: ChartLimits) -> None:
        if self._stored is not None:
            self._stored[name] = limits
        with contextlib.suppress(StoreError):  # the limits still hold for this session
            await baselines.save(self.spans.store, name, self.options, limits)
