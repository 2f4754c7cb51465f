"""The charts pane: a chooser of span series (the user's, most signals first, then
devkit's own), the chosen series' control chart with its numbers, and each project's
entropy gauge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from backend.spc.live import RankedSeries
from backend.spc.rules import RULES, SHORT_RULES
from backend.spc.series import CHARTS, Series
from widgets.control_chart import ControlChart
from widgets.filter_input import FilterInput
from widgets.safe_text import plain
from widgets.theme import theme_color

if TYPE_CHECKING:
    from backend.health.entropy import EntropyReport

LEVEL_STYLE = {"LOW": "success", "MEDIUM": "warning", "HIGH": "error", "CRITICAL": "error"}


class SeriesList(OptionList):
    """Span names with their signal counts; `j`/`k`/`g`/`G` move as in every table."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "Top", show=False),
        Binding("G", "last", "Bottom", show=False),
    ]


class ChartsPane(Vertical):
    """Shows what the app hands it; asks the app for another series, chart or baseline."""

    DEFAULT_CSS = """
    ChartsPane { height: 1fr; }
    ChartsPane #chart-header { height: auto; max-height: 3; padding: 0 1; }
    ChartsPane #chart-row { height: 3fr; }
    ChartsPane SeriesList {
        width: 30; height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis;
        /* the pane's own border shows the focus: a border gained on focus (OptionList's)
           would shift the names and make every pane switch lay out the whole screen */
        &:focus { border: none; }
    }
    ChartsPane #chart-side { width: 1fr; }
    ChartsPane #chart-rules { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ChartsPane #entropy { height: 1fr; min-height: 3; border-top: solid $panel-lighten-2; }
    ChartsPane.-narrow SeriesList { width: 18; }
    """
    BINDINGS = [
        Binding("left,h", "move_cursor(-1)", "Point left", show=False),
        Binding("right,l", "move_cursor(1)", "Point right", show=False),
        Binding(
            "c", "cycle_chart", "Chart", id="charts.chart", tooltip="I-MR, X-bar/R, X-bar/S, p"
        ),
        Binding(
            "left_square_bracket",
            "move_gauge(-1)",
            "Previous gauge",
            id="charts.gauge_up",
            show=False,
            tooltip="Highlight the entropy gauge above",
        ),
        Binding(
            "right_square_bracket",
            "move_gauge(1)",
            "Next gauge",
            id="charts.gauge_down",
            show=False,
            tooltip="Highlight the entropy gauge below",
        ),
        Binding(
            "R",
            "remediate",
            "Remediate",
            id="charts.remediate",
            tooltip="The highlighted gauge's project: strategies from its entropy, a plan, apply",
        ),
        Binding("L", "toggle_log", "Log", id="charts.log", tooltip="Durations in ms or log(ms)"),
        Binding(
            "b",
            "rebaseline",
            "Rebaseline",
            id="charts.baseline",
            tooltip="Compute new control limits from the newest points",
        ),
    ]

    class SeriesChosen(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class ChartChanged(Message):
        def __init__(self, chart: str, log: bool) -> None:
            super().__init__()
            self.chart = chart
            self.log = log

    class RemediateRequested(Message):
        """`R`: the remediation screen of this project."""

        def __init__(self, project: str) -> None:
            super().__init__()
            self.project = project

    class RebaselineRequested(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.series: Series | None = None
        self.entropy_shown: list[EntropyReport] = []
        """The reports the gauges show (tests compare them with `devkit-tui entropy`)."""
        self.chosen: str | None = None
        self.chart = "imr"
        self.log_scale = True
        self.cursor: int | None = None
        self.query_text = ""
        """Words the series list is filtered by (`/`)."""
        self._ranked: list[RankedSeries] = []
        self.project_shown: str | None = None
        """The project the monitor opened the pane at: its gauge is highlighted."""

    def compose(self) -> ComposeResult:
        yield Static(
            "No spans stored yet: charts appear as operations are recorded.", id="chart-header"
        )
        yield FilterInput(placeholder="span name", id="series-filter")
        with Horizontal(id="chart-row"):
            yield SeriesList(id="series-list")
            with Vertical(id="chart-side"):
                yield ControlChart(id="control-chart")
                yield Static("", id="chart-rules")
        with VerticalScroll(id="entropy"):
            yield Static("Entropy: waiting for the first inventory.", id="entropy-text")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 70, "-narrow")

    def open_filter(self) -> None:
        """`/`: filter the series list by span name."""
        self.query_one(FilterInput).open()

    def on_input_changed(self, event: FilterInput.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self._fill_list(self._ranked)

    def on_input_submitted(self, event: FilterInput.Submitted) -> None:
        event.stop()
        self.query_one(SeriesList).focus()

    def on_filter_input_dismissed(self, event: FilterInput.Dismissed) -> None:
        event.stop()
        self.query_text = ""
        self._fill_list(self._ranked)
        self.query_one(SeriesList).focus()

    # -- data down ------------------------------------------------------------------------

    def show_series(self, ranked: list[RankedSeries], series: Series | None) -> None:
        """The chooser's rows (name, spans, signals) and the chosen series."""
        if ranked != self._ranked:
            self._fill_list(ranked)
        if series is not None and (self.series is None or series.span != self.series.span):
            self.cursor = None
        self.series = series
        if series is not None:
            self.chosen = series.span
            self._highlight_chosen()
            if self.cursor is None or self.cursor >= len(series.points):
                self.cursor = len(series.points) - 1 if series.points else None
        self._redraw()

    def reveal_project(self, project: str) -> None:
        """Highlight one project's gauge and scroll it into view."""
        self.project_shown = project
        self.show_entropy(self.entropy_shown)

    def ranked_projects(self) -> list[str]:
        """The gauges' projects, worst first, as they are shown."""
        return [r.project for r in sorted(self.entropy_shown, key=lambda r: (-r.score, r.project))]

    def action_move_gauge(self, step: int) -> None:
        projects = self.ranked_projects()
        if not projects:
            return
        at = projects.index(self.project_shown) if self.project_shown in projects else -1
        self.reveal_project(projects[max(0, min(len(projects) - 1, at + step))])

    def action_remediate(self) -> None:
        projects = self.ranked_projects()
        project = self.project_shown if self.project_shown in projects else None
        if project is None and projects:
            project = projects[0]
        if project is not None:
            self.post_message(self.RemediateRequested(project))

    def show_entropy(self, reports: list[EntropyReport]) -> None:
        self.entropy_shown = reports
        text = Text()
        line_of_shown = None
        for report in sorted(reports, key=lambda r: (-r.score, r.project)):
            style = self._style(LEVEL_STYLE[report.level])
            if report.project == self.project_shown:
                line_of_shown = text.plain.count("\n")
            name_style = "reverse bold" if report.project == self.project_shown else ""
            text.append_text(plain(f"{report.project[:24]:<24}", style=name_style))
            text.append(" ")
            text.append(f"{report.level:<8}", style=f"bold {style}")
            filled = round(report.score * 10)
            text.append(" " + "█" * filled + "░" * (10 - filled), style=style)
            text.append(f" {report.score:.2f}  health {report.health:.2f}")
            if report.validation_errors:
                text.append(f"  {report.validation_errors} unreadable", style="bold")
            text.append("\n")
            for indicator in report.indicators:
                first = indicator.evidence[0] if indicator.evidence else ""
                more = len(indicator.evidence) - 1
                text.append(f"   {indicator.kind}: ", style="italic")
                text.append_text(plain(first + (f" (+{more} more)" if more > 0 else "")))
                text.append("\n")
        self.query_one("#entropy-text", Static).update(text or Text("No projects."))
        if line_of_shown is not None:
            self.query_one("#entropy", VerticalScroll).scroll_to(
                y=line_of_shown, animate=False, immediate=False
            )

    # -- keys and choices -------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        name = str(event.option.id)
        if name != self.chosen:
            self.chosen = name
            self.post_message(self.SeriesChosen(name))

    def action_move_cursor(self, step: int) -> None:
        if self.series is None or not self.series.points:
            return
        current = self.cursor if self.cursor is not None else len(self.series.points) - 1
        self.cursor = max(0, min(len(self.series.points) - 1, current + step))
        self._redraw()

    def action_cycle_chart(self) -> None:
        self.chart = CHARTS[(CHARTS.index(self.chart) + 1) % len(CHARTS)]
        self.post_message(self.ChartChanged(self.chart, self.log_scale))

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.post_message(self.ChartChanged(self.chart, self.log_scale))

    def action_rebaseline(self) -> None:
        if self.chosen:
            self.post_message(self.RebaselineRequested(self.chosen))

    # -- drawing ---------------------------------------------------------------------------

    def _fill_list(self, ranked: list[RankedSeries]) -> None:
        """The user's series, then devkit's own under a heading of their own."""
        self._ranked = ranked
        chooser = self.query_one(SeriesList)
        chooser.clear_options()
        words = self.query_text.lower().split()
        shown = [r for r in ranked if all(word in r.name.lower() for word in words)]
        for index, row in enumerate(shown):
            if row.own and (index == 0 or not shown[index - 1].own):
                if index:
                    chooser.add_option(None)
                chooser.add_option(Option(Text("devkit's own", style="dim italic"), disabled=True))
            label = Text(no_wrap=True, overflow="ellipsis")
            if row.signals:
                label.append(f"⚠{row.signals:<3} ", style=self._style("warning"))
            else:
                label.append("     ")
            label.append_text(plain(row.name))
            label.append(f" {row.count}", style="dim")
            chooser.add_option(Option(label, id=row.name))
        self._highlight_chosen()

    def _highlight_chosen(self) -> None:
        """The chooser's highlight on the series shown, when the filter lets it be seen."""
        chooser = self.query_one(SeriesList)
        if self.chosen is None:
            return
        try:
            index = chooser.get_option_index(self.chosen)
        except OptionDoesNotExist:
            return  # filtered out
        if chooser.highlighted != index:
            chooser.highlighted = index

    def _redraw(self) -> None:
        series = self.series
        self.query_one(ControlChart).show(series, self.cursor)
        header = self.query_one("#chart-header", Static)
        rules = self.query_one("#chart-rules", Static)
        if series is None:
            return
        header.update(_header(series))
        rules.update(self._cursor_text(series))

    def _cursor_text(self, series: Series) -> Text:
        """The point under the cursor and the rules it trips (named in full when one)."""
        text = Text()
        if self.cursor is not None and self.cursor < len(series.points):
            text.append(f"point {self.cursor}: {series.points[self.cursor]:.4g} {series.scale}  ")
            tripped = [v.rule for v in series.violations if self.cursor in v.points]
            if len(tripped) == 1:
                text.append(f"rule {tripped[0]}: {RULES[tripped[0]]}", style=self._style("warning"))
            elif tripped:
                names = ", ".join(f"{r} ({SHORT_RULES[r]})" for r in tripped)
                text.append(f"rules {names}", style=self._style("warning"))
            else:
                text.append("within every rule")
        if series.violations:
            counts = ", ".join(f"{v.rule}: {len(v.points)} points" for v in series.violations)
            text.append(f"\nsignals by rule: {counts}")
        return text

    def _style(self, name: str) -> str:
        return theme_color(self, name)


def _header(series: Series) -> Text:
    text = plain(series.span, style="bold")
    text.append(f"  {series.chart} · {series.scale} · n={series.n}")
    if series.limits_note:
        text.append(f" · {series.limits_note}", style="dim")
    limits = series.limits
    if limits is not None:
        text.append(
            f"\nCL {limits.main.center:.4g}  UCL {limits.main.ucl:.4g}  LCL {limits.main.lcl:.4g}"
        )
    parts = []
    if series.cpk is not None:
        parts.append(f"Cpk {series.cpk:.2f}")
    if series.ppk is not None:
        parts.append(f"Ppk {series.ppk:.2f}")
    if series.dpmo is not None:
        parts.append(f"DPMO {series.dpmo:,.0f}")
        parts.append(
            f"sigma {series.sigma_level:.2f}" if series.sigma_level is not None else "no defects"
        )
    if parts:
        text.append("  " + "  ".join(parts))
    return text
