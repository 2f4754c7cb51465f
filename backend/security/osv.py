"""One OSV record, reduced to what matching needs: its id and aliases, whether it was
withdrawn, and for each PyPI package it names, the affected versions and ranges.

Only ECOSYSTEM ranges say anything about PyPI versions; GIT and SEMVER ranges are
skipped wherever they stand in the list, so an ECOSYSTEM range after a GIT one still
counts. A range's events are read in order: `introduced` opens an interval, `fixed`
closes it (that version excluded), `last_affected` closes it (included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from backend.inventory.model import SEVERITIES


class BadRecord(ValueError):
    """A record that cannot be used; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Interval:
    introduced: Version | None
    """None: from the first release (`introduced: "0"`)."""
    fixed: Version | None = None
    last_affected: Version | None = None

    def contains(self, version: Version) -> bool:
        if self.introduced is not None and version < self.introduced:
            return False
        if self.fixed is not None:
            return version < self.fixed
        if self.last_affected is not None:
            return version <= self.last_affected
        return True


@dataclass(frozen=True, slots=True)
class Affected:
    """One package of a record: the versions it lists and its ECOSYSTEM intervals."""

    name: str
    versions: frozenset[str]
    intervals: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    modified: str
    withdrawn: bool
    summary: str
    severity: str
    score: float | None
    affected: tuple[Affected, ...] = field(default_factory=tuple)


def advisory_from(record: dict[str, Any]) -> Advisory:
    """The record checked; a missing id, a bad version in a range, or an unreadable
    structure is a BadRecord."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise BadRecord("no id")
    affected = []
    for entry in record.get("affected") or []:
        package = entry.get("package") or {}
        if package.get("ecosystem", "PyPI").split(":")[0] != "PyPI" or not package.get("name"):
            continue
        intervals: list[Interval] = []
        for range_ in entry.get("ranges") or []:
            if range_.get("type") != "ECOSYSTEM":
                continue  # GIT and SEMVER ranges say nothing about PyPI versions
            intervals += _intervals(range_.get("events") or [])
        versions = frozenset(str(v) for v in entry.get("versions") or [])
        name = canonicalize_name(package["name"])
        affected.append(Affected(name, versions, tuple(intervals)))
    severity, score = _severity(record)
    return Advisory(
        id=record["id"],
        aliases=tuple(str(a) for a in record.get("aliases") or []),
        modified=str(record.get("modified") or ""),
        withdrawn=bool(record.get("withdrawn")),
        summary=str(record.get("summary") or record.get("details") or "").strip().split("\n")[0],
        severity=severity,
        score=score,
        affected=tuple(affected),
    )


def _intervals(events: list[dict[str, Any]]) -> list[Interval]:
    out: list[Interval] = []
    start: Version | None = None
    open_ = False
    for event in events:
        if "introduced" in event:
            start = None if str(event["introduced"]) == "0" else _version(event["introduced"])
            open_ = True
        elif "fixed" in event and open_:
            out.append(Interval(start, fixed=_version(event["fixed"])))
            open_ = False
        elif "last_affected" in event and open_:
            out.append(Interval(start, last_affected=_version(event["last_affected"])))
            open_ = False
    if open_:
        out.append(Interval(start))
    return out


def _version(text: object) -> Version:
    try:
        return Version(str(text))
    except InvalidVersion:
        raise BadRecord(f"not a version: {text!r}") from None


@lru_cache(maxsize=65536)
def parsed_version(text: str) -> Version | None:
    """A version, parsed once however often it is asked about; None when it is not a
    PEP 440 version (kept as text, it matches only an equal string)."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


@lru_cache(maxsize=65536)
def version_text(version: Version) -> str:
    """A version as text, made once: fixes are shown for many findings."""
    return str(version)


def _severity(record: dict[str, Any]) -> tuple[str, float | None]:
    """From the record's CVSS vectors (the highest base score, rated as CVSS rates it),
    else GHSA's `database_specific.severity`, else unknown."""
    scores = [s for entry in record.get("severity") or [] if (s := _cvss_score(entry))]
    if scores:
        return _rating(max(scores)), max(scores)
    specific = record.get("database_specific") or {}
    word = str(specific.get("severity") or "").lower()
    word = {"moderate": "medium"}.get(word, word)
    return (word if word in SEVERITIES else "unknown"), None


def _cvss_score(entry: object) -> float | None:
    """The base score of one `severity` entry (CVSS v3 or v4 vector), None if unreadable."""
    if not isinstance(entry, dict):
        return None
    kind, vector = str(entry.get("type", "")), str(entry.get("score", ""))
    try:
        if kind.startswith("CVSS_V3"):
            from cvss import CVSS3

            return float(CVSS3(vector).base_score)
        if kind == "CVSS_V4":
            from cvss import CVSS4

            return float(CVSS4(vector).base_score)
    except Exception:  # the library raises its own errors for a bad vector
        return None
    return None


def _rating(score: float) -> str:
    """CVSS's qualitative rating of a base score."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low" if score > 0 else "unknown"
