"""The `devkit-tui` command: the dashboard by default, headless subcommands beside it.

The registry below is all the parser needs to know before a command is chosen: only
the chosen command's module is imported, and that module imports its work inside
`run`, so `devkit-tui --help` and `devkit-tui COMMAND --help` load neither the
backend nor the UI. Errors a user can fix are printed here, once, the same way for
every command. Exit codes: 0 ok, 1 findings, 2 usage or input error (DESIGN.md).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import NamedTuple


class Command(NamedTuple):
    module: str
    description: str
    interactive: bool = False
    """It runs a Textual app (and with it the scan process): it exits the usual way."""


DASHBOARD = Command(
    "app.commands.dashboard",
    "A dashboard for many Python projects. Subcommands: {names} (each takes --help).",
    interactive=True,
)
COMMANDS: dict[str, Command] = {
    "list": Command(
        "app.commands.inventory", "Print the package inventory of every project under the roots."
    ),
    "serve": Command(
        "app.commands.serve",
        "Run the backend without the UI: watch the roots, receive OTLP/HTTP, ingest span"
        " files. SIGINT or SIGTERM commits what is queued and exits 0.",
    ),
    "spans": Command("app.commands.spans", "Show stored spans, newest first."),
    "tree": Command(
        "app.commands.tree",
        "Show a project's dependency tree (from its uv.lock, else pylock.toml, else its"
        " environment), forward or inverted.",
    ),
    "audit": Command(
        "app.commands.audit",
        "Show, export (--json, --csv) or verify (--verify) the audit log, oldest first.",
    ),
    "spc": Command(
        "app.commands.spc",
        "Control charts (Shewhart, Nelson's rules, capability, sigma level) over spans.",
    ),
    "entropy": Command(
        "app.commands.entropy",
        "Score each project's health and entropy; exit 1 if any is HIGH or CRITICAL.",
    ),
    "check": Command(
        "app.commands.check",
        "Check a semantic-convention registry (default: devkit's own) and stored spans.",
    ),
    "outdated": Command(
        "app.commands.outdated",
        "List packages with newer releases on the index (PEP 691/503), per project.",
    ),
    "update": Command(
        "app.commands.update",
        "Update packages across projects with uv: each project is resolved in a scratch"
        " copy first (the plan and its lock diff), then updated, verified, and rolled back"
        " on failure.",
    ),
    "vulns": Command(
        "app.commands.vulns",
        "Check every project's packages against imported OSV advisories (--import PATH);"
        " exit 1 if any is vulnerable or could not be audited.",
    ),
    "licenses": Command(
        "app.commands.licenses",
        "List each package's licence (SPDX) per project: from the installed METADATA, else"
        " from the core metadata the index serves beside the wheel (PEP 658).",
    ),
    "sbom": Command(
        "app.commands.sbom",
        "Write a project's CycloneDX 1.6 JSON SBOM: its locked packages with licences,"
        " hashes and dependency edges, and with --with-vulns the advisory findings.",
    ),
    "policy": Command(
        "app.commands.policy",
        "Check every project against a team policy bundle (policy check; exit 1 on any"
        " error), or compile it into each lock's uv constraints, previewed and rolled back"
        " (policy apply). --schema prints the bundle's JSON Schema.",
    ),
    "manifest": Command(
        "app.commands.manifest",
        "Environment manifests: generate a project's PEP 751 pylock.toml, diff any two"
        " locks, requirements, environments or projects (exit 1 when they differ), verify"
        " an environment against one (exit 1 when it is not exactly that).",
    ),
    "remediate": Command(
        "app.commands.remediate",
        "From entropy to repair: each project's charter, indicators and strategies (with"
        " risk and expected score), planned in scratch copies, applied with --yes and"
        " scored again; exit 1 when a project's criteria are still not met.",
    ),
    "undo": Command(
        "app.commands.undo",
        "Revert the newest update batch (byte for byte, environments re-synced).",
    ),
    "monitor": Command(
        "app.commands.monitor",
        "A compact live monitor for a small terminal pane: what is wrong right now"
        " (alarms, rates, entropy, failed operations); m opens the full dashboard.",
        interactive=True,
    ),
    "demo": Command(
        "app.commands.demo",
        "Open the dashboard on a generated demo workspace.",
        interactive=True,
    ),
    "config": Command(
        "app.commands.config",
        "Print the effective settings and where each came from (--json), or the"
        " configuration file's JSON Schema (--schema).",
    ),
}


def entry() -> None:
    """The console script: `main`, then, after a headless command, out without the
    interpreter's teardown.

    By the time such a command returns, its backend has stopped (its spans stored,
    the store closed); what the teardown would still do is free every object one by
    one and join idle threads, ~30 ms after a `list` of the shared projects. The
    dashboard's commands exit the usual way: Textual and the scan process clean up
    at exit."""
    code = main()
    if _chosen(sys.argv[1:])[1].interactive:
        raise SystemExit(code)
    with contextlib.suppress(BrokenPipeError, ValueError):  # the reader left early
        sys.stdout.flush()
    with contextlib.suppress(BrokenPipeError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _chosen(args: list[str]) -> tuple[str | None, Command]:
    name = args[0] if args and args[0] in COMMANDS else None
    return name, COMMANDS[name] if name else DASHBOARD


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the command they name."""
    args = list(sys.argv[1:] if argv is None else argv)
    name, command = _chosen(args)
    parser = argparse.ArgumentParser(
        prog=f"devkit-tui {name}" if name else "devkit-tui",
        description=command.description.format(names=", ".join(COMMANDS)),
    )
    module = importlib.import_module(command.module)
    module.add_arguments(parser)
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="configuration file (default: $DEVKIT_CONFIG, else config.toml in the user"
        " configuration folder)",
    )
    options = parser.parse_args(args[1:] if name else args)
    return run(f"devkit-tui {name}" if name else "devkit-tui", module.run, options)


def run(prog: str, command: object, options: argparse.Namespace) -> int:
    """Run a command; a problem the user can fix is one line on stderr and exit 2."""
    from app.commands.common import EXIT_OK, EXIT_USAGE, UsageProblem
    from backend.settings import SettingsError
    from backend.store.errors import StoreError

    try:
        return command(options)  # type: ignore[operator,no-any-return]
    except (UsageProblem, SettingsError, StoreError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `devkit-tui tree | head`: the reader left, so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    entry()
