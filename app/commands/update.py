"""`devkit-tui update`: move packages forward across projects with uv, previewed,
verified, and rolled back where anything fails. `devkit-tui undo` reverts the last
batch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageProblem,
    add_db,
    add_index,
    add_json,
    add_max_depth,
    open_backend,
    print_json,
    printable,
    project_folder,
    run_async,
    settings_from,
    warn,
)

if TYPE_CHECKING:
    from backend.settings import Settings

UPDATE_SCHEMA = "devkit.update/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packages", nargs="*", metavar="NAME[==VERSION]", help="packages to update")
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="P",
        help="only this project, by folder or name (repeatable)",
    )
    parser.add_argument("--all-outdated", action="store_true", help="every outdated package")
    parser.add_argument(
        "--fix-vulns",
        action="store_true",
        help="every vulnerable package to the release that fixes its findings"
        " (the advisories `devkit-tui vulns --import` stored)",
    )
    parser.add_argument(
        "--latest",
        action="store_true",
        help="go to the newest release, bumping the specifier with `uv add` where it must",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    add_json(parser)
    parser.add_argument(
        "--root", action="append", type=Path, dest="roots", metavar="PATH",
        help="folder to scan (repeatable; default: .)",
    )  # fmt: skip
    add_index(parser, "as uv would choose")
    parser.add_argument("--jobs", type=int, help="projects at once (default 2)")
    add_max_depth(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    from backend.update.plan import Selection, UpdateRequest
    from backend.update.uv_runner import UnsafeArgument

    if not (options.packages or options.all_outdated or options.fix_vulns):
        raise UsageProblem("name packages, or use --all-outdated or --fix-vulns")
    try:
        requests = [UpdateRequest.parse(text) for text in options.packages]
    except UnsafeArgument as exc:
        raise UsageProblem(str(exc)) from None
    settings = settings_from(options, watch=False)
    selection = Selection(
        requests=requests,
        projects=options.project,
        all_outdated=options.all_outdated,
        latest=options.latest,
    )
    return run_async(_update(settings, selection, settings.index_url, options))


async def _update(
    settings: Settings, selection: Any, explicit: str | None, options: argparse.Namespace
) -> int:
    async with open_backend(settings) as backend:
        updater = await ready_updater(backend)
        inventory = await backend.scan(reason="scan")
        if selection.projects:  # folders or names, each a known project
            names = {p.path: p.name for p in inventory.projects}
            chosen = [names[project_folder(backend, s)] for s in selection.projects]
            selection.projects = chosen
        unfixable = (
            await _vulnerable_targets(backend, inventory, selection) if options.fix_vulns else []
        )
        units, skipped = await backend.updates.plan(selection, explicit, options.offline)
        skipped += unfixable
        stopped = await resolve_and_apply(updater, units, skipped, options, "update")
        if stopped is not None:
            return stopped
        if options.json:
            print_json(
                {
                    "schema": UPDATE_SCHEMA,
                    "dry_run": options.dry_run,
                    "projects": [u.as_json() for u in units],
                    "skipped": [s.as_json() for s in skipped],
                }
            )
        elif options.dry_run or options.yes:
            print_plan(units, skipped, file=sys.stdout)
        failed = any(u.result in ("failed", "rolled-back") for u in units)
        return EXIT_FINDINGS if failed else EXIT_OK


async def ready_updater(backend: Any) -> Any:
    """The updater, once what an interrupted update left half done is restored; no uv
    is a usage problem."""
    from backend.update.uv_runner import UvMissing

    await backend.updates.recover()
    try:
        return backend.updates.updater()
    except UvMissing as exc:
        raise UsageProblem(str(exc)) from None


async def resolve_and_apply(
    updater: Any, units: list[Any], skipped: list[Any], options: argparse.Namespace, what: str
) -> int | None:
    """Resolve the units in scratch copies, ask (unless `--yes` or `--dry-run`), apply.
    Returns the exit code when it stops before applying, else None."""
    progress = _progress if sys.stderr.isatty() and not options.json else None
    await updater.resolve(units, progress=progress)
    apply = not options.dry_run and any(u.result == "planned" for u in units)
    if apply and not options.yes:
        print_plan(units, skipped, file=sys.stderr if options.json else sys.stdout)
        if not sys.stdin.isatty():
            warn(what, "not applied (use --yes, or --dry-run to preview)")
            return EXIT_USAGE
        if input("Apply this plan? [y/N] ").strip().lower() not in ("y", "yes"):
            return EXIT_OK
    failed_to_resolve = any(u.result == "failed" for u in units)
    if apply or (failed_to_resolve and not options.dry_run):  # failures are audited too
        await updater.apply(units, progress=progress)
    return None


async def _vulnerable_targets(backend: Any, inventory: Any, selection: Any) -> list[Any]:
    """Each vulnerable package's fix as the target of its (name, project); those no
    release fixes come back as skipped, with why."""
    from backend.update.plan import Skipped

    if (await backend.security.database()).records == 0:
        raise UsageProblem("no advisory database imported (devkit-tui vulns --import PATH)")
    wanted = set(selection.projects)
    unfixable = []
    for result in await backend.security.check(inventory):
        if result.state != "vulnerable" or (wanted and result.project not in wanted):
            continue
        if result.fix is None:
            ids = ", ".join(f.ids[0] for f in result.findings)
            unfixable.append(Skipped(result.name, result.project, f"no release fixes {ids}"))
        else:
            selection.targets[(result.name, result.project)] = result.fix
    return unfixable


def _progress(unit: Any, step: str) -> None:
    print(f"  {printable(unit.project)}: {step}", file=sys.stderr)


def print_plan(units: list[Any], skipped: list[Any], file: Any) -> None:
    for unit in units:
        print(f"{printable(unit.project)} ({unit.folder})  [{unit.result}]", file=file)
        if unit.constraints:
            print(f"  constraints: {printable(', '.join(unit.constraints))}", file=file)
        for change in unit.changes:
            print(
                f"  {printable(change.name)} {change.current} -> {change.target}"
                f"  via {change.method}",
                file=file,
            )
        for line in unit.lock_diff.lines():
            print(f"    {printable(line)}", file=file)
        for rel, lines in unit.file_diffs().items():
            print(f"    {printable(rel)}:", file=file)
            for line in lines:
                print(f"      {printable(line)}", file=file)
        if unit.error:
            for line in unit.error.splitlines():
                print(f"  ! {printable(line)}", file=file)
    for item in skipped:
        if not item.name:  # a whole project
            print(f"skipped {printable(item.project)}: {printable(item.reason)}", file=file)
            continue
        where = f" in {printable(item.project)}" if item.project else ""
        hint = " (use --latest)" if item.newest_allowed_is_current else ""
        print(f"skipped {printable(item.name)}{where}: {printable(item.reason)}{hint}", file=file)
    if not units and not skipped:
        print("nothing to update", file=file)
