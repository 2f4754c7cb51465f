"""The monitor's answer to "is anything wrong right now?": one state (ok, warning,
alarm), the counts behind it, the recent control-chart alarms and the reasons, from
what the dashboard already holds. Pure: the monitor gathers, this judges.

An alarm is what asks for someone now: a Nelson rule broken in the last
`RECENT_S` by a series of the user's services, a dependency conflict, a project at
the worst entropy level, a vulnerable package. A warning is worth a look: files that
could not be read, drift, missing or env-drift packages, packages that break the team's
policy bundle, a project at a middling
entropy level, a failed operation among the newest audit entries. devkit's own series
never raise either: the monitor must not ring about itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from backend.audit.entries import AuditEntry
from backend.health.entropy import EntropyReport
from backend.inventory.model import Inventory
from backend.spc.rules import SHORT_RULES
from backend.spc.series import Series

RECENT_S = 15 * 60
"""How long a broken rule stays an alarm, from the time of its newest point."""
FAILED_RECENT_S = 60 * 60
"""How long a failed operation in the audit log stays a warning."""
ALARM_FLAGS = ("conflict", "vulnerable", "quarantined")
WARNING_FLAGS = ("drift", "env-drift", "missing", "yanked", "archived", "deprecated", "policy")
ALARM_LEVELS = ("CRITICAL",)
WARNING_LEVELS = ("HIGH", "MEDIUM")
STATES = ("ok", "warning", "alarm")


@dataclass(frozen=True, slots=True)
class ChartAlarm:
    """A series that broke a rule: its name, the rule, the time of the newest point in
    the pattern."""

    series: str
    rule: int
    at_ns: int

    @property
    def rule_text(self) -> str:
        return f"rule {self.rule}: {SHORT_RULES[self.rule]}"


@dataclass(slots=True)
class Pulse:
    state: str = "ok"
    projects: int = 0
    packages: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    """Packages by flag (outdated apart), most common first."""
    outdated: int = 0
    unreadable: int = 0
    vulnerable: int = 0
    alarms: list[ChartAlarm] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    """Why the state is what it is, worst first."""

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "projects": self.projects,
            "packages": self.packages,
            "flagged": self.flagged,
            "outdated": self.outdated,
            "unreadable": self.unreadable,
            "vulnerable": self.vulnerable,
            "alarms": [{"series": a.series, "rule": a.rule, "at_ns": a.at_ns} for a in self.alarms],
            "reasons": self.reasons,
        }


def chart_alarms(
    series: Iterable[tuple[Series, bool]], now_ns: int, recent_s: float = RECENT_S
) -> list[ChartAlarm]:
    """Each (series, rule) broken since `now - recent_s`, newest first; `series` pairs
    a series with whether it is devkit's own (those are left out)."""
    since = now_ns - int(recent_s * 1e9)
    found: list[ChartAlarm] = []
    for one, own in series:
        if own or not one.point_times:
            continue
        for violation in one.violations:
            newest = max(violation.points)
            if newest < len(one.point_times) and one.point_times[newest] >= since:
                found.append(ChartAlarm(one.span, violation.rule, one.point_times[newest]))
    return sorted(found, key=lambda a: (-a.at_ns, a.series, a.rule))


def pulse_of(
    inventory: Inventory | None,
    alarms: Sequence[ChartAlarm],
    reports: Sequence[EntropyReport],
    audit: Sequence[AuditEntry],
    now_ns: int,
) -> Pulse:
    """The state and its counts; `audit` is the newest entries, any order."""
    pulse = Pulse(alarms=list(alarms))
    alarm: list[str] = []
    warning: list[str] = []
    if inventory is not None:
        pulse.projects = len(inventory.projects)
        pulse.packages = len(inventory.packages)
        flags = Counter(f for row in inventory.packages.values() for f in row.flags)
        pulse.outdated = flags.pop("outdated", 0)
        pulse.vulnerable = flags.get("vulnerable", 0)
        pulse.flagged = dict(flags.most_common())
        pulse.unreadable = inventory.error_count
        alarm += [_counted(flags[f], f"{f} package") for f in ALARM_FLAGS if flags.get(f)]
        if pulse.unreadable:
            warning.append(_counted(pulse.unreadable, "unreadable file"))
        warning += [_counted(flags[f], f"{f} package") for f in WARNING_FLAGS if flags.get(f)]
    if alarms:
        alarm.insert(0, _counted(len(alarms), "control-chart alarm"))
    levels = Counter(r.level for r in reports)
    alarm += [_level(levels, lv) for lv in ALARM_LEVELS if levels[lv]]
    warning += [_level(levels, lv) for lv in WARNING_LEVELS if levels[lv]]
    since = now_ns - int(FAILED_RECENT_S * 1e9)
    failed = sum(1 for e in audit if e.result != "success" and e.timestamp_ns >= since)
    if failed:
        warning.append(_counted(failed, "failed operation"))
    pulse.reasons = alarm + warning
    pulse.state = "alarm" if alarm else "warning" if warning else "ok"
    return pulse


def _level(levels: Counter[str], level: str) -> str:
    return _counted(levels[level], f"{level.lower()}-entropy project")


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"
