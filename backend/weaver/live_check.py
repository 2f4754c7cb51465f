"""Live check: recorded spans judged against a resolved registry, with the advice ids,
levels and messages OpenTelemetry Weaver's live-check gives.

Per attribute (span and resource): `missing_attribute`, `template_attribute`,
`type_mismatch`, `undefined_enum_variant`, `deprecated`, `not_stable`, and the advice
of Weaver's default live-check policy: `missing_namespace`, `invalid_format`,
`illegal_namespace` (a namespace that is itself an attribute) and `extends_namespace`.
Per span, when
the registry has a group `span.<span name>` (devkit's convention; Weaver matches
v1 span groups only through its v2 form), the requirement-level advice:
`required_attribute_not_present` and the recommended, conditionally required and
opt-in variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backend.weaver.findings import Finding
from backend.weaver.resolver import Attribute, Registry

NAME_FORMAT = re.compile(r"^[a-z][a-z0-9]*([._][a-z0-9]+)*$")


@dataclass(slots=True)
class LiveCheck:
    registry: Registry
    findings: list[Finding] = field(default_factory=list)
    samples: int = 0
    seen_attributes: set[str] = field(default_factory=set)
    seen_groups: set[str] = field(default_factory=set)
    _trace_id: str | None = None
    _namespaces: set[str] | None = None
    _policy_advice: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    _definitions: dict[str, Attribute | None] = field(default_factory=dict)

    def check(self, spans: Iterable[dict[str, Any]]) -> None:
        for span in spans:
            self.samples += 1
            name, span_id = str(span.get("name", "")), span.get("span_id")
            self._trace_id = span.get("trace_id")
            attributes = span.get("attributes") or {}
            for key, value in attributes.items():
                self._attribute(key, value, "span", name, span_id)
            for key, value in (span.get("resource") or {}).items():
                self._attribute(key, value, "resource", name, span_id)
            group = self.registry.groups.get(f"span.{name}")
            if group is not None:
                self.seen_groups.add(group.id)
                self._requirements(group.attributes.values(), attributes, name, span_id)

    def coverage(self) -> dict[str, Any]:
        total = len(self.registry.attributes)
        seen = len(self.seen_attributes & set(self.registry.attributes))
        return {
            "attributes_seen": seen,
            "attributes_total": total,
            "ratio": round(seen / total, 4) if total else None,
            "span_groups_seen": sorted(self.seen_groups),
        }

    def _attribute(self, key: str, value: Any, signal: str, name: str, span_id: str | None) -> None:
        def add(finding_id: str, level: str, message: str) -> None:
            self.findings.append(
                Finding(
                    finding_id,
                    level,
                    message,
                    attribute=key,
                    signal_type=signal,
                    signal_name=name,
                    span_id=span_id,
                    trace_id=self._trace_id,
                )
            )

        advice = self._policy_advice.get(key)
        if advice is None:
            advice = self._policy_advice[key] = self._policy(key)
        for finding_id, level, message in advice:
            add(finding_id, level, message)
        if key in self._definitions:
            definition = self._definitions[key]
        else:
            definition = self._definitions[key] = self.registry.attribute_for(key)
        if definition is None:
            missing = self.registry.missing_dependencies
            if missing:  # it may be defined there: say so, without calling it a violation
                message = (
                    f"Attribute '{key}' is not in this registry; it may be in"
                    f" {', '.join(missing)}, which could not be loaded."
                )
                add("missing_attribute", "information", message)
            else:
                message = f"Attribute '{key}' does not exist in the registry."
                add("missing_attribute", "violation", message)
            return
        self.seen_attributes.add(definition.name)
        if definition.type.startswith("template["):
            add(
                "template_attribute",
                "information",
                f"Attribute '{key}' is a template instance of '{definition.name}'.",
            )
        mismatch = _type_problem(definition, value)
        if mismatch:
            add("type_mismatch", "violation", mismatch.format(key=key))
        elif definition.type == "enum" and value not in definition.members:
            add(
                "undefined_enum_variant",
                "information",
                f"Enum attribute '{key}' has value '{value}' which is not documented.",
            )
        if definition.deprecated:
            reason, note = _deprecation(definition.deprecated)
            add(
                "deprecated",
                "violation",
                f"Attribute '{key}' is deprecated; reason = '{reason}', note = '{note}'.",
            )
        if definition.stability and definition.stability != "stable":
            add(
                "not_stable",
                "improvement",
                f"Attribute '{key}' is not stable; stability = {definition.stability}.",
            )

    def _policy(self, key: str) -> list[tuple[str, str, str]]:
        """Weaver's default live-check policy on an attribute's name (once per name)."""
        advice = []
        if "." not in key:
            advice.append(("missing_namespace", "improvement", "Does not have a namespace"))
        if not NAME_FORMAT.match(key):
            advice.append(("invalid_format", "violation", "Does not match name formatting rules"))
        if "." not in key:
            return advice
        parts = key.split(".")
        namespaces = [".".join(parts[:i]) for i in range(1, len(parts))]
        for namespace in namespaces:
            existing = self.registry.attributes.get(namespace)
            if existing is not None and not existing.deprecated:
                advice.append(
                    ("illegal_namespace", "violation", "Namespace matches existing attribute")
                )
                break
        if key in self.registry.attributes or any(
            key.startswith(t) for t in self.registry.templates
        ):
            return advice
        if any(n in self._registry_namespaces() for n in namespaces):
            advice.append(("extends_namespace", "information", "Extends existing namespace"))
        return advice

    def _registry_namespaces(self) -> set[str]:
        if self._namespaces is None:
            self._namespaces = {
                ".".join(name.split(".")[:i])
                for name in self.registry.attributes
                for i in range(1, name.count(".") + 1)
            }
        return self._namespaces

    def _requirements(
        self,
        wanted: Iterable[Attribute],
        present: dict[str, Any],
        name: str,
        span_id: str | None,
    ) -> None:
        for attribute in wanted:
            if attribute.name in present:
                continue
            level = attribute.requirement_level
            kind = next(iter(level)) if isinstance(level, dict) else str(level)
            finding_id, finding_level, words = {
                "required": ("required_attribute_not_present", "violation", "Required"),
                "recommended": ("recommended_attribute_not_present", "improvement", "Recommended"),
                "opt_in": ("opt_in_attribute_not_present", "information", "Opt-in"),
                "conditionally_required": (
                    "conditionally_required_attribute_not_present",
                    "information",
                    "Conditionally required",
                ),
            }.get(kind, ("recommended_attribute_not_present", "improvement", "Recommended"))
            self.findings.append(
                Finding(
                    finding_id,
                    finding_level,
                    f"{words} attribute '{attribute.name}' is not present.",
                    group=f"span.{name}",
                    attribute=attribute.name,
                    signal_type="span",
                    signal_name=name,
                    span_id=span_id,
                    trace_id=self._trace_id,
                )
            )


def _sample_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        inner = {_sample_type(v) for v in value} or {"string"}
        return f"{inner.pop()}[]" if len(inner) == 1 else "any"
    return "any"


def _type_problem(definition: Attribute, value: Any) -> str | None:
    """A message template when the value's type does not fit the definition."""
    actual = _sample_type(value)
    expected = definition.type
    if expected.startswith("template["):
        expected = expected[len("template[") : -1]
    if expected == "enum":
        if actual not in ("string", "int"):
            return (
                "Enum attribute '{key}' has type '" + actual + "'. "
                "Enum value type should be 'string' or 'int'."
            )
        return None
    if expected == "any" or actual == expected:
        return None
    if expected == "double" and actual == "int":
        return None  # an integral double
    return "Attribute '{key}' has type '" + actual + "'. Type should be '" + expected + "'."


def _deprecation(deprecated: Any) -> tuple[str, str]:
    if isinstance(deprecated, dict):
        reason = str(deprecated.get("reason", "uncategorized"))
        note = str(deprecated.get("note") or deprecated.get("renamed_to") or "")
        return ("renamed" if reason == "renamed" else reason), note
    return "uncategorized", str(deprecated)
