"""The registry policies the OpenTelemetry semantic conventions hold themselves to
(their `policies/` packages, which Weaver runs with `--policy`), written here as plain
checks over the loaded and the resolved registry.

Before resolution: the attribute registry holds only attribute groups, attributes are
defined only there, and registry groups do not reference each other's attributes.
After resolution: no attribute name is the namespace of another, no attribute twice in
one group, a brief on every attribute and signal, and a `renamed_to` that names a live
attribute.
"""

from __future__ import annotations

import bisect
from collections import Counter

from backend.weaver.findings import Finding
from backend.weaver.loader import LINE_KEY, RawRegistry
from backend.weaver.resolver import Registry

SIGNALS = ("span", "metric", "event", "entity")


def names_under(sorted_names: list[str], name: str) -> list[str]:
    """The names that use `name` as their namespace (`name.` prefixed), found by
    bisection in a sorted list."""
    prefix = name + "."
    found = []
    for other in sorted_names[bisect.bisect_left(sorted_names, prefix) :]:
        if not other.startswith(prefix):
            break
        found.append(other)
    return found


def before_resolution(raw: RawRegistry) -> list[Finding]:
    out = []
    for path, group in raw.groups:
        group_id = str(group.get("id", ""))
        in_registry = group_id.startswith("registry.")
        where = (str(path), group.get(LINE_KEY), group_id)
        if in_registry and group.get("type") != "attribute_group":
            out.append(
                _violation(
                    "attribute_registry_can_only_contain_attribute_groups",
                    f"Group '{group_id}' is in the attribute registry but is a"
                    f" {group.get('type')!r}.",
                    where,
                )
            )
        for item in group.get("attributes", []) or []:
            if not isinstance(item, dict):
                continue
            if not in_registry and item.get("id") is not None:
                out.append(
                    _violation(
                        "attributes_must_be_defined_in_attribute_registry",
                        f"Attribute '{item['id']}' is defined in '{group_id}', outside the"
                        " registry.",
                        where,
                        str(item["id"]),
                        item.get(LINE_KEY),
                    )
                )
            if in_registry and item.get("ref") is not None:
                out.append(
                    _violation(
                        "attributes_in_registry_cannot_reference_each_other",
                        f"Registry group '{group_id}' references '{item['ref']}'.",
                        where,
                        str(item["ref"]),
                        item.get(LINE_KEY),
                    )
                )
    return out


def _violation(
    policy: str,
    message: str,
    where: tuple[str, int | None, str],
    attribute: str | None = None,
    line: int | None = None,
) -> Finding:
    file, group_line, group_id = where
    return Finding(policy, "violation", message, file, line or group_line, group_id, attribute)


def after_resolution(raw: RawRegistry, registry: Registry) -> list[Finding]:
    out: list[Finding] = []
    root = str(raw.root)
    live = {name: a for name, a in registry.attributes.items() if not a.deprecated}
    names = sorted(live)
    for name in names:
        attribute = live[name]
        if not attribute.file.startswith(root):
            continue  # a dependency's attribute: that registry's own check covers it
        collisions = names_under(names, name)
        if collisions:
            out.append(
                Finding(
                    "naming_collision",
                    "violation",
                    f"Attribute '{name}' name is used as a namespace in the following"
                    f" attributes '{collisions}'.",
                    attribute.file,
                    attribute.line,
                    attribute=name,
                )
            )
    for path, group in raw.groups:
        group_id = str(group.get("id", ""))
        prefix = group.get("prefix")
        listed = [
            str(item.get("ref") or (f"{prefix}.{item['id']}" if prefix else item.get("id")))
            for item in group.get("attributes", []) or []
            if isinstance(item, dict) and (item.get("ref") or item.get("id"))
        ]
        for name, count in Counter(listed).items():
            if count > 1:
                out.append(
                    Finding(
                        "naming_collision",
                        "violation",
                        f"Attribute '{name}' is already defined in the group '{group_id}'."
                        " Attributes must be unique.",
                        str(path),
                        group.get(LINE_KEY),
                        group_id,
                        name,
                    )
                )
        kind = str(group.get("type", ""))
        inherits_brief = bool(group.get("refines"))  # a refinement keeps its signal's brief
        if kind in SIGNALS and not inherits_brief and not str(group.get("brief", "") or "").strip():
            out.append(
                Finding(
                    "brief_required",
                    "violation",
                    f"{kind} '{group_id}' is invalid. Signals must have a brief.",
                    str(path),
                    group.get(LINE_KEY),
                    group_id,
                    signal_type=kind,
                    signal_name=group_id,
                )
            )
    for attribute in registry.attributes.values():
        if not attribute.file.startswith(root):
            continue
        if attribute.type != "any" and not attribute.brief.strip() and attribute.line:
            out.append(
                Finding(
                    "brief_required",
                    "violation",
                    f"Attribute '{attribute.name}' is invalid. Attributes must have a brief.",
                    attribute.file,
                    attribute.line,
                    attribute=attribute.name,
                )
            )
        deprecated = attribute.deprecated
        if isinstance(deprecated, dict) and deprecated.get("renamed_to"):
            target = str(deprecated["renamed_to"])
            if target not in live:
                out.append(
                    Finding(
                        "deprecation_violation",
                        "violation",
                        f"Attribute '{attribute.name}' was renamed to '{target}', but the new"
                        " attribute does not exist or is deprecated.",
                        attribute.file,
                        attribute.line,
                        attribute=attribute.name,
                    )
                )
    return out
