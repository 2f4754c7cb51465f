"""Process capability and the six-sigma view of defects.

Durations have an upper specification only (an operation target such as 2 s), so
Cp, which needs both limits, is None unless a lower limit is given too (as
Minitab shows `*` for a one-sided specification).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

SHIFT = 1.5
"""The conventional long-term shift: 3.4 defects per million is 6 sigma."""
_NORMAL = statistics.NormalDist()


@dataclass(frozen=True, slots=True)
class Capability:
    cp: float | None
    cpk: float | None
    ppk: float | None


def capability(
    values: Sequence[float],
    sigma_within: float,
    upper: float | None,
    lower: float | None = None,
) -> Capability:
    """Cp and Cpk use the within (short-term) sigma from the chart; Ppk the overall
    sample standard deviation."""
    if len(values) < 2 or (upper is None and lower is None):
        return Capability(None, None, None)
    mean = statistics.fmean(values)
    overall = statistics.stdev(values)

    def k_index(sigma: float) -> float | None:
        if sigma <= 0:
            return None
        sides = []
        if upper is not None:
            sides.append((upper - mean) / (3 * sigma))
        if lower is not None:
            sides.append((mean - lower) / (3 * sigma))
        return min(sides)

    cp = None
    if upper is not None and lower is not None and sigma_within > 0:
        cp = (upper - lower) / (6 * sigma_within)
    return Capability(cp, k_index(sigma_within), k_index(overall))


def dpmo(defects: int, opportunities: int) -> float:
    """Defects per million opportunities (one opportunity per span)."""
    if opportunities <= 0:
        raise ValueError("no opportunities")
    return defects / opportunities * 1_000_000


def sigma_level(defects_per_million: float) -> float | None:
    """The short-term sigma level: the normal quantile of the yield plus 1.5. None for
    no defects at all (the level is unbounded) and for all defective."""
    fraction = defects_per_million / 1_000_000
    if fraction <= 0 or fraction >= 1:
        return None
    return _NORMAL.inv_cdf(1 - fraction) + SHIFT
