"""The monitor's judgement: which rule breaks are alarms, and the state they give."""

from __future__ import annotations

from pathlib import Path

from backend.audit.entries import AuditEntry
from backend.health.entropy import EntropyReport
from backend.health.pulse import RECENT_S, chart_alarms, pulse_of
from backend.inventory.model import Inventory, PackageRow, ProjectInfo
from backend.spc.rules import Violation
from backend.spc.series import Series

NOW = 2_000_000_000 * 10**9
MINUTE = 60 * 10**9


def series(name: str, times: list[int], violations: list[Violation]) -> Series:
    return Series(
        span=name, chart="imr", scale="ms", n=len(times), limits=None,
        points=[1.0] * len(times), point_times=times, spread_points=[],
        violations=violations, spec_limit=None,
    )  # fmt: skip


def test_alarms_are_recent_breaks_of_the_users_series_newest_first() -> None:
    times = [NOW - (20 - i) * 2 * MINUTE for i in range(20)]  # every 2 min to 2 min ago
    checkout = series("checkout", times, [Violation(1, (19,)), Violation(2, tuple(range(0, 9)))])
    search = series("search", times, [Violation(5, (16, 17))])
    scan = series("devkit.scan", times, [Violation(1, (19,))])
    alarms = chart_alarms([(checkout, False), (search, False), (scan, True)], NOW)
    # Rule 2's newest point is 24 minutes old, past the window; devkit's own never alarms.
    assert [(a.series, a.rule) for a in alarms] == [("checkout", 1), ("search", 5)]
    assert alarms[0].at_ns == times[19] and alarms[0].rule_text == "rule 1: beyond 3 sigma"
    assert chart_alarms([(checkout, False)], NOW + int(RECENT_S * 1e9)) == []


def entry(seq: int, result: str, age_ns: int) -> AuditEntry:
    return AuditEntry(
        seq=seq, timestamp_ns=NOW - age_ns, user="u", host="h", os="linux", action="update",
        project="api", packages=(), details={}, result=result, duration_ms=1.0,
        trace_id=None, prev_hash="", hash="",
    )  # fmt: skip


def report(project: str, level: str) -> EntropyReport:
    return EntropyReport(project, 1.0, 1.0, 1.0, True, (), 0, 0.5, level)


def inventory(flags: dict[str, set[str]], errors: int = 0) -> Inventory:
    unreadable = [object()] * errors
    project = ProjectInfo(Path("/w/api"), "api", "pyproject", [], None, unreadable)  # type: ignore[arg-type]
    rows = {name: PackageRow(name, [], set(f)) for name, f in flags.items()}
    return Inventory([Path("/w")], [project], rows)


def test_the_state_is_the_worst_reason_and_the_counts_say_why() -> None:
    calm = inventory({"a": set(), "b": {"outdated"}})
    ok = pulse_of(calm, [], [report("api", "LOW")], [entry(1, "success", 0)], NOW)
    assert (ok.state, ok.reasons, ok.outdated, ok.flagged) == ("ok", [], 1, {})

    drifting = inventory({"a": {"drift", "outdated"}, "b": {"drift"}}, errors=1)
    old_failure = entry(2, "failure", 2 * 3600 * 10**9)  # yesterday's failure is history
    warn = pulse_of(drifting, [], [report("api", "MEDIUM")], [old_failure], NOW)
    assert warn.state == "warning"
    assert warn.reasons == ["1 unreadable file", "2 drift packages", "1 medium-entropy project"]
    assert (warn.flagged, warn.unreadable, warn.packages) == ({"drift": 2}, 1, 2)
    breaking = pulse_of(inventory({"a": {"policy"}}), [], [], [], NOW)
    assert (breaking.state, breaking.reasons) == ("warning", ["1 policy package"])
    recent_failure = pulse_of(calm, [], [], [entry(3, "failure", MINUTE)], NOW)
    assert recent_failure.reasons == ["1 failed operation"]

    times = [NOW - MINUTE]
    alarms = chart_alarms([(series("checkout", times, [Violation(1, (0,))]), False)], NOW)
    conflicted = inventory({"a": {"conflict"}})
    bad = pulse_of(conflicted, alarms, [report("api", "CRITICAL")], [], NOW)
    assert bad.state == "alarm"
    assert bad.reasons == [
        "1 control-chart alarm", "1 conflict package", "1 critical-entropy project"
    ]  # fmt: skip
