"""Shewhart control charts: limits from a baseline, points judged against them.

Each chart has the plotted statistic and, where it has one, a dispersion chart
under it (moving range, range, standard deviation). `sigma` is one standard
deviation of the plotted statistic, which the zone rules need.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from backend.spc.constants import MAX_SUBGROUP, MIN_SUBGROUP, constants


@dataclass(frozen=True, slots=True)
class Limits:
    center: float
    ucl: float
    lcl: float
    sigma: float


@dataclass(frozen=True, slots=True)
class ChartLimits:
    """What a baseline fixes: the main chart's limits, the dispersion chart's, and
    the within-subgroup standard deviation of single values (for capability)."""

    kind: str
    main: Limits
    spread: Limits | None
    sigma_within: float
    subgroup_size: int = 1


def moving_ranges(values: Sequence[float]) -> list[float]:
    """|x[i] - x[i-1]| for i >= 1 (one fewer than the values)."""
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def imr_limits(values: Sequence[float]) -> ChartLimits:
    """Individuals and moving range of span 2: sigma estimated as MR-bar / d2."""
    if len(values) < 2:
        raise ValueError("an individuals chart needs at least 2 points")
    k = constants(2)
    center = statistics.fmean(values)
    mr_bar = statistics.fmean(moving_ranges(values))
    sigma = mr_bar / k.d2
    return ChartLimits(
        kind="imr",
        main=Limits(center, center + 3 * sigma, center - 3 * sigma, sigma),
        spread=Limits(mr_bar, k.d4_factor * mr_bar, k.d3_factor * mr_bar, k.d3 * sigma),
        sigma_within=sigma,
    )


def subgroups_of(values: Sequence[float], size: int) -> list[list[float]]:
    """Consecutive subgroups of `size`; an incomplete last one is left out."""
    _check_size(size)
    whole = len(values) - len(values) % size
    return [list(values[i : i + size]) for i in range(0, whole, size)]


def xbar_r_limits(subgroups: Sequence[Sequence[float]]) -> ChartLimits:
    """X-bar and R: grand mean +- A2 * R-bar; R chart D3 * R-bar to D4 * R-bar."""
    n = _common_size(subgroups)
    k = constants(n)
    grand = statistics.fmean(statistics.fmean(g) for g in subgroups)
    r_bar = statistics.fmean(max(g) - min(g) for g in subgroups)
    sigma_means = k.a2 * r_bar / 3
    sigma_within = r_bar / k.d2
    return ChartLimits(
        kind="xbar-r",
        main=Limits(grand, grand + k.a2 * r_bar, grand - k.a2 * r_bar, sigma_means),
        spread=Limits(r_bar, k.d4_factor * r_bar, k.d3_factor * r_bar, k.d3 * sigma_within),
        sigma_within=sigma_within,
        subgroup_size=n,
    )


def xbar_s_limits(subgroups: Sequence[Sequence[float]]) -> ChartLimits:
    """X-bar and S: grand mean +- A3 * s-bar; S chart B3 * s-bar to B4 * s-bar."""
    n = _common_size(subgroups)
    k = constants(n)
    grand = statistics.fmean(statistics.fmean(g) for g in subgroups)
    s_bar = statistics.fmean(statistics.stdev(g) for g in subgroups)
    sigma_within = s_bar / k.c4
    return ChartLimits(
        kind="xbar-s",
        main=Limits(grand, grand + k.a3 * s_bar, grand - k.a3 * s_bar, k.a3 * s_bar / 3),
        spread=Limits(s_bar, k.b4 * s_bar, k.b3 * s_bar, s_bar * math.sqrt(1 - k.c4**2) / k.c4),
        sigma_within=sigma_within,
        subgroup_size=n,
    )


def subgroup_points(
    kind: str, subgroups: Sequence[Sequence[float]]
) -> tuple[list[float], list[float]]:
    """The plotted means and ranges (xbar-r) or standard deviations (xbar-s)."""
    means = [statistics.fmean(g) for g in subgroups]
    if kind == "xbar-r":
        return means, [max(g) - min(g) for g in subgroups]
    return means, [statistics.stdev(g) for g in subgroups]


@dataclass(frozen=True, slots=True)
class PChart:
    """Proportion defective per bucket; limits vary with each bucket's size."""

    center: float
    points: list[float]
    sizes: list[int]
    sigmas: list[float]
    ucls: list[float]
    lcls: list[float]


def p_center(defects: Sequence[int], sizes: Sequence[int]) -> float:
    total = sum(sizes)
    if total == 0:
        raise ValueError("a p-chart needs at least one observation")
    return sum(defects) / total


def p_chart(defects: Sequence[int], sizes: Sequence[int], center: float) -> PChart:
    """p[i] = defects[i] / sizes[i], judged against p-bar +- 3 sqrt(p-bar(1-p-bar)/n[i])."""
    points, sigmas, ucls, lcls = [], [], [], []
    for d, n in zip(defects, sizes, strict=True):
        if n <= 0:
            raise ValueError("every p-chart bucket needs at least one observation")
        sigma = math.sqrt(center * (1 - center) / n)
        points.append(d / n)
        sigmas.append(sigma)
        ucls.append(min(1.0, center + 3 * sigma))
        lcls.append(max(0.0, center - 3 * sigma))
    return PChart(center, points, list(sizes), sigmas, ucls, lcls)


def _common_size(subgroups: Sequence[Sequence[float]]) -> int:
    if not subgroups:
        raise ValueError("no subgroups")
    sizes = {len(g) for g in subgroups}
    if len(sizes) != 1:
        raise ValueError("subgroups must all have the same size")
    n = sizes.pop()
    _check_size(n)
    return n


def _check_size(n: int) -> None:
    if not MIN_SUBGROUP <= n <= MAX_SUBGROUP:
        raise ValueError(f"subgroup size must be {MIN_SUBGROUP} to {MAX_SUBGROUP}, not {n}")
