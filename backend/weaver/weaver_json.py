"""Weaver's JSON diagnostics (`weaver registry check --diagnostic-format json`), both
ways: our findings written in that shape (`check --format weaver-json`), and Weaver's
output read back into findings when the real `weaver` runs.

The shape is a list of `{"error": ..., "diagnostic": {"message", "ansi_message",
"severity", ...}}`. A loading or resolution error is externally tagged
(`{"DuplicateAttributeId": {...}}`, as Weaver's `expected-errors.json` files show);
a policy finding is `{"type": "policy_violation", "provenance", "violation": {...}}`,
its violation either `{id, message, level, context, signal_type, signal_name}` or the
older `{type: semconv_attribute, id, category, group, attr}`.
"""

from __future__ import annotations

from typing import Any

from backend.weaver.findings import LEVELS, Finding

SEVERITY = {"violation": "error", "improvement": "warning", "information": "advice"}
LEVEL_OF_SEVERITY = {"error": "violation", "warning": "improvement", "advice": "information"}


def is_resolution_kind(kind: str) -> bool:
    """Weaver's own error names are CamelCase; policy ids are snake_case."""
    return kind[:1].isupper()


def to_weaver_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [_diagnostic(f) for f in findings]


def _diagnostic(finding: Finding) -> dict[str, Any]:
    where = f"{finding.file}:{finding.line}" if finding.file and finding.line else finding.file
    if is_resolution_kind(finding.id):
        fields = {
            "path_or_url": finding.file,
            "group_id": finding.group,
            "attribute_id": finding.attribute,
            "error": finding.message,
        }
        error: dict[str, Any] = {finding.id: {k: v for k, v in fields.items() if v is not None}}
    else:
        context = {"group_id": finding.group, "attribute_name": finding.attribute}
        if finding.span_id:
            context.update(span_id=finding.span_id, trace_id=finding.trace_id)
        error = {
            "type": "policy_violation",
            "provenance": finding.file or finding.registry,
            "violation": {
                "id": finding.id,
                "message": finding.message,
                "level": finding.level,
                "context": {k: v for k, v in context.items() if v is not None},
                "signal_type": finding.signal_type,
                "signal_name": finding.signal_name,
            },
        }
    return {
        "error": error,
        "diagnostic": {
            "message": finding.message,
            "ansi_message": finding.message + (f"\n  at {where}" if where else ""),
            "severity": SEVERITY.get(finding.level, "error"),
        },
    }


def from_weaver_json(document: Any) -> list[Finding]:
    """Findings from Weaver's diagnostics list; anything unrecognised is kept as a
    finding with the diagnostic's own message and severity, never dropped."""
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise ValueError("Weaver's diagnostics are a JSON list")
    findings: list[Finding] = []
    for item in document:
        if not isinstance(item, dict):
            continue
        diagnostic = item.get("diagnostic") if isinstance(item.get("diagnostic"), dict) else {}
        findings += _from_error(item.get("error"), diagnostic)
    return findings


def _from_error(error: Any, diagnostic: dict[str, Any]) -> list[Finding]:
    message = str(diagnostic.get("message") or "")
    level = LEVEL_OF_SEVERITY.get(str(diagnostic.get("severity") or "error").lower(), "violation")
    if isinstance(error, dict) and isinstance(error.get("violation"), dict):
        return [_from_violation(error["violation"], error.get("provenance"), message)]
    if isinstance(error, dict) and len(error) == 1:
        kind, fields = next(iter(error.items()))
        if kind == "CompoundError" and isinstance(fields, list):
            return [f for e in fields for f in _from_error(e, diagnostic)]
        if isinstance(fields, dict) and kind in ("Resolver", "Semconv", "Checker"):
            return _from_error(fields, diagnostic)  # a crate's wrapper around its error
        if isinstance(fields, dict):
            provenance = fields.get("provenance")
            file = fields.get("path_or_url") or (
                provenance.get("path") if isinstance(provenance, dict) else provenance
            )
            group_ids = fields.get("group_ids")
            group = fields.get("group_id") or (group_ids[0] if group_ids else None)
            return [
                Finding(
                    str(kind),
                    level,
                    message or str(fields.get("error") or kind),
                    str(file) if file else None,
                    fields.get("line"),
                    group=group,
                    attribute=fields.get("attribute_id") or fields.get("attribute_ref"),
                )
            ]
    kind = str(error.get("type")) if isinstance(error, dict) and error.get("type") else "weaver"
    return [Finding(kind, level, message or kind)]


def _from_violation(violation: dict[str, Any], provenance: Any, message: str) -> Finding:
    context = violation.get("context") if isinstance(violation.get("context"), dict) else {}
    value = violation.get("value") if isinstance(violation.get("value"), dict) else {}
    level = violation.get("level") or violation.get("advice_level") or "violation"
    kind = violation.get("id") or violation.get("advice_type") or "policy_violation"
    return Finding(
        str(kind),
        level if level in LEVELS else "violation",
        str(violation.get("message") or message or kind),
        str(provenance) if provenance else None,
        group=violation.get("group") or context.get("group_id") or value.get("group_id"),
        attribute=violation.get("attr")
        or context.get("attribute_name")
        or value.get("attribute_name"),
        signal_type=violation.get("signal_type"),
        signal_name=violation.get("signal_name"),
    )
