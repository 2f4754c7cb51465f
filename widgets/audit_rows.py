"""What the audit table shows, as pure functions: the filter and the cells' text."""

from __future__ import annotations

from datetime import datetime

from backend.audit.entries import AuditEntry

FILTER_KEYS = ("action", "project", "package", "user", "result")


def matches(entry: AuditEntry, query: str) -> bool:
    """`action:scan project:api user:ann result:failure package:httpx` and free words;
    every term must match (case-insensitive; values match as substrings)."""
    for term in query.lower().split():
        key, sep, value = term.partition(":")
        if sep and key in FILTER_KEYS:
            if not value:
                continue
            if key == "package":
                if not any(value in p.name.lower() for p in entry.packages):
                    return False
            elif value not in str(getattr(entry, key) or "").lower():
                return False
        elif term not in searchable(entry):
            return False
    return True


def searchable(entry: AuditEntry) -> str:
    return " ".join(
        [
            entry.action,
            entry.project or "",
            entry.user,
            entry.result,
            what(entry),
        ]
    ).lower()


def what(entry: AuditEntry) -> str:
    """Packages changed, then a few words from the details."""
    changes = ", ".join(
        f"{p.name} {p.from_version}→{p.to_version}" if p.from_version and p.to_version else p.name
        for p in entry.packages
    )
    return " · ".join(part for part in (changes, entry.summary()) if part)


def when(entry: AuditEntry) -> str:
    """Local time, with the date when it is not today."""
    moment = datetime.fromtimestamp(entry.timestamp_ns / 1e9)
    if moment.date() == datetime.now().date():
        return f"{moment:%H:%M:%S}"
    return f"{moment:%m-%d %H:%M}"


def duration(entry: AuditEntry) -> str:
    if entry.duration_ms is None:
        return ""
    if entry.duration_ms >= 10_000:
        return f"{entry.duration_ms / 1000:.0f}s"
    return f"{entry.duration_ms:.0f}"
