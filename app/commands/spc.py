"""`devkit-tui spc`: control charts over stored span durations and error rates."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_OK,
    UsageProblem,
    add_db,
    add_json,
    add_spec_limits,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)
from backend.spc.defaults import (
    CHARTS,
    DEFAULT_BASELINE,
    DEFAULT_BUCKET_S,
    DEFAULT_SPEC_MS,
    DEFAULT_SUBGROUP,
)

if TYPE_CHECKING:
    from backend.settings import Settings
    from backend.spc.series import Series, SeriesOptions

SPC_SCHEMA = "devkit.spc/1"
WINDOW = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--span", metavar="NAME", help="one span name (default: every name)")
    parser.add_argument("--chart", choices=CHARTS, default="imr", help="default: imr")
    parser.add_argument(
        "--baseline",
        type=int,
        metavar="N",
        help="limits from the first N points (subgroups, buckets); by default the limits"
        f" the dashboard fixed and stored, else the first {DEFAULT_BASELINE}",
    )
    parser.add_argument("--log", action="store_true", help="chart log(duration in ms)")
    parser.add_argument(
        "--subgroup",
        type=int,
        default=DEFAULT_SUBGROUP,
        help=f"subgroup size for xbar-r and xbar-s, 2 to 25 (default {DEFAULT_SUBGROUP})",
    )
    parser.add_argument(
        "--bucket",
        type=float,
        default=DEFAULT_BUCKET_S,
        metavar="SECONDS",
        help=f"time bucket of the p-chart (default {DEFAULT_BUCKET_S:g} s)",
    )
    parser.add_argument(
        "--spec",
        type=float,
        default=DEFAULT_SPEC_MS,
        metavar="MS",
        help=f"upper specification limit in ms (default {DEFAULT_SPEC_MS:g})",
    )
    add_spec_limits(parser)
    parser.add_argument(
        "--window", type=int, default=WINDOW, help=f"the newest N spans of each name ({WINDOW})"
    )
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    from backend.spc.series import SeriesOptions

    if problem := _problem(options):
        raise UsageProblem(problem)
    settings = settings_from(options, roots=[], watch=False)
    chart_options = SeriesOptions(
        chart=options.chart,
        baseline=options.baseline or DEFAULT_BASELINE,
        log=options.log,
        subgroup=options.subgroup,
        bucket_s=options.bucket,
        spec_ms=options.spec,
    )
    stored = options.baseline is None
    series, own = run_async(_series(settings, options.span, chart_options, options.window, stored))
    if options.span and not series:
        raise UsageProblem(f"no spans named {options.span!r} are stored")
    if options.json:
        documents = [{**s.as_json(), "own": s.span in own} for s in series]
        print_json({"schema": SPC_SCHEMA, "series": documents})
    else:
        _print_table(series)
    return EXIT_OK


def _problem(options: argparse.Namespace) -> str | None:
    if options.baseline is not None and options.baseline < 1:
        return "--baseline must be at least 1"
    if not 2 <= options.subgroup <= 25:
        return "--subgroup must be between 2 and 25"
    if options.bucket <= 0 or options.spec <= 0 or options.window < 2:
        return "--bucket and --spec must be positive, --window at least 2"
    return None


async def _series(
    settings: Settings, span: str | None, options: SeriesOptions, window: int, stored: bool
) -> tuple[list[Series], set[str]]:
    """The series, ranked as the dashboard ranks them (the user's first, most signals
    first), and the names that are devkit's own."""
    from dataclasses import replace

    from backend.spc import baselines
    from backend.spc.series import analyse

    async with open_backend(settings) as backend:
        spans = backend.spans
        fixed = await baselines.load(backend.store, options) if stored else {}
        own = await spans.own_names()
        names = [span] if span else sorted(name for name, _ in await spans.names())
        out = []
        for name in names:
            samples = await spans.samples(name, window)
            if not samples:
                continue
            spec = settings.spec_limits.get(name, options.spec_ms)
            series = analyse(name, samples, replace(options, spec_ms=spec), fixed.get(name))
            series.limits_note = (
                "stored baseline" if name in fixed else f"first {options.baseline} points"
            )
            out.append(series)
        return sorted(out, key=lambda s: (s.span in own, -s.signal_count, s.span)), own


def _print_table(series: list[Series]) -> None:
    print(
        f"{'SPAN':<32} {'CHART':<6} {'N':>6} {'CENTER':>10} {'UCL':>10} {'LCL':>10}"
        f" {'RULES':<12} {'CPK':>6} {'DPMO':>9} {'SIGMA':>5}"
    )
    for s in series:
        document = s.as_json()
        rules = ",".join(str(v.rule) for v in s.violations) or "-"
        print(
            f"{printable(s.span)[:32]:<32} {s.chart:<6} {s.n:>6} {_num(document['center']):>10}"
            f" {_num(document['ucl']):>10} {_num(document['lcl']):>10} {rules:<12}"
            f" {_num(s.cpk, 2):>6} {_num(s.dpmo, 0):>9} {_num(s.sigma_level, 2):>5}"
        )
    print(f"{len(series)} series; scale: {series[0].scale if series else '-'}", file=sys.stderr)


def _num(value: Any, places: int = 3) -> str:
    return "-" if value is None else f"{value:.{places}f}"
