"""A Shewhart control chart: points, centre line, limits, the points that break a
rule marked, and a cursor whose point names the rules it trips.

Drawn with textual-plotext (Plotext inside a Textual widget, following the app's
theme): it draws lines, scattered markers and horizontal rules, which is all a
control chart needs. The plot is imported when the first chart is drawn, so the
dashboard's first paint does not pay for it. Labels that come from spans are
never handed to Plotext (its output is parsed as ANSI); they go in plain Text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline

from backend.spc.series import Series
from widgets.theme import theme_color

if TYPE_CHECKING:
    from widgets.kept_plot import KeptPlot


class ControlChart(Vertical):
    """The main chart, with the dispersion chart (MR, R or S) under it."""

    DEFAULT_CSS = """
    ControlChart { height: 1fr; }
    ControlChart .plot { height: 2fr; }
    ControlChart .spread { height: 1fr; }
    ControlChart Sparkline { height: 1fr; min-height: 1; display: none; }
    ControlChart.-compact .plot, ControlChart.-compact .spread { display: none; }
    ControlChart.-compact Sparkline { display: block; }
    ControlChart.-no-spread .spread { display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.series: Series | None = None
        self.cursor: int | None = None
        self._plots: tuple[KeptPlot, KeptPlot] | None = None
        self._drawn: tuple[object, ...] | None = None
        """What the plots show now: a refresh that changed nothing draws nothing
        (building a plot is tens of milliseconds on the UI's loop)."""

    def compose(self) -> ComposeResult:
        yield Sparkline([], id="chart-sparkline")

    def show(self, series: Series | None, cursor: int | None) -> None:
        self.series, self.cursor = series, cursor
        points = series.points if series else []
        self.query_one(Sparkline).data = points[-200:] or [0.0]
        if not self.has_class("-compact") and self._shown_now() != self._drawn:
            self._draw()

    def on_resize(self) -> None:
        compact = self.size.height < 8 or self.size.width < 36
        self.set_class(compact, "-compact")
        self.set_class(self.size.height < 20, "-no-spread")
        if not compact:
            self._draw()

    def _shown_now(self) -> tuple[object, ...] | None:
        series = self.series
        if series is None:
            return None
        violations = tuple((v.rule, tuple(v.points)) for v in series.violations)
        return (series.span, series.chart, series.scale, series.limits, tuple(series.points),
                tuple(series.spread_points), tuple(series.ucl_points),
                tuple(series.lcl_points), violations, self.cursor,
                tuple(self._colors().items()))  # fmt: skip

    def _draw(self) -> None:
        series = self.series
        self._drawn = self._shown_now()
        if series is None:
            return
        main, spread = self._ensure_plots()
        _draw_main(main, series, self.cursor, self._colors())
        if series.spread_points and series.limits and series.limits.spread:
            limits = series.limits.spread
            _draw_lines(
                spread,
                series.spread_points,
                limits.center,
                [limits.ucl],
                [limits.lcl],
                [],
                None,
                self._colors(),
                offset=len(series.points) - len(series.spread_points),
            )
        else:
            spread.plt.clear_data()
            spread.redraw()

    def _ensure_plots(self) -> tuple[KeptPlot, KeptPlot]:
        if self._plots is None:
            from widgets.kept_plot import KeptPlot

            self._plots = (
                KeptPlot(classes="plot", id="chart-main"),
                KeptPlot(classes="spread", id="chart-spread"),
            )
            self.mount(*self._plots, before=0)
        return self._plots

    def _colors(self) -> dict[str, str]:
        return {
            "points": theme_color(self, "primary", "blue"),
            "center": theme_color(self, "success", "green"),
            "limit": theme_color(self, "error", "red"),
            "signal": theme_color(self, "warning", "orange"),
            "cursor": theme_color(self, "accent", "magenta"),
        }


def _draw_main(plot: KeptPlot, series: Series, cursor: int | None, colors: dict[str, str]) -> None:
    limits = series.limits
    signals = sorted({i for v in series.violations for i in v.points})
    if limits is None:
        plot.plt.clear_data()
        plot.redraw()
        return
    ucl = series.ucl_points or [limits.main.ucl]
    lcl = series.lcl_points or [limits.main.lcl]
    _draw_lines(plot, series.points, limits.main.center, ucl, lcl, signals, cursor, colors)


def _draw_lines(
    plot: KeptPlot,
    points: list[float],
    center: float,
    ucl: list[float],
    lcl: list[float],
    signals: list[int],
    cursor: int | None,
    colors: dict[str, str],
    offset: int = 0,
) -> None:
    plt = plot.plt
    plt.clear_data()
    xs = [i + offset for i in range(len(points))]
    if not xs:
        plot.redraw()
        return
    rgb = {name: _rgb(color) for name, color in colors.items()}
    plt.plot(xs, points, marker="braille", color=rgb["points"])
    plt.hline(center, rgb["center"])
    for bound in (ucl, lcl):
        if len(bound) == 1:
            plt.hline(bound[0], rgb["limit"])
        else:
            plt.plot(xs, bound, marker="braille", color=rgb["limit"])
    if signals:
        plt.scatter(
            [xs[i] for i in signals], [points[i] for i in signals], marker="x", color=rgb["signal"]
        )
    if cursor is not None and 0 <= cursor < len(points):
        plt.scatter([xs[cursor]], [points[cursor]], marker="◆", color=rgb["cursor"])
    plt.xlim(xs[0], xs[-1] if len(xs) > 1 else xs[0] + 1)
    plot.redraw()


def _rgb(color: str) -> tuple[int, int, int]:
    from textual.color import Color

    parsed = Color.parse(color)
    return (parsed.r, parsed.g, parsed.b)
