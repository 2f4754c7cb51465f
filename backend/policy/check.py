"""Every way the inventory breaks a bundle: one violation per rule, project, package
and version. Licences are judged on the SPDX expression (with `license-expression`):
`OR` passes when any branch is allowed, `AND` when every one is."""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet

from backend.inventory.model import SEVERITIES, Inventory, Usage, parsed_version
from backend.parsers.licenses import License
from backend.policy.bundle import LoadedBundle
from backend.policy.models import Bundle, Licenses, Scope, States

STATE_FLAGS = ("yanked", "archived", "quarantined", "deprecated")


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    severity: str
    project: str
    package: str
    found: str
    wanted: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "project": self.project,
            "package": self.package,
            "found": self.found,
            "wanted": self.wanted,
        }


def violations(
    loaded: LoadedBundle,
    inventory: Inventory,
    environment: str | None = None,
    today: datetime.date | None = None,
    licenses: dict[tuple[str, str], License] | None = None,
) -> list[Violation]:
    """What breaks the bundle (its extended files' rules, then its own). Licences are
    the installed copies', and for other releases those in `licenses` (by name and
    version, as the index's metadata files said); a release with neither is not judged."""
    paths = {p.name: p.path for p in inventory.projects}
    found: list[Violation] = []
    for _, bundle in loaded.bundles:
        for name, row in sorted(inventory.packages.items()):
            for usage in row.usages:
                where = paths.get(usage.project, Path(usage.project))
                for version in _versions(usage):
                    found += _judged(
                        bundle,
                        name,
                        version,
                        usage,
                        where,
                        environment,
                        today or datetime.date.today(),
                        licenses or {},
                    )
    return list(dict.fromkeys(found))


def _versions(usage: Usage) -> list[str]:
    return list(dict.fromkeys([*usage.locked, *filter(None, [usage.installed])]))


def applies(scope: Scope | None, project: str, path: Path, environment: str | None) -> bool:
    if scope is None:
        return True
    if scope.environment is not None and scope.environment != environment:
        return False
    if not scope.projects:
        return True
    return any(
        p == project or fnmatch.fnmatch(str(path), p) or fnmatch.fnmatch(path.name, p)
        for p in scope.projects
    )


def _judged(
    bundle: Bundle,
    name: str,
    version: str,
    usage: Usage,
    path: Path,
    environment: str | None,
    today: datetime.date,
    licenses: dict[tuple[str, str], License],
) -> list[Violation]:
    project = usage.project
    out: list[Violation] = []

    def here_applies(rule: Any) -> bool:
        return applies(rule.scope, project, path, environment)

    def add(rule: str, severity: str, found: str, wanted: str) -> None:
        out.append(Violation(rule, severity, project, name, found, wanted))

    here = f"{name} {version}"
    for deny in bundle.deny:
        if deny.name == name and here_applies(deny) and _within(version, deny.versions):
            wanted = f"not {deny.versions}" if deny.versions else "not used at all"
            add(
                deny.id or f"deny:{name}",
                deny.severity,
                here,
                wanted + (f" ({deny.reason})" if deny.reason else ""),
            )
    allowed = [a for a in bundle.allow if a.name == name and here_applies(a)]
    for allow in allowed:
        if allow.versions and not _within(version, allow.versions):
            add(allow.id or f"allow:{name}", allow.severity, here, allow.versions)
    if bundle.only and not allowed and bundle.allow:
        add(f"only:{name}", "error", here, "only the packages the bundle allows")
    for minimum in bundle.minimum:
        if (
            minimum.name == name
            and here_applies(minimum)
            and not _within(version, f">={minimum.version}")
        ):
            add(minimum.id or f"minimum:{name}", minimum.severity, here, f">={minimum.version}")
    known = usage.license if usage.installed == version else licenses.get((name, version))
    if bundle.licenses is not None and here_applies(bundle.licenses) and known is not None:
        out += [
            Violation(r, s, project, name, f, w)
            for r, s, f, w in _license_problems(bundle.licenses, name, known, today)
        ]
    if bundle.states is not None:
        out += [
            Violation(r, s, project, name, f, w)
            for r, s, f, w in _state_problems(bundle.states, usage, here)
        ]
    return out


def _within(version: str, specifier: str | None) -> bool:
    if specifier is None:
        return True
    parsed = parsed_version(version)
    return parsed is not None and SpecifierSet(specifier).contains(parsed, prereleases=True)


def _license_problems(
    rule: Licenses, name: str, license: License, today: datetime.date
) -> list[tuple[str, str, str, str]]:
    excepted = [
        e for e in rule.exceptions if e.name == name and (e.expires is None or e.expires >= today)
    ]
    if excepted:
        return []
    expression = license.expression
    if not license.known:
        if rule.unknown == "ignore":
            return []
        return [
            (
                rule.id or "licenses:unknown",
                rule.unknown,
                f"unknown ({license.declared or 'no licence field'})",
                "a known licence",
            )
        ]
    verdict, culprits = _judge(expression, tuple(rule.allow), tuple(rule.deny))
    if verdict:
        return []
    wanted = (f"one of {', '.join(rule.allow)}" if rule.allow else "") + (
        f"{'; ' if rule.allow else ''}none of {', '.join(rule.deny)}" if rule.deny else ""
    )
    return [(rule.id or f"licenses:{c}", rule.severity, expression, wanted) for c in culprits]


@lru_cache(maxsize=2048)
def _judge(
    expression: str, allow: tuple[str, ...], deny: tuple[str, ...]
) -> tuple[bool, list[str]]:
    """Whether the expression passes, and the ids that made it fail."""
    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    try:
        tree = licensing.parse(expression)
    except Exception:  # an expression this library cannot parse is judged by its text
        return (expression in allow and expression not in deny), [expression]
    culprits: list[str] = []

    def ok(node: Any) -> bool:
        if isinstance(node, licensing.OR):
            return any([ok(a) for a in node.args])
        if isinstance(node, licensing.AND):
            return all([ok(a) for a in node.args])
        key = getattr(getattr(node, "license_symbol", node), "key", str(node))
        passed = key not in deny and (not allow or key in allow)
        if not passed:
            culprits.append(key)
        return passed

    passed = ok(tree)
    return passed, list(dict.fromkeys(culprits))


def _state_problems(states: States, usage: Usage, here: str) -> list[tuple[str, str, str, str]]:
    out = []
    for flag in STATE_FLAGS:
        level = getattr(states, flag)
        if level != "ignore" and flag in usage.flags:
            note = usage.notes.get(flag)
            out.append(
                (
                    f"states:{flag}",
                    level,
                    here + (f" ({note})" if note else f" {flag}"),
                    f"not {flag}",
                )
            )
    if "vulnerable" in usage.flags and usage.severity is not None:
        rank = SEVERITIES.index(usage.severity)
        for severity in SEVERITIES[:-1]:  # unknown has no floor of its own
            level = getattr(states, f"vulnerable_{severity}")
            if level != "ignore" and rank <= SEVERITIES.index(severity):
                out.append(
                    (
                        f"states:vulnerable-{severity}",
                        level,
                        f"{here} vulnerable ({usage.severity})",
                        f"not vulnerable at {severity} or worse",
                    )
                )
                break
        if states.vulnerable != "ignore":
            out.append(
                ("states:vulnerable", states.vulnerable, f"{here} vulnerable", "not vulnerable")
            )
    return out
