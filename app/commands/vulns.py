"""`devkit-tui vulns`: every project's packages against the imported advisories; exit 0
only when every package was checked and none is vulnerable. `--import PATH` reads an
OSV export into the store first (alone, it only imports)."""

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
    add_json,
    add_roots,
    open_backend,
    print_json,
    printable,
    run_async,
    settings_from,
)

if TYPE_CHECKING:
    from backend.security.matching import PackageResult
    from backend.settings import Settings

VULNS_SCHEMA = "devkit.vulns/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--import",
        dest="import_path",
        type=Path,
        metavar="PATH",
        help="read an OSV export first: a zip of OSV JSON records (osv.dev's all.zip) or a"
        " folder of OSV YAML/JSON files (the PyPA advisory database)",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="ask the OSV service about packages no imported database covers (answers are"
        " cached for an hour; an older one stands in when the service is down)",
    )
    parser.add_argument(
        "--osv-url",
        metavar="URL",
        help="the OSV API (default: https://api.osv.dev); implies --online",
    )
    parser.add_argument(
        "--allow-unaudited",
        action="store_true",
        help="exit 0 even when some packages could not be audited",
    )
    add_roots(parser)
    add_json(parser)
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    if options.import_path is not None and not options.import_path.exists():
        raise UsageProblem(f"{options.import_path}: no such file or folder")
    settings = settings_from(options, watch=False)
    document, results = run_async(_run(settings, options))
    if options.json:
        print_json(document)
    elif results is not None:
        _print(results, document)
    if results is None:  # imported only
        return EXIT_OK
    from backend.security.matching import exit_code

    return EXIT_FINDINGS if exit_code(results, options.allow_unaudited) else EXIT_OK


async def _run(
    settings: Settings, options: argparse.Namespace
) -> tuple[dict[str, Any], list[PackageResult] | None]:
    from backend.security.advisories import ImportProblem

    document: dict[str, Any] = {"schema": VULNS_SCHEMA}
    async with open_backend(settings) as backend:
        security = backend.security
        if options.import_path is not None:
            try:
                imported = await security.import_export(options.import_path.absolute())
            except ImportProblem as exc:
                raise UsageProblem(str(exc)) from None
            for skipped in imported.skipped:
                print(
                    f"skipped {printable(skipped.id or '?')} in {printable(skipped.file)}:"
                    f" {printable(skipped.reason)}",
                    file=sys.stderr,
                )
            print(
                f"imported {imported.written} new or changed of {imported.read} records"
                f" from {options.import_path}",
                file=sys.stderr,
            )
            document["imported"] = {"read": imported.read, "written": imported.written}
            document["skipped"] = [s.as_json() for s in imported.skipped]
        info = await security.database()
        document["database"] = {
            "records": info.records,
            "imported_from": info.imported_from,
            "age_s": round(info.age_s, 1) if info.age_s is not None else None,
        }
        if options.import_path is not None and not options.roots:
            return document, None
        inventory = await backend.scan(reason="vulns")
        osv_url = None
        if options.online or options.osv_url:
            from backend.security.online import DEFAULT_OSV_URL

            osv_url = options.osv_url or DEFAULT_OSV_URL
        results = await security.check(inventory, osv_url=osv_url)
        if security.online is not None:
            document["online"] = security.online.as_json()
    document["packages"] = [r.as_json() for r in results]
    return document, results


def _print(results: list[PackageResult], document: dict[str, Any]) -> None:
    database = document["database"]
    counts: dict[str, int] = {}
    for result in results:
        counts[result.state] = counts.get(result.state, 0) + 1
    for result in results:
        if result.state == "vulnerable":
            ids = ", ".join(
                f"{f.ids[0]} ({f.severity}{', fixed ' + f.fixed if f.fixed else ''})"
                for f in result.findings
            )
            fix = f"  fix: {result.fix}" if result.fix else "  no release fixes every finding"
            where = f"{printable(result.project)}: {printable(result.name)} {result.version}"
            print(f"{where}: {ids}{fix}")
    reasons = sorted({r.reason for r in results if r.state == "not-audited" and r.reason})
    for reason in reasons:
        print(f"not audited: {printable(reason)}", file=sys.stderr)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    online = document.get("online")
    asked = ""
    if online is not None:
        age = f", oldest answer {online['age_s']:.0f} s old" if online["age_s"] else ""
        asked = (f"; OSV {printable(online['url'])}: {online['asked']} asked,"
                 f" {online['cached']} cached, {online['failed']} failed{age}")  # fmt: skip
    print(f"{summary or 'no packages'} ({database['records']} advisory records{asked})")
