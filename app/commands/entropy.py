"""`devkit-tui entropy`: each project's health, drift indicators and entropy score."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_db,
    add_json,
    add_roots,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.health.entropy import EntropyReport
    from backend.service import Backend
    from backend.settings import Settings

ENTROPY_SCHEMA = "devkit.entropy/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_roots(parser)
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=False)
    reports = run_async(_reports(settings))
    if options.json:
        print_json({"schema": ENTROPY_SCHEMA, "projects": [r.as_json() for r in reports]})
    else:
        _print(reports)
    alarming = any(r.level in ("HIGH", "CRITICAL") for r in reports)
    return EXIT_FINDINGS if alarming else EXIT_OK


async def _reports(settings: Settings) -> list[EntropyReport]:
    async with open_backend(settings) as backend:
        await backend.scan(reason="entropy")
        await backend.mark_vulnerable()  # a vulnerable dependency is drift too
        _mark_policy(backend)  # and so is a package that breaks the team's bundle
        await backend.check_report()  # live-check violations are semantic drift
        return sorted(await backend.entropy(), key=lambda r: (-r.score, r.project))


def _mark_policy(backend: Backend) -> None:
    from backend.policy.bundle import BundleError

    try:
        backend.mark_policy()
    except BundleError as exc:  # the scores still come, without the bundle
        print(f"policy bundle not read: {printable(str(exc))}", file=sys.stderr)


def _print(reports: list[EntropyReport]) -> None:
    print(f"{'PROJECT':<28} {'LEVEL':<9} {'SCORE':>5} {'HEALTH':>6} {'DRIFT':>5} {'ERRORS':>6}")
    for report in reports:
        print(
            f"{printable(report.project)[:28]:<28} {report.level:<9} {report.score:>5.2f}"
            f" {report.health:>6.2f} {len(report.indicators):>5} {report.validation_errors:>6}"
        )
        for indicator in report.indicators:
            shown = ", ".join(indicator.evidence[:3])
            more = f" (+{len(indicator.evidence) - 3} more)" if len(indicator.evidence) > 3 else ""
            print(f"    {indicator.kind}: {printable(shown)}{more}")
    print(f"{len(reports)} projects", file=sys.stderr)
