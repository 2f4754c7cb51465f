"""Nelson's eight rules (Nelson 1984, *Journal of Quality Technology* 16(4)).

Each rule reports every point that takes part in a pattern that trips it: the
point beyond 3 sigma, every point of a run or trend, the points beyond the zone in
a two-of-three or four-of-five window. Zones use one sigma per point, so a
p-chart's varying limits work the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

RULES = {
    1: "one point beyond 3 sigma",
    2: "nine points in a row on one side of the centre line",
    3: "six points in a row steadily increasing or decreasing",
    4: "fourteen points in a row alternating up and down",
    5: "two of three points beyond 2 sigma on the same side",
    6: "four of five points beyond 1 sigma on the same side",
    7: "fifteen points in a row within 1 sigma",
    8: "eight points in a row with none within 1 sigma",
}
SHORT_RULES = {
    1: "beyond 3 sigma",
    2: "9 on one side",
    3: "6 trending",
    4: "14 alternating",
    5: "2 of 3 beyond 2 sigma",
    6: "4 of 5 beyond 1 sigma",
    7: "15 within 1 sigma",
    8: "8 outside 1 sigma",
}
"""The same rules in a few words, where a line names several at once."""


@dataclass(frozen=True, slots=True)
class Violation:
    rule: int
    points: tuple[int, ...]

    @property
    def description(self) -> str:
        return RULES[self.rule]


def nelson(
    values: Sequence[float], center: float, sigma: float | Sequence[float]
) -> list[Violation]:
    """Every rule that trips, in rule order, with the indexes of its points."""
    sigmas = [sigma] * len(values) if isinstance(sigma, int | float) else list(sigma)
    if len(sigmas) != len(values):
        raise ValueError("one sigma per point")
    z = [(v - center) / s if s > 0 else 0.0 for v, s in zip(values, sigmas, strict=True)]
    found = {
        1: {i for i, zi in enumerate(z) if abs(zi) > 3},
        2: _runs(z, 9, lambda a: _side(a)),
        3: _trends(values, 6),
        4: _alternating(values, 14),
        5: _k_of_m(z, 2, 3, 2),
        6: _k_of_m(z, 4, 5, 1),
        7: _runs(z, 15, lambda a: 0 if abs(a) < 1 else None),
        8: _runs(z, 8, lambda a: 0 if abs(a) > 1 else None),
    }
    return [Violation(rule, tuple(sorted(points))) for rule, points in found.items() if points]


def _side(z: float) -> int | None:
    return 1 if z > 0 else -1 if z < 0 else None


def _runs(z: Sequence[float], length: int, key: Callable[[float], int | None]) -> set[int]:
    """Points in runs of at least `length` consecutive points with the same key
    (None breaks a run)."""
    out: set[int] = set()
    run_start, run_key = 0, None
    for i in range(len(z) + 1):
        current = key(z[i]) if i < len(z) else None
        if i < len(z) and current is not None and current == run_key:
            continue
        if run_key is not None and i - run_start >= length:
            out.update(range(run_start, i))
        run_start, run_key = i, current
    return out


def _trends(values: Sequence[float], length: int) -> set[int]:
    """Runs of `length` points each higher (or each lower) than the one before."""
    out: set[int] = set()
    for direction in (1, -1):
        start = 0
        for i in range(1, len(values) + 1):
            if i < len(values) and (values[i] - values[i - 1]) * direction > 0:
                continue
            if i - start >= length:
                out.update(range(start, i))
            start = i
    return out


def _alternating(values: Sequence[float], length: int) -> set[int]:
    """Runs of `length` points whose successive differences change sign each time."""
    out: set[int] = set()
    diffs = [b - a for a, b in itertools.pairwise(values)]
    run_start = 0  # the first difference of the current run
    for j in range(1, len(diffs) + 1):
        if j < len(diffs) and diffs[j] * diffs[j - 1] < 0:
            continue
        # differences run_start .. j-1 alternate: points run_start .. j
        if diffs[run_start] != 0 and j - run_start + 1 >= length:
            out.update(range(run_start, j + 1))
        run_start = j
    return out


def _k_of_m(z: Sequence[float], k: int, m: int, beyond: float) -> set[int]:
    """In any window of `m` points, `k` or more beyond `beyond` sigma on one side."""
    out: set[int] = set()
    for end in range(m, len(z) + 1):
        window = range(end - m, end)
        for side in (1, -1):
            hits = [i for i in window if z[i] * side > beyond]
            if len(hits) >= k:
                out.update(hits)
    return out
