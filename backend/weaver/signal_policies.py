"""The semantic conventions' shared policy packages that judge signals, as plain checks
over the resolved registry, with the exceptions a signal declares for itself under
`annotations.<package>.policy_exceptions` (the finding id without the package prefix).

- `stability`: a span, metric, event or entity must not claim a higher stability than
  an attribute it uses, unless that attribute is `opt_in`
  (`stability_<signal>_lower_stability_attribute`).
- `naming_conventions`: a metric name must not be the namespace of another metric
  (`naming_conventions_metric_namespace_collision`).
- `entity_associations`: a signal's associated entities must exist
  (`entity_association_violation`).
- Names (the older `yaml_schema` policy): attribute names and enum member ids are
  lowercase words joined by `.` or `_`, attribute names have a namespace, metric names
  follow the same format (`yaml_schema_violation`).
"""

from __future__ import annotations

import re
from typing import Any

from backend.weaver.findings import Finding
from backend.weaver.loader import LINE_KEY, RawRegistry
from backend.weaver.policies import names_under
from backend.weaver.resolver import Group, Registry

STABILITY_RANK = {
    "development": 1,
    "experimental": 1,
    "alpha": 2,
    "beta": 3,
    "release_candidate": 4,
    "stable": 5,
}
SIGNALS = ("span", "metric", "event", "entity")
NAME = re.compile(r"^[a-z][a-z0-9]*([._][a-z0-9]+)*$")
HAS_NAMESPACE = re.compile(r"^[a-z0-9_]+\.([a-z0-9._]+)+$")
NAME_RULE = "must consist of lowercase alphanumeric characters separated by '_' and '.'"


def exceptions(group: dict[str, Any], package: str) -> set[str]:
    annotations = group.get("annotations")
    if not isinstance(annotations, dict):
        return set()
    declared = annotations.get(package)
    if not isinstance(declared, dict):
        return set()
    values = declared.get("policy_exceptions") or []
    return {str(v) for v in values} if isinstance(values, list) else set()


def signal_policies(raw: RawRegistry, registry: Registry) -> list[Finding]:
    root = str(raw.root)
    own = [g for g in registry.groups.values() if g.file.startswith(root)]
    return (
        _stability(own)
        + _metric_collisions(own, registry)
        + _names(raw)
        + _entity_associations(own, registry)
    )


def _entity_associations(groups: list[Group], registry: Registry) -> list[Finding]:
    """A signal's `entity_associations` must name entities the registry (or a
    dependency) defines: resources and entities, by name."""
    known = {
        str(g.raw.get("name"))
        for g in registry.groups.values()
        if g.type in ("resource", "entity") and g.raw.get("name")
    }
    known |= {g.id.removeprefix("entity.") for g in registry.groups.values() if g.type == "entity"}
    out = []
    for group in groups:
        associations = group.raw.get("entity_associations") or []
        for entity in associations if isinstance(associations, list) else []:
            if isinstance(entity, str) and entity not in known:
                out.append(
                    Finding(
                        "entity_association_violation",
                        "violation",
                        f"Unknown entity '{entity}' associated in group '{group.id}'",
                        group.file,
                        group.line,
                        group.id,
                        signal_type=group.type,
                        signal_name=_signal_name(group),
                    )
                )
    return out


def _stability(groups: list[Group]) -> list[Finding]:
    out = []
    for group in groups:
        if group.type not in SIGNALS:
            continue
        signal_rank = STABILITY_RANK.get(str(group.raw.get("stability")))
        key = f"{group.type}_lower_stability_attribute"
        if signal_rank is None or key in exceptions(group.raw, "stability"):
            continue
        for attribute in group.attributes.values():
            if _opt_in(attribute.requirement_level):
                continue
            rank = STABILITY_RANK.get(str(attribute.stability))
            if rank is None or signal_rank <= rank:
                continue
            out.append(
                Finding(
                    f"stability_{key}",
                    "violation",
                    f"{group.type} '{_signal_name(group)}' has stability"
                    f" '{group.raw.get('stability')}' which is higher than the stability"
                    f" '{attribute.stability}' of attribute '{attribute.name}'; lower-stability"
                    " attributes are only allowed at 'opt_in' requirement level",
                    group.file,
                    group.line,
                    group.id,
                    attribute.name,
                    signal_type=group.type,
                    signal_name=_signal_name(group),
                )
            )
    return out


def _opt_in(level: Any) -> bool:
    return level == "opt_in" or (isinstance(level, dict) and "opt_in" in level)


def _signal_name(group: Group) -> str:
    raw = group.raw
    return str(raw.get("metric_name") or raw.get("name") or group.span_name or group.id)


def _metric_collisions(groups: list[Group], registry: Registry) -> list[Finding]:
    """Deprecated metrics are left out on both sides: a renamed metric often became
    the namespace of its successor (`k8s.container.cpu.limit` -> `...limit.desired`)."""
    names = sorted(
        {
            str(g.raw["metric_name"])
            for g in registry.groups.values()
            if g.raw.get("metric_name") and not g.raw.get("deprecated")
        }
    )
    out = []
    for group in groups:
        name = group.raw.get("metric_name")
        if not name or group.raw.get("deprecated"):
            continue
        if "metric_namespace_collision" in exceptions(group.raw, "naming_conventions"):
            continue
        collisions = names_under(names, str(name))
        if collisions:
            out.append(
                Finding(
                    "naming_conventions_metric_namespace_collision",
                    "violation",
                    f"Metric name '{name}' is used as a namespace in the following metrics"
                    f" '{collisions}'.",
                    group.file,
                    group.line,
                    group.id,
                    signal_type="metric",
                    signal_name=str(name),
                )
            )
    return out


def _names(raw: RawRegistry) -> list[Finding]:
    out: list[Finding] = []
    for path, group in raw.groups:
        group_id = str(group.get("id", ""))

        def add(
            message: str,
            attribute: str | None,
            line: Any,
            path: Any = path,
            group_id: str = group_id,
        ) -> None:
            out.append(
                Finding(
                    "yaml_schema_violation", "violation", message, str(path), line, group_id,
                    attribute,
                )
            )  # fmt: skip

        metric = group.get("metric_name")
        if isinstance(metric, str) and not NAME.match(metric):
            add(f"Metric name '{metric}' is invalid. Metric name {NAME_RULE}", None,
                group.get(LINE_KEY))  # fmt: skip
        for item in group.get("attributes") or []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            name, line = item["id"], item.get(LINE_KEY)
            if group.get("prefix"):
                name = f"{group['prefix']}.{name}"
            if not NAME.match(name):
                add(f"Attribute name '{name}' is invalid. Attribute name {NAME_RULE}", name, line)
            elif not item.get("deprecated") and not HAS_NAMESPACE.match(name):
                add(
                    f"Attribute name '{name}' should have a namespace. Attribute name {NAME_RULE}",
                    name,
                    line,
                )
            kind = item.get("type")
            members = kind.get("members") if isinstance(kind, dict) else None
            for member in members or []:
                member_id = member.get("id") if isinstance(member, dict) else None
                if isinstance(member_id, str) and not NAME.match(member_id):
                    add(
                        f"Member id '{member_id}' on attribute '{name}' is invalid. Member id"
                        f" {NAME_RULE}",
                        name,
                        member.get(LINE_KEY, line),
                    )
    return out
