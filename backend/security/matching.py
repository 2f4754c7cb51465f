"""Each package of the inventory against the advisories that name it: its state
(vulnerable, clean, not-audited with why, local), its findings, and the release that
fixes them all.

Records that share an id or an alias are one finding (a PYSEC, a GHSA and a CVE id of
one flaw count once, however the aliases chain). Pure: the store is read before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.version import Version

from backend.inventory.model import Inventory
from backend.security.osv import SEVERITIES, Advisory

LOCAL_SOURCES = ("git", "url", "path", "directory", "editable", "virtual")
"""Sources no advisory database describes."""
NOT_IMPORTED = "no advisory database imported (devkit-tui vulns --import PATH)"


@dataclass(frozen=True, slots=True)
class Finding:
    ids: tuple[str, ...]
    aliases: tuple[str, ...]
    severity: str
    score: float | None
    summary: str
    fixed: str | None
    """The release that fixes this flaw for this version (None: none known)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "ids": list(self.ids),
            "aliases": list(self.aliases),
            "severity": self.severity,
            "score": self.score,
            "summary": self.summary,
            "fixed": self.fixed,
        }


@dataclass(slots=True)
class PackageResult:
    name: str
    version: str | None
    project: str
    state: str
    findings: list[Finding] = field(default_factory=list)
    fix: str | None = None
    """The smallest release that fixes every finding (None: none, or none needed)."""
    reason: str | None = None
    """Why a package is not audited, or local."""

    @property
    def severity(self) -> str | None:
        """The worst severity of its findings."""
        found = [f.severity for f in self.findings]
        return min(found, key=SEVERITIES.index) if found else None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "project": self.project,
            "state": self.state,
            "findings": [f.as_json() for f in self.findings],
            "fix": self.fix,
            "severity": self.severity,
            "reason": self.reason,
        }


def match_inventory(
    inventory: Inventory, advisories: dict[str, list[Advisory]], covered: bool
) -> list[PackageResult]:
    """One result per (package, version, project); `covered` says an advisory database
    is there at all (else every package is not audited, never clean)."""
    results = []
    for name, row in sorted(inventory.packages.items()):
        for usage in row.usages:
            kind = (usage.source or "").partition(":")[0]
            versions = list(dict.fromkeys([*usage.locked, *filter(None, [usage.installed])]))
            for version in versions or [None]:
                result = PackageResult(name, version, usage.project, "clean")
                if kind in LOCAL_SOURCES:
                    result.state, result.reason = "local", f"{kind} source"
                elif version is None:
                    result.state, result.reason = "not-audited", "no version locked or installed"
                elif not covered:
                    result.state, result.reason = "not-audited", NOT_IMPORTED
                else:
                    hits = [a for a in advisories.get(name, []) if _affects(a, name, version)]
                    result.findings = findings_of(hits, name, version)
                    if result.findings:
                        result.state = "vulnerable"
                        result.fix = _fix(result.findings)
                results.append(result)
    return results


def findings_of(hits: list[Advisory], name: str, version: str) -> list[Finding]:
    """Records merged by shared ids and aliases, each group one finding."""
    groups: list[tuple[set[str], list[Advisory]]] = []
    for advisory in hits:
        keys = {advisory.id, *advisory.aliases}
        joined = [g for g in groups if g[0] & keys]
        for group in joined:
            groups.remove(group)
        merged_keys = keys.union(*(g[0] for g in joined))
        merged = [advisory, *(a for g in joined for a in g[1])]
        groups.append((merged_keys, merged))
    findings = []
    for keys, records in groups:
        ids = tuple(sorted({r.id for r in records}))
        fixes = [f for r in records for a in r.affected if a.name == name
                 if (f := a.fixed_for(version)) is not None]  # fmt: skip
        scores = [r.score for r in records if r.score is not None]
        findings.append(
            Finding(
                ids=ids,
                aliases=tuple(sorted(keys - set(ids))),
                severity=min((r.severity for r in records), key=SEVERITIES.index),
                score=max(scores) if scores else None,
                summary=next((r.summary for r in records if r.summary), ""),
                fixed=str(max(fixes)) if fixes else None,
            )
        )
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.ids))


def mark_vulnerable(inventory: Inventory, results: list[PackageResult]) -> None:
    """The `vulnerable` flag on each usage (and row) a finding is about; cleared where
    no finding is left (a fixed package loses it)."""
    hit = {(r.name, r.project) for r in results if r.state == "vulnerable"}
    for name, row in inventory.packages.items():
        row.flags.discard("vulnerable")
        for usage in row.usages:
            usage.flags.discard("vulnerable")
            if (name, usage.project) in hit:
                usage.flags.add("vulnerable")
                row.flags.add("vulnerable")


def exit_code(results: list[PackageResult], allow_unaudited: bool) -> int:
    """0 only when every package was checked and none is vulnerable; local ones aside."""
    states = {r.state for r in results}
    if "vulnerable" in states or ("not-audited" in states and not allow_unaudited):
        return 1
    return 0


def _affects(advisory: Advisory, name: str, version: str) -> bool:
    return any(a.name == name and a.affects(version) for a in advisory.affected)


def _fix(findings: list[Finding]) -> str | None:
    fixes = [f.fixed for f in findings]
    if any(f is None for f in fixes):
        return None  # one flaw has no fixed release: no upgrade clears them all
    return str(max(Version(f) for f in fixes if f is not None))
