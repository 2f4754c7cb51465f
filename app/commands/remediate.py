"""`devkit-tui remediate`: from entropy to repair (DMEDI). Each project's charter, its
entropy and indicators, the strategies their evidence allows (smallest first, each
with its risk and the score it is expected to reach), the chosen ones planned in
scratch copies and, with `--yes`, applied through the update machinery and scored
again. Exit 1 when a project's criteria are still not met after applying, or the
apply failed; a `--dry-run` exits 0 unless the input is unusable (2)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    add_apply_options,
    add_db,
    add_json,
    add_roots,
    open_backend,
    print_json,
    printable,
    project_folder,
    run_async,
    settings_from,
    warn,
)

if TYPE_CHECKING:
    from backend.remediation.flow import ProjectRemediation
    from backend.settings import Settings

REMEDIATE_SCHEMA = "devkit.remediate/1"
SHOWN_STEPS = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_roots(parser)
    parser.add_argument(
        "--project", action="append", default=[], metavar="P",
        help="only this project, by folder or name (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--strategy", action="append", default=[], metavar="ID",
        help="apply this strategy (PROJECT:INDICATOR:N, as a dry run prints it; repeatable);"
        " default: each indicator's first one the charter allows",
    )  # fmt: skip
    add_apply_options(parser)
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    settings = settings_from(options, watch=False)
    return run_async(_remediate(settings, options))


async def _remediate(settings: Settings, options: argparse.Namespace) -> int:
    from app.commands.update import print_plan, ready_updater

    apply = not options.dry_run
    if apply and not options.yes and not sys.stdin.isatty():
        warn("remediate", "not applied (use --yes, or --dry-run to preview)")
        return EXIT_USAGE
    async with open_backend(settings) as backend:
        await ready_updater(backend)
        inventory = await backend.scan(reason="remediate")
        names = {p.path: p.name for p in inventory.projects}
        projects = [names[project_folder(backend, s)] for s in options.project]
        remediation = backend.remediation()
        runs, skipped = await remediation.plan(projects, options.strategy)
        if apply and any(r.units for r in runs) and not options.yes:
            _print(runs)
            print_plan(remediation.units, skipped, file=sys.stdout)
            if input("Apply this plan? [y/N] ").strip().lower() not in ("y", "yes"):
                return EXIT_OK
        if apply:
            await remediation.implement(runs)
    if options.json:
        print_json({"schema": REMEDIATE_SCHEMA, "dry_run": options.dry_run,
                    "projects": [r.as_json() for r in runs],
                    "skipped": [s.as_json() for s in skipped]})  # fmt: skip
    else:
        _print(runs)
        print_plan(remediation.units, skipped, file=sys.stdout)
    if options.dry_run:
        return EXIT_OK
    bad = any(r.failed or (r.needs_action and not r.criteria_met) for r in runs)
    return EXIT_FINDINGS if bad else EXIT_OK


def _print(runs: list[ProjectRemediation]) -> None:
    for run in runs:
        before = run.before
        after = f" -> {run.after.score:.2f} {run.after.level}" if run.after else ""
        print(
            f"{printable(run.project)}: {before.score:.2f} {before.level}{after}"
            + ("" if run.needs_action else f" (below the charter's {run.charter.threshold})")
        )
        for strategy in run.strategies:
            mark = "*" if strategy.id in run.chosen else " "
            note = "" if strategy.allowed else " (the charter does not allow it)"
            expected = "" if strategy.action == "inspect" else (
                f" -> {strategy.expected_score:.2f} {strategy.expected_level}"
            )  # fmt: skip
            print(f"  {mark} {printable(strategy.id)}: {printable(strategy.title)}{expected}{note}")
            for step in strategy.actions[:SHOWN_STEPS]:
                print(f"      {printable(step)}")
            if len(strategy.actions) > SHOWN_STEPS:
                print(f"      … and {len(strategy.actions) - SHOWN_STEPS} more (--json lists all)")
        verdict = "met" if run.criteria_met else "not met: " + "; ".join(run.unmet)
        print(f"  criteria {printable(verdict)}")
