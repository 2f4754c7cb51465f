"""`devkit-tui check`: a semantic-convention registry checked, and optionally the
stored spans live-checked against it, as OpenTelemetry Weaver checks them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageProblem,
    add_db,
    open_backend,
    parse_since,
    print_json,
    printable,
    run_async,
    settings_from,
    warn,
)

if TYPE_CHECKING:
    from backend.weaver.check import CheckResult

CHECK_SCHEMA = "devkit.check/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--registry", type=Path, help="registry folder or manifest (default: devkit's own)"
    )
    parser.add_argument(
        "--dependency",
        action="append",
        default=[],
        metavar="SCHEMA_URL=PATH",
        help="a local copy of a registry the manifest depends on (repeatable)",
    )
    parser.add_argument(
        "--baseline-registry",
        type=Path,
        metavar="PATH",
        help="the previous release of the registry: report backward-incompatible changes",
    )
    parser.add_argument("--live", action="store_true", help="also check the stored spans")
    parser.add_argument("--since", metavar="DATE", help="with --live: spans since DATE")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON document")
    output.add_argument(
        "--format",
        choices=["text", "weaver-json"],
        default="text",
        help="weaver-json: Weaver's own diagnostics list (`--diagnostic-format json`)",
    )
    parser.add_argument(
        "--engine",
        choices=["auto", "devkit", "weaver"],
        default="auto",
        help="who checks the registry: the real `weaver` when found ($DEVKIT_WEAVER or PATH;"
        " auto), or devkit's checker",
    )
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    from backend.weaver.check import check_registry
    from backend.weaver.live_check import LiveCheck
    from backend.weaver.registries import OWN_REGISTRY

    dependencies = _dependencies(options.dependency)
    since_ns = parse_since(options.since) if options.since else None
    registry_path = options.registry or OWN_REGISTRY
    if not registry_path.exists():
        raise UsageProblem(f"{registry_path}: no such registry")
    baseline = options.baseline_registry
    if baseline is not None and not baseline.exists():
        raise UsageProblem(f"{baseline}: no such baseline registry")
    settings = settings_from(options, roots=[], watch=False)
    result = check_registry(registry_path, dependencies, baseline=baseline)
    engine = _engine(options.engine, registry_path, result, settings.weaver_path)
    live = LiveCheck(result.registry) if options.live else None

    async def check_and_store() -> None:  # live-check when asked; store and audit either way
        async with open_backend(settings) as backend:
            await backend.checks.registry(registry_path, result, live, since_ns, engine)

    run_async(check_and_store())
    samples, coverage = (live.samples, live.coverage()) if live else (0, None)
    if options.json:
        print_json(document(registry_path, result, samples, coverage, engine))
    elif options.format == "weaver-json":
        from backend.weaver.weaver_json import to_weaver_json

        print_json(to_weaver_json(result.findings))
    else:
        _print(result, samples, coverage)
    return EXIT_FINDINGS if result.violations else EXIT_OK


def _engine(choice: str, registry_path: Path, result: CheckResult, configured: str | None) -> str:
    """`weaver` when the real Weaver checked the registry (its findings replace ours;
    our resolution still serves the live check), else `devkit`."""
    from backend.weaver.weaver_binary import WeaverFailed, find_weaver, weaver_check

    if choice == "devkit":
        return "devkit"
    weaver = find_weaver(configured)
    if weaver is None:
        if choice == "weaver":
            raise UsageProblem("--engine weaver: no weaver found ($DEVKIT_WEAVER or PATH)")
        return "devkit"
    try:
        result.findings = weaver_check(weaver, registry_path)
    except WeaverFailed as exc:
        if choice == "weaver":
            raise UsageProblem(str(exc)) from None
        warn("check", f"{exc}; using devkit's checker")
        return "devkit"
    return "weaver"


def document(
    path: Path, result: CheckResult, samples: int, coverage: Any, engine: str = "devkit"
) -> dict[str, Any]:
    return {
        "schema": CHECK_SCHEMA,
        "registry": str(path),
        "engine": engine,
        "dependencies": result.dependencies,
        "findings": [f.as_json() for f in result.findings],
        "statistics": result.statistics(samples, coverage),
    }


def _dependencies(pairs: list[str]) -> dict[str, Path]:
    out = {}
    for pair in pairs:
        url, sep, path = pair.rpartition("=")
        if not sep or not url:
            raise UsageProblem(f"--dependency {pair!r}: expected SCHEMA_URL=PATH")
        out[url] = Path(path)
    return out


def _print(result: CheckResult, samples: int, coverage: Any) -> None:
    for finding in result.findings:
        where = f"{finding.file}:{finding.line}" if finding.file else (finding.signal_name or "")
        print(f"{finding.level:<11} {finding.id:<40} {printable(where)}")
        print(f"            {printable(finding.message)}")
    stats = result.statistics(samples, coverage)
    levels = ", ".join(f"{n} {level}" for level, n in stats["by_level"].items())
    print(f"{stats['total']} findings ({levels}); {samples} spans checked", file=sys.stderr)
