"""`devkit-tui audit`: read, export and verify the audit log."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
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
)
from backend.audit.fields import ACTIONS, EXPORT_FIELDS

if TYPE_CHECKING:
    from backend.audit.entries import AuditEntry, AuditFilter
    from backend.settings import Settings

AUDIT_SCHEMA = "devkit.audit/1"
CSV_COLUMNS = EXPORT_FIELDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", metavar="DATE", help="only entries since DATE (ISO 8601, or 30s, 15m, 2h, 7d)"
    )
    parser.add_argument("--action", choices=ACTIONS, help="only this action")
    parser.add_argument("--project", help="only entries about this project")
    parser.add_argument("--package", help="only entries that touched this package")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON document")
    output.add_argument("--csv", action="store_true", help="print CSV with a header row")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="walk the hash chain; exit 1 and name the first bad entry if it is broken",
    )
    add_db(parser)


def run(options: argparse.Namespace) -> int:

    from backend.audit.entries import AuditFilter

    since_ns = parse_since(options.since) if options.since else None
    if options.verify and (options.csv or since_ns or options.action or options.package):
        raise UsageProblem("--verify checks the whole log; it takes only --json and --db")
    settings = settings_from(options, roots=[], watch=False)
    if options.verify:
        return run_async(_verify(settings, options.json))
    wanted = AuditFilter(
        since_ns=since_ns,
        action=options.action,
        project=options.project,
        package=options.package,
    )
    export = "json" if options.json else "csv" if options.csv else None
    entries = run_async(_read(settings, wanted, export))
    if options.json:
        print_json({"schema": AUDIT_SCHEMA, "entries": [e.as_json() for e in entries]})
    elif options.csv:
        sys.stdout.write(to_csv(entries))
    else:
        _print_table(entries)
    return EXIT_OK


async def _read(settings: Settings, wanted: AuditFilter, export: str | None) -> list[AuditEntry]:
    """The entries; an export is itself audited (after it was read, with its size)."""
    async with open_backend(settings) as backend:
        if export is None:
            return await backend.audit_entries(wanted)
        return await backend.operations.export(wanted, export)


async def _verify(settings: Settings, as_json: bool) -> int:
    async with open_backend(settings) as backend:
        result = await backend.operations.verify()
    if as_json:
        print_json(result.as_json())
    elif result.ok:
        print(f"audit log intact: {result.entries} entries, hash chain verified")
    else:
        print(
            f"audit log BROKEN at entry {result.first_bad_seq}: {result.problem}"
            f" ({result.entries} entries before it verified)"
        )
    return EXIT_OK if result.ok else EXIT_FINDINGS


def to_csv(entries: list[AuditEntry]) -> str:
    """One row per entry; `packages` and `details` as JSON text, so nothing is lost."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        document = entry.as_json()
        document["packages"] = json.dumps(document["packages"], ensure_ascii=False)
        document["details"] = json.dumps(document["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow({k: "" if document[k] is None else document[k] for k in CSV_COLUMNS})
    return out.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    """CSV rows back into entries (what `backend.audit.verify_entries` walks)."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        entry: dict[str, Any] = dict(row)
        entry["packages"] = json.loads(row["packages"])
        entry["details"] = json.loads(row["details"])
        rows.append(entry)
    return rows


def _print_table(entries: list[AuditEntry]) -> None:
    print(f"{'SEQ':>5}  {'TIME (UTC)':<19}  {'ACTION':<13}  {'RESULT':<7}  {'MS':>8}  WHAT")
    for entry in entries:
        what = " ".join(
            filter(
                None,
                [
                    entry.project or "",
                    ", ".join(_change(p) for p in entry.packages),
                    entry.summary(),
                ],
            )
        )
        duration = f"{entry.duration_ms:.1f}" if entry.duration_ms is not None else "-"
        print(
            f"{entry.seq:>5}  {entry.timestamp[:19].replace('T', ' ')}  {entry.action:<13}"
            f"  {entry.result:<7}  {duration:>8}  {printable(what)}"
        )
    print(f"{len(entries)} entries", file=sys.stderr)


def _change(package: Any) -> str:
    if package.from_version and package.to_version:
        return f"{package.name} {package.from_version} -> {package.to_version}"
    return str(package.name)
