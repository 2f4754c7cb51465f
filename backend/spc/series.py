"""One span name's process: its durations (or error rate) as a control chart, judged
against limits from a baseline, with capability and the sigma level.

The limits come from the first `baseline` points (subgroups, buckets) unless fixed
limits are handed in: a dashboard keeps the limits it started with while new
points arrive, and recomputes them only when asked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.spc.capability import capability, dpmo, sigma_level
from backend.spc.charts import (
    ChartLimits,
    Limits,
    imr_limits,
    moving_ranges,
    p_center,
    p_chart,
    subgroup_points,
    subgroups_of,
    xbar_r_limits,
    xbar_s_limits,
)
from backend.spc.defaults import (
    CHARTS,
    DEFAULT_BASELINE,
    DEFAULT_BUCKET_S,
    DEFAULT_SPEC_MS,
    DEFAULT_SUBGROUP,
)
from backend.spc.rules import Violation, nelson
from backend.telemetry.model import Sample

MIN_LOG_MS = 0.001
"""Durations of zero are taken as 1 µs on the log scale."""


@dataclass(slots=True)
class SeriesOptions:
    chart: str = "imr"
    baseline: int = DEFAULT_BASELINE
    log: bool = False
    subgroup: int = DEFAULT_SUBGROUP
    bucket_s: float = DEFAULT_BUCKET_S
    spec_ms: float = DEFAULT_SPEC_MS


@dataclass(slots=True)
class Series:
    span: str
    chart: str
    scale: str
    n: int
    limits: ChartLimits | None
    points: list[float]
    point_times: list[int]
    spread_points: list[float]
    violations: list[Violation]
    spec_limit: float | None
    cp: float | None = None
    cpk: float | None = None
    ppk: float | None = None
    dpmo: float | None = None
    sigma_level: float | None = None
    ucl_points: list[float] = field(default_factory=list)
    lcl_points: list[float] = field(default_factory=list)
    """Per-point limits (the p-chart's vary with each bucket's size)."""
    limits_note: str = ""
    """Where the limits come from: a baseline of first points, stored, provisional."""

    @property
    def signal_count(self) -> int:
        return sum(len(v.points) for v in self.violations)

    def as_json(self) -> dict[str, Any]:
        """The `devkit.spc/1` series."""
        main = self.limits.main if self.limits else None
        spread = self.limits.spread if self.limits else None
        document: dict[str, Any] = {
            "span": self.span,
            "chart": self.chart,
            "scale": self.scale,
            "n": self.n,
            "center": main.center if main else None,
            "ucl": main.ucl if main else None,
            "lcl": main.lcl if main else None,
            "range": (
                {"center": spread.center, "ucl": spread.ucl, "lcl": spread.lcl} if spread else None
            ),
            "points": self.points,
            "violations": [
                {"rule": v.rule, "description": v.description, "points": list(v.points)}
                for v in self.violations
            ],
            "spec_limit": self.spec_limit,
            "cp": self.cp,
            "cpk": self.cpk,
            "ppk": self.ppk,
            "dpmo": self.dpmo,
            "sigma_level": self.sigma_level,
            "range_points": self.spread_points,
            "limits_from": self.limits_note,
            "point_times": self.point_times,
        }
        if self.ucl_points:
            document["ucl_points"] = self.ucl_points
            document["lcl_points"] = self.lcl_points
        return document


def analyse(
    span: str,
    samples: Sequence[Sample],
    options: SeriesOptions,
    fixed: ChartLimits | None = None,
) -> Series:
    """Chart `samples` (oldest first) as `options.chart`; limits from the baseline,
    or `fixed` when given."""
    if options.chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}, not {options.chart!r}")
    if options.chart == "p":
        series = _p_series(span, samples, options, fixed)
    else:
        series = _variable_series(span, samples, options, fixed)
    if samples:
        defects = sum(1 for s in samples if s.error or s.duration_ms > options.spec_ms)
        series.dpmo = dpmo(defects, len(samples))
        series.sigma_level = sigma_level(series.dpmo)
    return series


def _variable_series(
    span: str, samples: Sequence[Sample], options: SeriesOptions, fixed: ChartLimits | None
) -> Series:
    values = [_scaled(s.duration_ms, options.log) for s in samples]
    spec = _scaled(options.spec_ms, options.log)
    scale = "log(ms)" if options.log else "ms"
    times = [s.start_ns for s in samples]
    series = Series(span, options.chart, scale, len(values), None, [], [], [], [], spec)
    if options.chart == "imr":
        if len(values) < 2:
            series.points, series.point_times = values, times
            return series
        limits = fixed or imr_limits(values[: max(2, options.baseline)])
        points, spread = values, moving_ranges(values)
    else:
        groups = subgroups_of(values, options.subgroup)
        if not groups:
            return series
        limits = fixed or _subgroup_limits(options.chart, groups[: max(1, options.baseline)])
        points, spread = subgroup_points(options.chart, groups)
        times = times[options.subgroup - 1 :: options.subgroup][: len(points)]
    series.limits = limits
    series.points, series.point_times, series.spread_points = points, times, spread
    if limits.main.sigma > 0:  # a flat line has no zones to judge by
        series.violations = nelson(points, limits.main.center, limits.main.sigma)
    result = capability(values, limits.sigma_within, upper=spec)
    series.cp, series.cpk, series.ppk = result.cp, result.cpk, result.ppk
    return series


def _subgroup_limits(chart: str, groups: list[list[float]]) -> ChartLimits:
    return xbar_r_limits(groups) if chart == "xbar-r" else xbar_s_limits(groups)


def _p_series(
    span: str, samples: Sequence[Sample], options: SeriesOptions, fixed: ChartLimits | None
) -> Series:
    """Error rate per time bucket; each bucket's size is how many spans it holds."""
    series = Series(span, "p", "proportion", len(samples), None, [], [], [], [], None)
    if not samples:
        return series
    width = int(options.bucket_s * 1e9)
    buckets: dict[int, list[int]] = {}
    for sample in samples:
        counts = buckets.setdefault(sample.start_ns // width, [0, 0])
        counts[0] += int(sample.error)
        counts[1] += 1
    keys = sorted(buckets)
    defects = [buckets[k][0] for k in keys]
    sizes = [buckets[k][1] for k in keys]
    if fixed is not None:
        center = fixed.main.center
    else:
        base = max(1, options.baseline)
        center = p_center(defects[:base], sizes[:base])
    chart = p_chart(defects, sizes, center)
    mean_n = sum(sizes) / len(sizes)
    sigma = math.sqrt(center * (1 - center) / mean_n)
    series.limits = fixed or ChartLimits(
        kind="p",
        main=Limits(center, min(1.0, center + 3 * sigma), max(0.0, center - 3 * sigma), sigma),
        spread=None,
        sigma_within=sigma,
    )
    series.points = chart.points
    series.point_times = [k * width for k in keys]
    series.ucl_points, series.lcl_points = chart.ucls, chart.lcls
    series.violations = nelson(chart.points, center, chart.sigmas) if center > 0 else []
    return series


def _scaled(duration_ms: float, log: bool) -> float:
    return math.log(max(duration_ms, MIN_LOG_MS)) if log else duration_ms
