"""The checks Weaver makes of every group while it loads a semantic-convention file,
before any policy runs: ids are Weaver's error names, Weaver's warnings are
`improvement` and its errors `violation`.

- `InvalidAttribute`: an attribute that is neither deprecated nor briefed.
- `InvalidAttributeWarning`: no stability, or the retired `deprecated` stability, on an
  attribute or an enum member.
- `InvalidExampleWarning`: a string or string[] attribute without examples, or
  examples in a form semconv 1.27 allowed (a flat list for an array type, strings
  for `template[string[]]`).
- `UnstructuredDeprecatedProperty`: `deprecated` written as a plain string.
- `InvalidAttributeAllowCustomValues`: `allow_custom_values`, no longer used.
"""

from __future__ import annotations

from typing import Any

from backend.weaver.findings import Finding
from backend.weaver.loader import LINE_KEY, RawRegistry

ARRAY_TYPES = {"string[]", "int[]", "double[]", "boolean[]"}


def spec_lints(raw: RawRegistry) -> list[Finding]:
    out: list[Finding] = []
    for path, group in raw.groups:
        group_id = str(group.get("id", ""))
        if isinstance(group.get("deprecated"), str):
            out.append(_unstructured(group_id, str(path), group.get(LINE_KEY), group_id))
        attributes = group.get("attributes") or []
        if not isinstance(attributes, list):
            continue
        for attribute in attributes:
            if isinstance(attribute, dict) and "id" in attribute:
                out += _attribute(attribute, group_id, str(path))
    return out


def _attribute(attribute: dict[str, Any], group_id: str, file: str) -> list[Finding]:
    name = str(attribute.get("id"))
    line = attribute.get(LINE_KEY)
    found: list[Finding] = []

    def add(kind: str, level: str, message: str) -> None:
        found.append(Finding(kind, level, message, file, line, group=group_id, attribute=name))

    deprecated = attribute.get("deprecated")
    if not attribute.get("brief") and deprecated is None:
        add(
            "InvalidAttribute",
            "violation",
            f"Invalid attribute definition (group_id='{group_id}', attribute_id='{name}')."
            " This attribute is not deprecated and does not contain a brief field.",
        )

    def warn(error: str) -> None:
        add("InvalidAttributeWarning", "improvement", _warning(group_id, name, error))

    stability = attribute.get("stability")
    if stability is None:
        warn("Missing stability field.")
    elif stability == "deprecated":
        warn("Attribute stability is set to 'deprecated' which is no longer supported.")
    kind = attribute.get("type")
    if isinstance(kind, dict):
        for member in kind.get("members") or []:
            if not isinstance(member, dict):
                continue
            member_id = member.get("id")
            if member.get("stability") is None:
                warn(f"Missing stability field on enum member {member_id}.")
            elif member.get("stability") == "deprecated":
                warn(
                    f"Member {member_id} stability is set to 'deprecated' which is no longer"
                    " supported."
                )
            if isinstance(member.get("deprecated"), str):
                found.append(
                    _unstructured(str(member_id), file, member.get(LINE_KEY), group_id, name)
                )
        if "allow_custom_values" in kind:
            add(
                "InvalidAttributeAllowCustomValues",
                "improvement",
                f"The attribute `{name}` in the group `{group_id}` is an enum using"
                " allow_custom_values. This is no longer used.",
            )
    if isinstance(deprecated, str):
        found.append(_unstructured(name, file, line, group_id, name))
    if isinstance(kind, str):
        problem = _example_problem(kind, attribute.get("examples"))
        if problem:
            add(
                "InvalidExampleWarning",
                "improvement",
                f"The attribute `{name}` in the group `{group_id}` contains an example that will"
                f" be considered invalid in the future. {problem}.",
            )
    return found


def _example_problem(kind: str, examples: Any) -> str | None:
    if examples is None:
        if kind == "string":
            return "This attribute is a string but it does not contain any examples"
        if kind == "string[]":
            return "This attribute is a string array but it does not contain any examples"
        return None
    flat_list = isinstance(examples, list) and not any(isinstance(e, list) for e in examples)
    if kind in ARRAY_TYPES and flat_list:
        return f"All examples SHOULD be of type `{kind}`"  # one flat list: semconv 1.27 style
    if kind == "template[string[]]" and (isinstance(examples, str) or flat_list):
        return f"All examples SHOULD be of type `{kind}`"
    return None


def _warning(group_id: str, name: str, error: str) -> str:
    return f"Invalid attribute definition (group_id='{group_id}', attribute_id='{name}'). {error}"


def _unstructured(
    owner: str, file: str, line: int | None, group_id: str, attribute: str | None = None
) -> Finding:
    return Finding(
        "UnstructuredDeprecatedProperty",
        "improvement",
        f"The `deprecated` property in `{owner}` is invalid. The `deprecated` field should be"
        " a structured object (`reason`: renamed, obsoleted or uncategorized, with `note`).",
        file,
        line,
        group=group_id,
        attribute=attribute,
    )
