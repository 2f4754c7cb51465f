"""A bundle compiled into uv constraints for one lock: the rules that have a
constraint form (`minimum`, `allow` ranges, the versions of a `deny` whose complement
is one specifier) become `name<specifier>` lines; the others (a whole package denied,
`only`, licences, states) can only be checked, and each one says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import Specifier, SpecifierSet

from backend.policy.bundle import LoadedBundle
from backend.policy.models import Scope

_COMPLEMENT = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


@dataclass(frozen=True, slots=True)
class RuleReport:
    """What `policy apply` does with one rule: the constraint it compiles to, or why it
    is checked only."""

    rule: str
    kind: str
    constraint: str | None
    why: str

    @property
    def compiled(self) -> bool:
        return self.constraint is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "compiled": self.compiled,
            "constraint": self.constraint,
            "why": self.why,
        }


def compile_bundle(
    loaded: LoadedBundle, applies: Callable[[Scope | None], bool]
) -> tuple[list[str], list[RuleReport]]:
    """The constraints for a lock whose projects `applies` accepts the scope of, sorted
    and without repeats, and a report for every rule of every file of the bundle."""
    constraints: list[str] = []
    reports: list[RuleReport] = []
    for _, bundle in loaded.bundles:
        for deny in bundle.deny:
            rule = deny.id or f"deny:{deny.name}"
            if deny.versions is None:
                why = "denies the whole package: checked only (a constraint cannot forbid one)"
                reports.append(RuleReport(rule, "deny", None, why))
                continue
            complement = complement_of(deny.versions)
            if complement is None:
                why = f"no one specifier is the complement of {deny.versions!r}: checked only"
                reports.append(RuleReport(rule, "deny", None, why))
            else:
                reports.append(_compiled(rule, "deny", f"{deny.name}{complement}", deny.scope,
                                         applies, constraints))  # fmt: skip
        for allow in bundle.allow:
            rule = allow.id or f"allow:{allow.name}"
            if allow.versions is None:
                why = "allows every version: nothing to constrain"
                reports.append(RuleReport(rule, "allow", None, why))
            else:
                line = f"{allow.name}{SpecifierSet(allow.versions)}"
                reports.append(_compiled(rule, "allow", line, allow.scope, applies, constraints))
        for minimum in bundle.minimum:
            rule = minimum.id or f"minimum:{minimum.name}"
            line = f"{minimum.name}>={minimum.version}"
            reports.append(_compiled(rule, "minimum", line, minimum.scope, applies, constraints))
        if bundle.only:
            why = "a list of allowed packages is checked only (constraints cannot forbid one)"
            reports.append(RuleReport("only", "only", None, why))
        if bundle.licenses is not None:
            rule = bundle.licenses.id or "licenses"
            reports.append(RuleReport(rule, "licenses", None, "licences are checked only"))
        if bundle.states is not None:
            why = "package states are checked only (`update --fix-vulns` moves vulnerable ones)"
            reports.append(RuleReport("states", "states", None, why))
    return sorted(dict.fromkeys(constraints)), reports


def _compiled(
    rule: str,
    kind: str,
    line: str,
    scope: Scope | None,
    applies: Callable[[Scope | None], bool],
    constraints: list[str],
) -> RuleReport:
    if not applies(scope):
        return RuleReport(rule, kind, None, "its scope names no project of this lock")
    constraints.append(line)
    return RuleReport(rule, kind, line, "compiled")


def complement_of(versions: str) -> str | None:
    """The specifier that allows exactly what `versions` denies, when there is one: a
    single `<`, `<=`, `>`, `>=`, `==` or `!=` clause (`==1.*` included) has one."""
    clauses = list(SpecifierSet(versions))
    if len(clauses) != 1:
        return None
    clause: Specifier = clauses[0]
    opposite = _COMPLEMENT.get(clause.operator)
    if opposite is None or (clause.version.endswith(".*") and clause.operator not in ("==", "!=")):
        return None
    return f"{opposite}{clause.version}"
