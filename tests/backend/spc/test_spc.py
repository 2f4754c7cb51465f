"""Control charts, Nelson's rules and capability against published worked examples."""

from __future__ import annotations

import math
import statistics

import pytest

from backend.spc.capability import capability, dpmo, sigma_level
from backend.spc.charts import (
    imr_limits,
    moving_ranges,
    p_center,
    p_chart,
    subgroups_of,
    xbar_r_limits,
    xbar_s_limits,
)
from backend.spc.constants import constants
from backend.spc.rules import nelson

# Montgomery, Introduction to Statistical Quality Control (6th ed.), Example 6.5: the
# cost of processing mortgage loan applications, 20 weeks; x-bar 300.5, MR-bar 7.79,
# UCL 321.22, LCL 279.78, and the MR chart's UCL 25.45.
MORTGAGE_COSTS = [
    310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
    294, 299, 297, 299, 314, 295, 293, 306, 301, 304,
]  # fmt: skip


def test_individuals_chart_reproduces_montgomery_example_6_5() -> None:
    limits = imr_limits(MORTGAGE_COSTS)
    assert round(limits.main.center, 2) == 300.5
    assert round(limits.spread.center, 2) == 7.79  # type: ignore[union-attr]
    assert round(limits.main.ucl, 2) == 321.22
    assert round(limits.main.lcl, 2) == 279.78
    assert round(limits.spread.ucl, 2) == 25.45  # type: ignore[union-attr]
    assert limits.spread.lcl == 0  # type: ignore[union-attr]
    assert len(moving_ranges(MORTGAGE_COSTS)) == 19
    assert nelson(MORTGAGE_COSTS, limits.main.center, limits.main.sigma) == []


def subgroups_with(mean: float, spread: float, count: int, n: int = 5) -> list[list[float]]:
    """`count` subgroups of `n` whose mean is `mean` and whose range is `spread`."""
    return [[mean - spread / 2, *([mean] * (n - 2)), mean + spread / 2] for _ in range(count)]


def test_xbar_r_reproduces_montgomery_example_6_1() -> None:
    # Hard-bake flow width, 25 samples of 5: x-double-bar 1.5056, R-bar 0.32521;
    # x-bar chart 1.3180 to 1.6932, R chart 0 to 0.6876.
    limits = xbar_r_limits(subgroups_with(1.5056, 0.32521, 25))
    assert round(limits.main.ucl, 4) == 1.6932
    assert round(limits.main.lcl, 4) == 1.3180
    assert round(limits.spread.ucl, 4) == 0.6875  # type: ignore[union-attr]
    assert limits.spread.lcl == 0  # type: ignore[union-attr]


def test_xbar_s_reproduces_montgomery_example_6_3() -> None:
    # Piston-ring inside diameters, 25 samples of 5: x-double-bar 74.001, s-bar
    # 0.0094; x-bar chart 73.988 to 74.014, s chart 0 to 0.0196.
    d = 0.0094 * math.sqrt(2)  # [m-d, m, m, m, m+d] has s = d / sqrt(2)
    groups = [[74.001 - d, 74.001, 74.001, 74.001, 74.001 + d]] * 25
    assert round(statistics.stdev(groups[0]), 6) == 0.0094
    limits = xbar_s_limits(groups)
    assert round(limits.main.ucl, 3) == 74.014
    assert round(limits.main.lcl, 3) == 73.988
    assert round(limits.spread.ucl, 4) == 0.0196  # type: ignore[union-attr]
    assert limits.spread.lcl == 0  # type: ignore[union-attr]


def test_p_chart_reproduces_montgomery_exercise_6_1() -> None:
    # 20 samples of 100 assemblies, 117 nonconforming: p-bar 0.0585, UCL 0.1289, LCL 0.
    defects = [6] * 17 + [5, 5, 5]
    assert sum(defects) == 117
    center = p_center(defects, [100] * 20)
    chart = p_chart(defects, [100] * 20, center)
    assert round(center, 4) == 0.0585
    assert round(chart.ucls[0], 4) == 0.1289 and chart.lcls[0] == 0


def test_p_chart_limits_follow_each_bucket_size() -> None:
    # NIST/SEMATECH e-Handbook 6.3.3.2: wafers of 50 chips, p-bar 0.2313 gives
    # limits 0.0524 and 0.4102.
    chart = p_chart([10, 2], [50, 10], 0.2313)
    assert round(chart.lcls[0], 4) == 0.0524 and round(chart.ucls[0], 4) == 0.4102
    assert chart.ucls[1] > chart.ucls[0] and chart.lcls[1] == 0  # fewer chips, wider
    assert chart.points == [0.2, 0.2]


def test_constants_agree_with_numerical_integration() -> None:
    """d2 and d3 are the mean and standard deviation of the range of n standard
    normal values; c4 is exact. Published tables round to three or four places."""
    grid = [-8 + i * 0.02 for i in range(801)]
    cdf = [0.5 * (1 + math.erf(x / math.sqrt(2))) for x in grid]
    pdf = [math.exp(-x * x / 2) / math.sqrt(2 * math.pi) for x in grid]
    for n in (2, 5, 10, 25):
        mean = second = 0.0
        for j in range(601):  # r from 0 to 12
            inside = sum(
                pdf[i] * ((cdf[i + j] if i + j < len(grid) else 1.0) - cdf[i]) ** (n - 1)
                for i in range(len(grid))
            )
            survival = 1 - n * inside * 0.02
            weight = 0.5 if j in (0, 600) else 1.0
            mean += weight * survival * 0.02
            second += weight * 2 * (j * 0.02) * survival * 0.02
        k = constants(n)
        c4 = math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))
        assert abs(k.d2 - mean) < 0.001, n
        assert abs(k.d3 - math.sqrt(second - mean**2)) < 0.001, n
        assert abs(k.c4 - c4) < 0.00006, n
        assert abs(k.a2 - 3 / (k.d2 * math.sqrt(n))) < 0.002, n


def test_subgroups_of_leaves_out_an_incomplete_one() -> None:
    assert subgroups_of(list(range(12)), 5) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError, match="2 to 25"):
        subgroups_of([1, 2, 3], 26)


# Nelson's rules, on a chart with centre 0 and sigma 1: each series trips its rule only.
RULE_SERIES = {
    1: [0.5, -0.5, 0.3, 3.5, -0.2, 0.1],
    2: [0.5, 0.3, 0.8, 0.2, 0.6, 0.4, 0.9, 0.1, 0.7, -0.5],
    3: [-1.5, -0.9, -0.2, 0.4, 0.9, 1.4, 0.2],
    4: [0.5, -0.5] * 7,
    5: [0.5, 2.5, -0.3, 2.4, 0.2],
    6: [1.5, -0.2, 1.2, 1.8, 1.3, -0.4],
    7: [0.5, 0.3, -0.5, -0.2, 0.6, 0.1, -0.7, -0.1, 0.4, 0.2, -0.3, -0.6, 0.7, 0.2, -0.4, 1.5],
    8: [1.5, -1.5, -1.6, 1.7, 1.5, -1.4, -1.8, 1.9],
}


@pytest.mark.parametrize("rule", sorted(RULE_SERIES))
def test_each_rule_trips_alone(rule: int) -> None:
    violations = nelson(RULE_SERIES[rule], 0.0, 1.0)
    assert [v.rule for v in violations] == [rule]


def test_rule_points_are_the_pattern() -> None:
    assert nelson(RULE_SERIES[1], 0, 1)[0].points == (3,)
    assert nelson(RULE_SERIES[2], 0, 1)[0].points == tuple(range(9))
    assert nelson(RULE_SERIES[3], 0, 1)[0].points == tuple(range(6))
    assert nelson(RULE_SERIES[4], 0, 1)[0].points == tuple(range(14))
    assert nelson(RULE_SERIES[5], 0, 1)[0].points == (1, 3)
    assert nelson(RULE_SERIES[6], 0, 1)[0].points == (0, 2, 3, 4)
    assert nelson(RULE_SERIES[7], 0, 1)[0].points == tuple(range(15))
    assert nelson(RULE_SERIES[8], 0, 1)[0].points == tuple(range(8))


def test_a_quiet_series_trips_nothing() -> None:
    quiet = [0.4, -0.8, 1.2, 0.3, -0.5, 0.9, -1.1, 0.2, 0.6, -0.3, 1.3, -0.7, 0.1, -0.9, 0.5,
             1.1, -0.4, 0.8, -1.2, 0.3]  # fmt: skip
    assert nelson(quiet, 0.0, 1.0) == []


def test_zones_can_differ_per_point() -> None:
    # 0.3 is beyond 3 sigma where sigma is 0.05, not where it is 0.2.
    assert [v.points for v in nelson([0.1, 0.3, 0.3], 0.1, [0.2, 0.2, 0.05])] == [(2,)]


def test_capability_one_and_two_sided() -> None:
    values = [100.0, 110.0, 90.0, 105.0, 95.0]
    one_sided = capability(values, sigma_within=10.0, upper=160.0)
    assert one_sided.cp is None
    assert one_sided.cpk == pytest.approx((160 - 100) / 30)
    assert one_sided.ppk == pytest.approx((160 - 100) / (3 * statistics.stdev(values)))
    two_sided = capability(values, sigma_within=10.0, upper=160.0, lower=70.0)
    assert two_sided.cp == pytest.approx(90 / 60)
    assert two_sided.cpk == pytest.approx(1.0)  # the lower side is nearer


@pytest.mark.parametrize(
    ("per_million", "level"), [(3.4, 6.0), (233, 5.0), (6_210, 4.0), (66_807, 3.0)]
)
def test_dpmo_to_sigma_level(per_million: float, level: float) -> None:
    assert round(sigma_level(per_million), 2) == level  # type: ignore[arg-type]


def test_dpmo_and_its_edges() -> None:
    assert dpmo(17, 5_000_000) == 3.4
    assert sigma_level(0) is None and sigma_level(1_000_000) is None
