"""Check findings in the store, row by row: each run of a check (the dashboard's, or
`devkit-tui check`) under its start time; the newest runs are kept."""

from __future__ import annotations

from collections.abc import Sequence

from backend.store.database import Store
from backend.weaver.findings import Finding

KEEP_RUNS = 20
_COLUMNS = (
    "registry, finding, level, message, file, line, group_id, attribute, signal_type,"
    " signal_name, span_id, trace_id"
)


async def save_findings(
    store: Store,
    check_ns: int,
    findings: Sequence[Finding],
    samples: int = 0,
    engine: str = "devkit",
) -> None:
    """One run and its findings in one transaction; runs past the newest
    `KEEP_RUNS` are deleted with their findings."""
    rows = [
        (
            check_ns, f.registry, f.id, f.level, f.message, f.file, f.line, f.group,
            f.attribute, f.signal_type, f.signal_name, f.span_id, f.trace_id,
        )
        for f in findings
    ]  # fmt: skip
    await store.write(
        [
            ("DELETE FROM check_findings WHERE check_ns = ?", [(check_ns,)]),
            (
                "INSERT OR REPLACE INTO check_runs (check_ns, engine, finding_count, samples)"
                " VALUES (?, ?, ?, ?)",
                [(check_ns, engine, len(rows), samples)],
            ),
            (
                f"INSERT INTO check_findings (check_ns, {_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            ),
            (
                "DELETE FROM check_runs WHERE check_ns NOT IN (SELECT check_ns FROM"
                f" check_runs ORDER BY check_ns DESC LIMIT {KEEP_RUNS})",
                [()],
            ),
            (
                "DELETE FROM check_findings WHERE check_ns NOT IN"
                " (SELECT check_ns FROM check_runs)",
                [()],
            ),
        ]
    )


async def latest_findings(store: Store) -> tuple[int | None, list[Finding]]:
    """The newest run's time and findings (None and [] when no check was stored)."""
    newest = await store.query("SELECT max(check_ns) FROM check_runs")
    check_ns = newest[0][0] if newest else None
    if check_ns is None:
        return None, []
    rows = await store.query(
        f"SELECT check_ns, {_COLUMNS} FROM check_findings WHERE check_ns = ? ORDER BY id",
        (check_ns,),
    )
    findings = [
        Finding(
            id=row[2], level=row[3], message=row[4], file=row[5], line=row[6], group=row[7],
            attribute=row[8], signal_type=row[9], signal_name=row[10], span_id=row[11],
            trace_id=row[12], registry=row[1],
        )
        for row in rows
    ]  # fmt: skip
    return check_ns, findings
