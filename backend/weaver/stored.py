"""Check findings in the store, row by row: each run of a check (the dashboard's, or
`devkit-tui check`) under its start time; the newest runs are kept, and a run that found
what the one before it found shares that run's rows."""

from __future__ import annotations

import hashlib
import json
import sqlite3
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
    scope: str = "",
) -> bool:
    """One run and its findings in one transaction; runs past the newest `KEEP_RUNS`
    are deleted with their findings. True when the findings equal the previous run of
    the same `scope`: the new run then points at that run's rows instead of copying them.
    """
    rows = [
        (
            f.registry, f.id, f.level, f.message, f.file, f.line, f.group,
            f.attribute, f.signal_type, f.signal_name, f.span_id, f.trace_id,
        )
        for f in findings
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps([engine, rows]).encode()).hexdigest()

    def save(connection: sqlite3.Connection) -> bool:
        previous = connection.execute(
            "SELECT digest, findings_ns FROM check_runs WHERE scope = ?"
            " ORDER BY check_ns DESC LIMIT 1",
            (scope,),
        ).fetchone()
        repeated = previous is not None and previous[0] == digest and previous[1] is not None
        if not repeated:
            connection.execute("DELETE FROM check_findings WHERE check_ns = ?", (check_ns,))
            connection.executemany(
                f"INSERT INTO check_findings (check_ns, {_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(check_ns, *row) for row in rows],
            )
        connection.execute(
            "INSERT OR REPLACE INTO check_runs"
            " (check_ns, engine, finding_count, samples, scope, digest, findings_ns)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                check_ns, engine, len(rows), samples, scope, digest,
                previous[1] if repeated else check_ns,
            ),
        )  # fmt: skip
        connection.execute(
            "DELETE FROM check_runs WHERE check_ns NOT IN (SELECT check_ns FROM"
            f" check_runs ORDER BY check_ns DESC LIMIT {KEEP_RUNS})"
        )
        connection.execute(
            "DELETE FROM check_findings WHERE check_ns NOT IN (SELECT findings_ns FROM check_runs)"
        )
        return repeated

    return bool(await store.run(save))


async def latest_findings(store: Store) -> tuple[int | None, list[Finding]]:
    """The newest run's time and findings (None and [] when no check was stored)."""
    newest = await store.query(
        "SELECT check_ns, findings_ns FROM check_runs ORDER BY check_ns DESC LIMIT 1"
    )
    if not newest:
        return None, []
    check_ns, findings_ns = newest[0]
    rows = await store.query(
        f"SELECT check_ns, {_COLUMNS} FROM check_findings WHERE check_ns = ? ORDER BY id",
        (findings_ns,),
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
