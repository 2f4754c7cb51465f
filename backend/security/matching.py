"""Each package of the inventory against the advisories that name it: its state
(vulnerable, clean, not-audited with why, local), its findings, and the release that
fixes them all.

Records that share an id or an alias are one finding (a PYSEC, a GHSA and a CVE id of
one flaw count once, however the aliases chain). Pure: the store is read before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.inventory.model import Inventory
from backend.security.lookup import Flaw, PackageAdvisories
from backend.security.osv import SEVERITIES, parsed_version

if TYPE_CHECKING:
    from backend.security.online import OnlineAnswer

LOCAL_SOURCES = ("git", "url", "path", "directory", "editable", "virtual")
"""Sources no advisory database describes."""
NOT_IMPORTED = "no advisory database imported (devkit-tui vulns --import PATH)"


@dataclass(slots=True)
class Finding:
    """One flaw found in one version: what its records say, and the release that fixes
    it for this version (None: none known)."""

    flaw: Flaw
    fixed: str | None

    @property
    def ids(self) -> tuple[str, ...]:
        return self.flaw.ids

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.flaw.aliases

    @property
    def severity(self) -> str:
        return self.flaw.severity

    @property
    def score(self) -> float | None:
        return self.flaw.score

    @property
    def summary(self) -> str:
        return self.flaw.summary

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
    inventory: Inventory,
    advisories: dict[str, PackageAdvisories],
    covered: bool,
    online: OnlineAnswer | None = None,
) -> list[PackageResult]:
    """One result per (package, version, project); `covered` says an advisory database
    is there at all (else a package is not audited, never clean, unless the OSV service
    answered for it: `online`). A version used by many projects is looked up once."""
    results = []
    looked_up: dict[tuple[str, str], tuple[list[Finding], str | None]] = {}
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
                elif not covered and (online is None or (name, version) not in online.audited):
                    result.state = "not-audited"
                    failed = online.failed.get((name, version)) if online else None
                    result.reason = f"OSV service: {failed}" if failed else NOT_IMPORTED
                else:
                    key = (name, version)
                    if key not in looked_up:
                        package = (advisories if covered or online is None
                                   else online.advisories).get(name)  # fmt: skip
                        findings = findings_of(package, version) if package else []
                        looked_up[key] = (findings, _fix(findings) if findings else None)
                    result.findings, result.fix = looked_up[key]
                    if result.findings:
                        result.state = "vulnerable"
                results.append(result)
    return results


def findings_of(package: PackageAdvisories, version: str) -> list[Finding]:
    """One finding per flaw affecting `version` (its records merged: a PYSEC, a GHSA
    and a CVE id of one flaw count once), with the release that fixes it."""
    flaws = sorted(package.flaws(version), key=lambda found: (found[0].rank, found[0].ids))
    return [Finding(flaw, fixed) for flaw, fixed in flaws]


def mark_vulnerable(inventory: Inventory, results: list[PackageResult]) -> None:
    """The `vulnerable` flag, with the worst severity, on each usage (and row) a finding
    is about; cleared where no finding is left (a fixed package loses it)."""
    worst: dict[tuple[str, str], str] = {}
    for result in results:
        if result.state == "vulnerable" and result.severity is not None:
            key = (result.name, result.project)
            found = [s for s in (worst.get(key), result.severity) if s]
            worst[key] = min(found, key=SEVERITIES.index)
    for name, row in inventory.packages.items():
        row.flags.discard("vulnerable")
        for usage in row.usages:
            usage.flags.discard("vulnerable")
            usage.severity = worst.get((name, usage.project))
            if usage.severity is not None:
                usage.flags.add("vulnerable")
                row.flags.add("vulnerable")


def exit_code(results: list[PackageResult], allow_unaudited: bool) -> int:
    """0 only when every package was checked and none is vulnerable; local ones aside."""
    states = {r.state for r in results}
    if "vulnerable" in states or ("not-audited" in states and not allow_unaudited):
        return 1
    return 0


def _fix(findings: list[Finding]) -> str | None:
    fixes = [f.fixed for f in findings]
    if any(f is None for f in fixes):
        return None  # one flaw has no fixed release: no upgrade clears them all
    return max((f for f in fixes if f is not None), key=parsed_version)
