"""Gathers what the entropy report needs from the stores: each project's recent
operation spans judged by control charts, its lock against its pyproject, and the
scores kept over time."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections import defaultdict
from typing import Any

from backend.health.entropy import EntropyReport, SpanHealth, TraceRef
from backend.spc.series import SeriesOptions, analyse
from backend.store.database import Store
from backend.telemetry import names
from backend.telemetry.model import STATUS_ERROR, Sample

RECENT_ROWS = 50_000
"""Spans of other services are matched to projects among the newest rows only."""
PER_PROJECT = 2_000
TRACES_PER_INDICATOR = 5
"""The newest points that broke a rule, kept as traces to open."""

Pointer = tuple[str, str, int]
"""(indicator, label, span row) of a span that shows the evidence."""


async def span_health(
    store: Store, projects: list[str], services: dict[str, str] | None = None
) -> dict[str, SpanHealth]:
    """Each project's operations: spans whose service.name is the project's name (or
    that `services` maps to it: `[tool.devkit-tui] services`, the user file's), each
    operation charted (I-MR, log scale) and the error rate (p). devkit's own spans are
    never a project's: its reads of a project's files say how fast devkit is, not the
    project. One query for all projects, bounded by the newest rows."""
    wanted = set(projects) - {names.SERVICE}
    rows = await store.query(
        "SELECT service_name, name, id, start_ns, end_ns - start_ns, status_code FROM spans"
        " WHERE id > (SELECT COALESCE(MAX(id), 0) FROM spans) - ? AND service_name IS NOT NULL",
        (RECENT_ROWS,),
    )

    def judge_all() -> dict[str, tuple[SpanHealth, list[Pointer]]]:
        grouped: dict[str, list[tuple[str, int, int, int, int]]] = defaultdict(list)
        for service, *row in rows:
            project = (services or {}).get(service, service)
            if project in wanted and len(grouped[project]) < PER_PROJECT * 2:
                grouped[project].append(tuple(row))  # type: ignore[arg-type]
        return {project: _judge(grouped.get(project, [])) for project in projects}

    judged = await asyncio.to_thread(judge_all)  # 50,000 rows charted: off the loop
    rows_wanted = sorted({row for _, pointers in judged.values() for *_, row in pointers})
    ids: dict[int, tuple[str, str]] = {}
    if rows_wanted:
        marks = ",".join("?" * len(rows_wanted))
        found = await store.query(
            "SELECT id, lower(hex(trace_id)), lower(hex(span_id)) FROM spans"
            f" WHERE id IN ({marks})",
            tuple(rows_wanted),
        )
        ids = {row: (trace, span) for row, trace, span in found}
    return {
        project: dataclasses.replace(
            health,
            traces=tuple(
                TraceRef(kind, label, *ids[row]) for kind, label, row in pointers if row in ids
            ),
        )
        for project, (health, pointers) in judged.items()
    }


def _judge(rows: list[tuple[str, int, int, int, int]]) -> tuple[SpanHealth, list[Pointer]]:
    """The project's span health, and the spans that show its evidence (by row)."""
    by_name: dict[str, list[Sample]] = defaultdict(list)
    everything: list[Sample] = []
    for name, row, start, duration, status in sorted(rows, key=lambda r: r[2]):
        sample = Sample(row, start, max(0, duration) / 1e6, status == STATUS_ERROR)
        by_name[name].append(sample)
        everything.append(sample)
    performance = []
    slow: list[tuple[int, str, int]] = []
    for name, samples in sorted(by_name.items()):
        if len(samples) < 8:
            continue  # too few points for any run rule; rule 1 alone would be noise
        series = analyse(name, samples, SeriesOptions(chart="imr", log=True))
        if series.violations:
            rules = ", ".join(f"rule {v.rule} ({len(v.points)} points)" for v in series.violations)
            performance.append(f"{name}: {rules}")
        for violation in series.violations:
            sample = samples[violation.points[-1]]  # the point at which the rule fired
            label = f"{name}: rule {violation.rule}, {sample.duration_ms:.1f} ms"
            slow.append((sample.start_ns, label, sample.row))
    error_rate = []
    failing: list[tuple[int, str, int]] = []
    if everything:
        options = SeriesOptions(chart="p")
        p = analyse("errors", everything, options)
        if p.violations:
            error_rate.append(
                "error rate: "
                + ", ".join(f"rule {v.rule} at {len(v.points)} buckets" for v in p.violations)
            )
        width = int(options.bucket_s * 1e9)
        for violation in p.violations:
            start = p.point_times[violation.points[-1]]
            bucket = [s for s in everything if start <= s.start_ns < start + width]
            sample = next((s for s in reversed(bucket) if s.error), bucket[-1])
            label = f"error rate: rule {violation.rule}, {p.points[violation.points[-1]]:.0%}"
            failing.append((sample.start_ns, label, sample.row))
    pointers = [("performance-drift", label, row) for *_, label, row in _newest(slow)]
    pointers += [("error-rate-drift", label, row) for *_, label, row in _newest(failing)]
    health = SpanHealth(
        operations=len(everything),
        errors=sum(1 for s in everything if s.error),
        performance=tuple(performance),
        error_rate=tuple(error_rate),
    )
    return health, pointers


def _newest(found: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    return sorted(found, reverse=True)[:TRACES_PER_INDICATOR]


async def record_scores(store: Store, reports: list[EntropyReport]) -> int:
    """Store each report whose score, level or indicators moved since the last one."""
    last: dict[str, tuple[Any, ...]] = {}
    for row in await store.query(
        "SELECT project, score, level, report FROM entropy_scores WHERE id IN"
        " (SELECT MAX(id) FROM entropy_scores GROUP BY project)"
    ):
        kinds = tuple(i["kind"] for i in json.loads(row[3]).get("indicators", []))
        last[row[0]] = (round(row[1], 4), row[2], kinds)
    now = time.time_ns()
    rows = []
    for report in reports:
        key = (round(report.score, 4), report.level, tuple(i.kind for i in report.indicators))
        if last.get(report.project) == key:
            continue
        rows.append(
            (
                now,
                report.project,
                report.health,
                len(report.indicators),
                report.validation_errors,
                report.score,
                report.level,
                json.dumps(report.as_json(), ensure_ascii=False),
            )
        )
    if rows:
        await store.write(
            [
                (
                    "INSERT INTO entropy_scores (taken_at_ns, project, health, drift_indicators,"
                    " validation_errors, score, level, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            ]
        )
    return len(rows)
