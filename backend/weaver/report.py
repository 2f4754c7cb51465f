"""One check of everything the dashboard watches: devkit's own registry and every
registry found in the watched projects, then the newest stored spans live-checked,
each against the registry of its service (devkit's own spans against devkit's
registry, a project's spans against the project's registry when it has one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from backend.telemetry import names
from backend.weaver.check import CheckResult, check_registry
from backend.weaver.findings import Finding, statistics
from backend.weaver.live_check import LiveCheck
from backend.weaver.registries import OWN_REGISTRY, find_registries

OWN_SERVICE = names.SERVICE


@dataclass(slots=True)
class CheckReport:
    registries: dict[str, CheckResult] = field(default_factory=dict)
    """By registry folder."""
    live_findings: list[Finding] = field(default_factory=list)
    samples: int = 0
    unchecked_samples: int = 0
    """Spans of services with no registry to check them against."""
    coverage: dict[str, Any] = field(default_factory=dict)
    service_violations: Counter[str] = field(default_factory=Counter)
    """Live-check violations per service name (a project's spans use its name)."""
    service_registry: dict[str, Path] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        out = [f for result in self.registries.values() for f in result.findings]
        return out + self.live_findings

    def statistics(self) -> dict[str, Any]:
        return statistics(self.findings, self.samples, self.coverage)


def registries_under(roots: list[Path], projects: dict[str, Path]) -> dict[str, Path]:
    """Registry folders by the service whose spans they judge: devkit's own, then each
    project's (a project's registry judges spans whose service.name is its name)."""
    found = {OWN_SERVICE: OWN_REGISTRY}
    for name, folder in projects.items():
        registries = find_registries(folder)
        if registries:
            found[name] = registries[0]
    return found


def build_report(
    registries: dict[str, Path],
    spans: list[dict[str, Any]],
    dependency_paths: dict[str, Path] | None = None,
) -> CheckReport:
    report = CheckReport(service_registry=dict(registries))
    checkers: dict[str, LiveCheck] = {}
    for service, folder in registries.items():
        result = check_registry(folder, dependency_paths)
        result.findings = [replace(f, registry=str(folder)) for f in result.findings]
        report.registries[str(folder)] = result
        checkers[service] = LiveCheck(result.registry)
    by_service: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        service = span.get("service") or span.get("resource", {}).get("service.name") or ""
        by_service.setdefault(str(service), []).append(span)
    for service, service_spans in by_service.items():
        checker = checkers.get(service)
        if checker is None:
            report.unchecked_samples += len(service_spans)
            continue
        checker.check(service_spans)
        folder = str(registries[service])
        report.live_findings.extend(replace(f, registry=folder) for f in checker.findings)
        report.service_violations[service] += sum(
            1 for f in checker.findings if f.level == "violation"
        )
        report.samples += checker.samples
        report.coverage[service] = checker.coverage()
    return report
