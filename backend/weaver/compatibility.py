"""Backward compatibility against a baseline registry (Weaver's `--baseline-registry`
and the semantic conventions' compatibility policy): what a release promised must
still hold in the next one.

Attributes may not disappear; stable ones keep their stability and type, their enum
members (ids, values, stable members). Stable metrics stay, stay stable, keep their
unit, instrument and stable attributes, and gain no required or recommended
attribute. Stable resources and events stay, stay stable and keep their stable
attributes. Each breach is a `backward_compatibility` violation.
"""

from __future__ import annotations

from typing import Any

from backend.weaver.findings import Finding
from backend.weaver.resolver import Attribute, Group, Registry

KIND = "backward_compatibility"


def compare(baseline: Registry, current: Registry) -> list[Finding]:
    return _attributes(baseline, current) + _signals(baseline, current)


def _attributes(baseline: Registry, current: Registry) -> list[Finding]:
    out = []
    for name, old in sorted(baseline.attributes.items()):
        new = current.attributes.get(name)
        where = _where(current, baseline, name)
        if new is None:
            out.append(_breach(f"Attribute '{name}' no longer exists in the attribute registry",
                               where, attribute=name))  # fmt: skip
            continue
        if old.stability != "stable":
            continue
        if new.stability != "stable":
            out.append(_breach(f"Attribute '{name}' was stable, but has new stability marker",
                               where, attribute=name))  # fmt: skip
        if old.type != new.type:
            was = "enum" if old.type == "enum" else f"'{old.type}'"
            out.append(_breach(f"Attribute '{name}' was {was}, but has new type '{new.type}'",
                               where, attribute=name))  # fmt: skip
        elif old.type == "enum":
            out += _members(name, old, new, where)
    return out


def _members(name: str, old: Attribute, new: Attribute, where: Any) -> list[Finding]:
    out = []
    before, after = _member_map(old), _member_map(new)
    for member_id, (value, stability) in before.items():
        if member_id not in after:
            out.append(_breach(f"Enum '{name}' had member '{member_id}', but is no longer"
                               " defined", where, attribute=name))  # fmt: skip
            continue
        new_value, new_stability = after[member_id]
        if new_value != value:
            out.append(_breach(f"Enum '{name}' had stable value '{value}', but is now"
                               f" '{new_value}'", where, attribute=name))  # fmt: skip
        if stability == "stable" and new_stability != "stable":
            out.append(_breach(f"Enum '{name}' had stable member '{member_id}', but is no"
                               " longer stable", where, attribute=name))  # fmt: skip
    return out


def _member_map(attribute: Attribute) -> dict[str, tuple[Any, Any]]:
    """Member id -> (value, stability), from the definition as written."""
    found: dict[str, tuple[Any, Any]] = {}
    for member in attribute.member_specs:
        if isinstance(member, dict) and member.get("id") is not None:
            found[str(member["id"])] = (member.get("value"), member.get("stability"))
    return found


def _signals(baseline: Registry, current: Registry) -> list[Finding]:
    out = []
    by_key = {_key(g): g for g in current.groups.values() if _key(g)}
    for old in baseline.groups.values():
        key = _key(old)
        if key is None or old.raw.get("stability") != "stable":
            continue
        kind, name = key
        new = by_key.get(key)
        where = (old.file, old.line, old.id)
        if new is None:
            out.append(_breach(f"{kind.capitalize()} '{name}' no longer exists in semantic"
                               " conventions", where))  # fmt: skip
            continue
        where = (new.file, new.line, new.id)
        if new.raw.get("stability") != "stable":
            out.append(_breach(f"{kind.capitalize()} '{name}' cannot change from stable", where))
            continue
        if kind == "metric":
            for field in ("unit", "instrument"):
                if old.raw.get(field) != new.raw.get(field):
                    out.append(_breach(
                        f"Metric '{name}' cannot change {field} (was '{old.raw.get(field)}',"
                        f" now: '{new.raw.get(field)}')", where,
                    ))  # fmt: skip
            added = _non_opt_in(new) - _non_opt_in(old)
            if added:
                out.append(_breach(f"Metric '{name}' cannot change required/recommended"
                                   f" attributes (added '{sorted(added)}')", where))  # fmt: skip
        missing = _stable_names(old) - _stable_names(new)
        if missing:
            out.append(_breach(f"{kind.capitalize()} '{name}' cannot remove required/recommended"
                               f" attributes (missing '{sorted(missing)}')", where))  # fmt: skip
    return out


def _key(group: Group) -> tuple[str, str] | None:
    """What identifies a signal across releases: a metric's name, a resource's or an
    event's name (spans are not compared: their ids are not settled upstream)."""
    if group.raw.get("refines"):
        return None
    if group.type == "metric" and group.raw.get("metric_name"):
        return ("metric", str(group.raw["metric_name"]))
    if group.type in ("resource", "event"):
        return (group.type, str(group.raw.get("name") or group.id))
    return None


def _stable_names(group: Group) -> set[str]:
    return {n for n, a in group.attributes.items() if a.stability == "stable"}


def _non_opt_in(group: Group) -> set[str]:
    def opt_in(level: Any) -> bool:
        return level == "opt_in" or (isinstance(level, dict) and "opt_in" in level)

    return {n for n, a in group.attributes.items() if not opt_in(a.requirement_level)}


def _where(current: Registry, baseline: Registry, name: str) -> tuple[str, int | None, None]:
    attribute = current.attributes.get(name) or baseline.attributes[name]
    return (attribute.file, attribute.line, None)


def _breach(
    message: str, where: tuple[str, int | None, str | None], attribute: str | None = None
) -> Finding:
    file, line, group = where
    return Finding(KIND, "violation", message, file, line, group=group, attribute=attribute)
