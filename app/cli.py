"""The `devkit-tui` command: the dashboard by default, headless subcommands beside it.

Headless subcommands never import textual: `list` must start fast in scripts and CI.
Exit codes: 0 ok, 1 findings, 2 usage or input error (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from backend.demo import build_demo_workspace
from backend.inventory import Inventory
from backend.schema import inventory_json
from backend.service import Backend
from backend.settings import DB_ENV_VAR, Settings, SettingsError
from backend.store import StoreError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("list", "demo")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in SUBCOMMANDS else None
    parser = _parser(command)
    options = parser.parse_args(args[1:] if command else args)
    try:
        if command == "list":
            return _run_list(options)
        if command == "demo":
            return _run_demo(options)
        return _run_dashboard(options)
    except (StoreError, SettingsError) as exc:
        print(f"devkit-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser(command: str | None) -> argparse.ArgumentParser:
    if command == "list":
        parser = argparse.ArgumentParser(
            prog="devkit-tui list",
            description="Print the package inventory of every project under the roots.",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")
    elif command == "demo":
        parser = argparse.ArgumentParser(
            prog="devkit-tui demo", description="Open the dashboard on a generated demo workspace."
        )
        parser.add_argument(
            "--into", type=Path, help="build the workspace here (default: a temp dir)"
        )
        parser.add_argument("--no-open", action="store_true", help="build it and print its path")
        parser.add_argument("--json", action="store_true", help="with --no-open: print JSON")
    else:
        parser = argparse.ArgumentParser(
            prog="devkit-tui",
            description="A dashboard for many Python projects. Subcommands: "
            + ", ".join(SUBCOMMANDS)
            + " (each takes --help).",
        )
        parser.add_argument("--no-watch", action="store_true", help="do not watch for changes")
    if command != "demo":
        parser.add_argument("roots", nargs="*", type=Path, help="folders to scan (default: .)")
        parser.add_argument("--max-depth", type=int, default=8, help="folder depth to search")
        parser.add_argument("--env", type=Path, help="environment to use instead of each .venv")
    parser.add_argument(
        "--db", type=Path, help=f"SQLite file (default: ${DB_ENV_VAR} or user data dir)"
    )
    return parser


def _settings(options: argparse.Namespace, roots: list[Path], watch: bool) -> Settings:
    values: dict[str, object] = {"roots": roots, "watch": watch}
    if options.db:
        values["db_path"] = options.db
    if getattr(options, "max_depth", None) is not None:
        values["max_depth"] = options.max_depth
    if getattr(options, "env", None):
        values["environment"] = options.env
    return Settings(**values)


def _check_roots(roots: list[Path]) -> str | None:
    for root in roots:
        if not root.is_dir():
            return f"devkit-tui: {root}: not a folder"
    return None


def _run_list(options: argparse.Namespace) -> int:
    roots = options.roots or [Path.cwd()]
    if problem := _check_roots(roots):
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    inventory = asyncio.run(_scan_once(_settings(options, roots, watch=False)))
    if options.json:
        sys.stdout.write(inventory_json(inventory) + "\n")
    else:
        _print_table(inventory)
    for project in inventory.projects:
        for error in project.errors:
            print(f"error: {error}", file=sys.stderr)
    return EXIT_FINDINGS if inventory.error_count else EXIT_OK


async def _scan_once(settings: Settings) -> Inventory:
    backend = Backend(settings)
    await backend.start(scan=False)
    try:
        await backend.ready()
        return await backend.scan(reason="list")
    finally:
        await backend.stop()


def _print_table(inventory: Inventory) -> None:
    rows = [("PACKAGE", "VERSIONS", "FLAGS", "PROJECTS")]
    for row in inventory.packages.values():
        rows.append(
            (
                row.name,
                " ".join(row.versions) or "-",
                ",".join(sorted(row.flags)) or "-",
                str(len(row.usages)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    print(
        f"{len(inventory.packages)} packages in {len(inventory.projects)} projects,"
        f" {inventory.error_count} errors",
        file=sys.stderr,
    )


def _run_demo(options: argparse.Namespace) -> int:
    target = options.into or Path(tempfile.mkdtemp(prefix="devkit-demo-"))
    build_demo_workspace(target)
    if options.no_open:
        if options.json:
            print(json.dumps({"schema": "devkit.demo/1", "path": str(target)}))
        else:
            print(target)
        return EXIT_OK
    print(f"demo workspace: {target}", file=sys.stderr)
    return _open_dashboard(_settings(options, [target], watch=True))


def _run_dashboard(options: argparse.Namespace) -> int:
    roots = options.roots or [Path.cwd()]
    if problem := _check_roots(roots):
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    return _open_dashboard(_settings(options, roots, watch=not options.no_watch))


def start_backend(settings: Settings) -> Backend:
    """A dashboard's backend with its first scan already running in a child process.

    Called before the UI is imported: importing Textual and scanning each take about
    half a second, and this way they overlap on two cores.
    """
    backend = Backend(settings, scan_in_child=True)
    backend.begin_scan()
    return backend


def _open_dashboard(settings: Settings) -> int:
    backend = start_backend(settings)
    from app.tui import DevkitApp

    DevkitApp(settings, backend).run()
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
