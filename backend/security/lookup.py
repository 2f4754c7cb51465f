"""Every advisory that names one package, indexed so that the records affecting a
version are found with one bisect, however many records the package has.

What the store keeps per (package, record) is the compact form `compact()` writes: the
record's ECOSYSTEM intervals for that package, and the listed versions that no interval
already holds (canonical, so `2.0` and `2.0.0` are one). The index sorts every interval
bound once; a version then falls on a bound or in the gap between two (a slot), and
each interval becomes the range of slots it covers, so the records of a slot are found
by comparing integers, once per slot asked about.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_version
from packaging.version import Version

from backend.security.osv import (
    SEVERITIES,
    Advisory,
    Affected,
    Interval,
    parsed_version,
    version_text,
)


@dataclass(frozen=True, slots=True)
class Record:
    """What a finding shows of one advisory."""

    id: str
    aliases: tuple[str, ...]
    severity: str
    score: float | None
    summary: str

    @classmethod
    def of(cls, advisory: Advisory) -> Record:
        return cls(advisory.id, advisory.aliases, advisory.severity, advisory.score,
                   advisory.summary)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Flaw:
    """What the records of one flaw say together: the worst severity and the highest
    score of any, the first summary."""

    ids: tuple[str, ...]
    aliases: tuple[str, ...]
    severity: str
    score: float | None
    summary: str
    rank: int
    """The severity's place in SEVERITIES: findings sort worst first."""

    @classmethod
    def of(cls, records: list[Record]) -> Flaw:
        ids = tuple(sorted({r.id for r in records}))
        aliases = {a for r in records for a in r.aliases}.difference(ids)
        scores = [r.score for r in records if r.score is not None]
        severity = min((r.severity for r in records), key=SEVERITIES.index)
        return cls(
            ids=ids,
            aliases=tuple(sorted(aliases)),
            severity=severity,
            score=max(scores) if scores else None,
            summary=next((r.summary for r in records if r.summary), ""),
            rank=SEVERITIES.index(severity),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    record: Record
    intervals: tuple[Interval, ...]
    listed: frozenset[str]
    """Canonical listed versions outside every interval of the record."""

    def fixed_for(self, version: Version) -> Version | None:
        """The release that ends the interval holding `version`, else the first fix
        after it (None: no fix known)."""
        for interval in self.intervals:
            if interval.contains(version) and interval.fixed is not None:
                return interval.fixed
        later = [i.fixed for i in self.intervals if i.fixed is not None and i.fixed > version]
        return min(later) if later else None


def canonical(version: str) -> str:
    """The form two equal versions share (`2.0.0` and `2.0` are `2`); text that is not a
    version stays as it is and matches only itself."""
    parsed = parsed_version(version)
    return canonicalize_version(parsed) if parsed is not None else version


def compact(entries: list[Affected]) -> str:
    """What the store keeps of one record for one package (its entries merged)."""
    intervals = [i for entry in entries for i in entry.intervals]
    listed = set()
    for entry in entries:
        for text in entry.versions:
            parsed = parsed_version(text)
            if parsed is None or not any(i.contains(parsed) for i in intervals):
                listed.add(canonical(text))
    bounds = [[_text(i.introduced), _text(i.fixed), _text(i.last_affected)] for i in intervals]
    return json.dumps({"r": bounds, "v": sorted(listed)}, separators=(",", ":"))


def entry_from(record: Record, stored: str) -> Entry:
    data: dict[str, Any] = json.loads(stored)
    intervals = tuple(
        Interval(_version(lo), fixed=_version(fixed), last_affected=_version(last))
        for lo, fixed, last in data["r"]
    )
    return Entry(record, intervals, frozenset(data["v"]))


class PackageAdvisories:
    """The records of one package; `hits(version)` are those that affect it."""

    def __init__(self, name: str, entries: list[Entry]) -> None:
        self.name = name
        self.entries = entries
        self._bounds: list[Version] | None = None
        self._ranges: list[tuple[int, int, int, Version | None]] = []
        self._slots: dict[int, dict[int, Version | None]] = {}
        self._listed: dict[str, list[int]] = {}
        self._flaw: list[int] = []
        self._facts: dict[tuple[int, ...], Flaw] = {}
        """What the records of a flaw say together, by the records that affect a version."""

    @classmethod
    def of(cls, name: str, advisories: list[Advisory]) -> PackageAdvisories:
        """Straight from parsed records, through the form the store keeps."""
        entries = []
        for advisory in advisories:
            mine = [a for a in advisory.affected if a.name == name]
            if mine:
                entries.append(entry_from(Record.of(advisory), compact(mine)))
        return cls(name, entries)

    def hits(self, version: str) -> list[Entry]:
        return [self.entries[n] for n in sorted(self._hits(version)[0])]

    def flaws(self, version: str) -> list[tuple[Flaw, str | None]]:
        """Each flaw affecting `version` with the release that fixes it (None: no fix
        known). Records that share an id or an alias, however the aliases chain through
        the package's records, are one flaw; its fix is the latest any of them names."""
        hits, parsed = self._hits(version)
        by_flaw: dict[int, list[int]] = {}
        for number in sorted(hits):
            by_flaw.setdefault(self._flaw[number], []).append(number)
        out = []
        for members in by_flaw.values():
            key = tuple(members)
            flaw = self._facts.get(key)
            if flaw is None:
                flaw = self._facts[key] = Flaw.of([self.entries[n].record for n in key])
            fixed = None
            for number in key:
                mine = hits[number]
                if mine is None and parsed is not None:
                    mine = self.entries[number].fixed_for(parsed)
                if mine is not None and (fixed is None or mine > fixed):
                    fixed = mine
            out.append((flaw, None if fixed is None else version_text(fixed)))
        return out

    def _hits(self, version: str) -> tuple[dict[int, Version | None], Version | None]:
        """The records affecting `version`, each with the fix of the interval that holds
        it (None: that interval names none, or only a listed version matched)."""
        if self._bounds is None:
            self._index()
        assert self._bounds is not None
        parsed = parsed_version(version)
        hits = self._slot_hits(_slot(self._bounds, parsed)) if parsed is not None else {}
        listed = self._listed.get(canonical(version))
        if listed:
            hits = {**dict.fromkeys(listed), **hits}
        return hits, parsed

    def _index(self) -> None:
        """Each interval as the range of slots it covers: integers, so a slot's records
        are found without comparing a version again."""
        bounds = sorted({v for e in self.entries for i in e.intervals
                         for v in (i.introduced, i.fixed, i.last_affected)
                         if v is not None})  # fmt: skip
        place = {v: n for n, v in enumerate(bounds)}
        above_all = 2 * len(bounds)
        for number, entry in enumerate(self.entries):
            for text in entry.listed:
                self._listed.setdefault(text, []).append(number)
            for interval in entry.intervals:
                first = 0 if interval.introduced is None else 2 * place[interval.introduced] + 1
                if interval.fixed is not None:
                    last = 2 * place[interval.fixed]  # the gap just below the fix
                elif interval.last_affected is not None:
                    last = 2 * place[interval.last_affected] + 1  # the bound itself
                else:
                    last = above_all
                self._ranges.append((first, last, number, interval.fixed))
        self._flaw = _flaws([e.record for e in self.entries])
        self._bounds = bounds

    def _slot_hits(self, slot: int) -> dict[int, Version | None]:
        """The records whose intervals cover the slot, each with the fix of the first
        such interval that names one; worked out on first need, then kept."""
        hits = self._slots.get(slot)
        if hits is None:
            hits = {}
            for first, last, number, fixed in self._ranges:
                if first <= slot <= last and hits.get(number) is None:
                    hits[number] = fixed
            self._slots[slot] = hits
        return hits


def _flaws(records: list[Record]) -> list[int]:
    """For each record, the number of its flaw: a union over ids and aliases."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for record in records:
        for alias in record.aliases:
            parent[root(alias)] = root(record.id)
    numbers: dict[str, int] = {}
    return [numbers.setdefault(root(r.id), len(numbers)) for r in records]


def _slot(bounds: list[Version], version: Version) -> int:
    """Slot 2n+1 is bound n itself; slot 2n the gap below it (2 * len: above all)."""
    at = bisect_left(bounds, version)
    return 2 * at + 1 if at < len(bounds) and bounds[at] == version else 2 * at


def _text(version: Version | None) -> str | None:
    return None if version is None else str(version)


def _version(text: str | None) -> Version | None:
    """Bounds repeat across records (one release fixes many flaws): parsed once each."""
    return None if text is None else parsed_version(text)
