"""`check`: load a registry with its dependencies, resolve it, and report findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.weaver.compatibility import compare
from backend.weaver.findings import Finding, statistics
from backend.weaver.lints import spec_lints
from backend.weaver.loader import load_registry
from backend.weaver.policies import after_resolution, before_resolution
from backend.weaver.rego import run_policies
from backend.weaver.resolver import Attribute, Registry, resolve
from backend.weaver.signal_policies import signal_policies


@dataclass(slots=True)
class CheckResult:
    registry: Registry
    findings: list[Finding]
    dependencies: dict[str, str] = field(default_factory=dict)
    """schema_url -> where it was loaded from, or why it was not."""

    def statistics(self, samples: int = 0, coverage: Any = None) -> dict[str, Any]:
        return statistics(self.findings, samples, coverage)

    @property
    def violations(self) -> int:
        return sum(1 for f in self.findings if f.level == "violation")


def check_registry(
    path: Path,
    dependency_paths: dict[str, Path] | None = None,
    policies: bool = True,
    baseline: Path | None = None,
) -> CheckResult:
    """Resolve the registry at `path`. Dependencies are read from a local
    `registry_path` or from `dependency_paths` (schema_url -> folder); a remote one
    with no local copy is reported, and references into it are not verified."""
    dependency_paths = dependency_paths or {}  # policies: the semantic conventions' own
    raw = load_registry(path)
    external: dict[str, Attribute] = {}
    missing: list[str] = []
    sources: dict[str, str] = {}
    for dependency in raw.manifest.get("dependencies", []) or []:
        if not isinstance(dependency, dict):
            continue
        url = str(dependency.get("schema_url", ""))
        local = dependency_paths.get(url)
        registry_path = str(dependency.get("registry_path", ""))
        if local is None and registry_path and "://" not in registry_path:
            candidate = (raw.root / registry_path).resolve()
            local = candidate if candidate.exists() else None
        if local is None:
            missing.append(url or registry_path)
            sources[url] = "not available offline (pass --dependency URL=PATH)"
            continue
        resolved = resolve(load_registry(local))
        external.update(resolved.attributes)
        external.update(resolved.templates)
        sources[url] = str(local)
    registry = resolve(raw, external, tuple(missing))
    findings = list(registry.findings) + spec_lints(raw)
    if policies:
        findings += before_resolution(raw) + after_resolution(raw, registry)
        findings += signal_policies(raw, registry) + run_policies(raw, registry)
    if baseline is not None:
        findings += compare(resolve(load_registry(baseline), external), registry)
    return CheckResult(registry, findings, sources)
