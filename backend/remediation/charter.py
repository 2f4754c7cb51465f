"""Define: a project's charter, from the defaults, the user's `[charter]` and the
project's own `[tool.devkit-tui.charter]` (the project's keys win), and whether a
report meets its success criteria."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.health.entropy import LEVELS, EntropyReport
from backend.inventory.model import SEVERITIES, Inventory

if TYPE_CHECKING:
    from backend.config.models import Charter

_ORDER = [name for _, name in reversed(LEVELS)]
"""LOW, MEDIUM, HIGH, CRITICAL."""


def charter_for(user: dict[str, Any], project: dict[str, Any] | None) -> Charter:
    """Both tables were checked when their files were read; merged key by key."""
    from backend.config.models import Charter

    merged = {**user, **(project or {})}
    merged["criteria"] = {**user.get("criteria", {}), **(project or {}).get("criteria", {})}
    return Charter.model_validate(merged)


def needs_action(charter: Charter, report: EntropyReport) -> bool:
    return _ORDER.index(report.level) >= _ORDER.index(charter.threshold)


def unmet_criteria(charter: Charter, report: EntropyReport, inventory: Inventory) -> list[str]:
    """Each success criterion the project does not meet, said in words (none: met)."""
    criteria = charter.criteria
    usages = [u for row in inventory.packages.values() for u in row.usages
              if u.project == report.project]  # fmt: skip
    unmet = []
    if report.score >= criteria.max_score:
        unmet.append(f"entropy {report.score:.2f} is not below {criteria.max_score:.2f}")
    if criteria.no_conflict and any("conflict" in u.flags for u in usages):
        unmet.append("a locked or installed version breaks its declared specifier")
    floor = criteria.no_vulnerable_at
    if floor is not None:
        worst = [u.severity for u in usages if "vulnerable" in u.flags and u.severity]
        if any(SEVERITIES.index(s) <= SEVERITIES.index(floor) for s in worst):
            unmet.append(f"a package is vulnerable at {floor} or worse")
    if criteria.lock_in_sync and not report.lock_in_sync:
        unmet.append("uv.lock is out of date with pyproject.toml")
    return unmet


def charter_json(charter: Charter) -> dict[str, Any]:
    return charter.model_dump(by_alias=True)
