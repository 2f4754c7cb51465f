"""Resolve a loaded v1 registry: attribute definitions (`id`, with a group's `prefix`),
references (`ref`), inheritance (`extends`), and the errors Weaver's resolver reports
for them: unresolved references, duplicate group ids, attributes defined twice,
metric names used twice, extends loops, invalid attribute types.

One module of about 400 lines on purpose: the passes share the indexes built from
the loaded groups, and apart they would only pass those indexes to each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.weaver.findings import Finding
from backend.weaver.loader import LINE_KEY, RawRegistry

PRIMITIVES = {"string", "int", "double", "boolean", "any"}
ARRAYS = {"string[]", "int[]", "double[]", "boolean[]"}
_TEMPLATE = re.compile(
    r"^template\[(string|int|double|boolean|any|string\[\]|int\[\]|double\[\]|boolean\[\])\]$"
)


@dataclass(slots=True)
class Attribute:
    """A resolved attribute: its definition, refined by the group that uses it."""

    name: str
    type: str
    """A primitive, an array, `template[...]`, or `enum`."""
    members: tuple[Any, ...] = ()
    """Enum member values."""
    stability: str | None = None
    deprecated: Any = None
    requirement_level: Any = "recommended"
    brief: str = ""
    file: str = ""
    line: int | None = None
    role: str | None = None
    """An entity's attribute: `identifying` or `descriptive`."""
    member_specs: tuple[Any, ...] = ()
    """Enum members as written (id, value, stability), for compatibility checks."""


@dataclass(slots=True)
class Group:
    id: str
    type: str
    file: str
    line: int | None
    attributes: dict[str, Attribute] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def span_name(self) -> str | None:
        """The span name a span group stands for: `span.<name>` by convention."""
        if self.type == "span" and self.id.startswith("span."):
            return self.id.removeprefix("span.")
        return None


@dataclass(slots=True)
class Registry:
    root: Path
    manifest: dict[str, Any]
    groups: dict[str, Group]
    attributes: dict[str, Attribute]
    """Every attribute definition, by name."""
    templates: dict[str, Attribute]
    findings: list[Finding]
    missing_dependencies: tuple[str, ...] = ()
    """Registries this one depends on that could not be loaded."""

    def attribute_for(self, key: str) -> Attribute | None:
        """The definition of `key`, or the longest template it is an instance of."""
        found = self.attributes.get(key)
        if found is not None:
            return found
        best = None
        for name, template in self.templates.items():
            if key.startswith(name + ".") and (best is None or len(name) > len(best.name)):
                best = template
        return best


def resolve(
    raw: RawRegistry,
    external: dict[str, Attribute] | None = None,
    missing_dependencies: tuple[str, ...] = (),
) -> Registry:
    """`external` holds the attributes of the registries this one depends on. When a
    dependency could not be loaded (`missing_dependencies`), a reference that does not
    resolve may point into it: it becomes information, and a placeholder of any type."""
    external = external or {}
    findings = list(raw.findings)
    groups: dict[str, Group] = {}
    definitions: dict[str, Attribute] = {}
    defined_in: dict[str, list[str]] = {}
    metric_names: dict[str, list[str]] = {}
    duplicates: dict[str, list[Group]] = {}
    for path, data in raw.groups:
        group_id = str(data.get("id", ""))
        group = Group(group_id, str(data.get("type", "")), str(path), data.get(LINE_KEY), raw=data)
        if not group_id:
            findings.append(_error("invalid_semconv_spec", "a group without an id", group))
            continue
        if group.type == "metric" and data.get("metric_name"):
            metric_names.setdefault(str(data["metric_name"]), []).append(group_id)
        if group_id in groups:
            duplicates.setdefault(group_id, [groups[group_id]]).append(group)
            continue
        groups[group_id] = group
        prefix = data.get("prefix")
        for item in data.get("attributes", []) or []:
            if not isinstance(item, dict) or "id" not in item:
                continue
            name = f"{prefix}.{item['id']}" if prefix else str(item["id"])
            attribute = _definition(name, item, group, findings)
            if attribute is None:
                continue
            defined_in.setdefault(name, []).append(group_id)
            definitions.setdefault(name, attribute)
    for group_id, copies in duplicates.items():
        places = ", ".join(f"{Path(g.file).name}:{g.line}" for g in copies)
        findings.append(
            _error("DuplicateGroupId", f"group id {group_id!r} is defined in {places}", copies[1])
        )
    _embedded_prefix_refs(groups, definitions, defined_in)
    for name, owners in defined_in.items():
        if len(owners) > 1:
            attribute = definitions[name]
            findings.append(
                Finding(
                    "DuplicateAttributeId",
                    "violation",
                    f"attribute {name!r} is defined in groups {', '.join(owners)}",
                    attribute.file,
                    attribute.line,
                    group=owners[0],
                    attribute=name,
                )
            )
    for name, owners in metric_names.items():
        if len(owners) > 1:
            group = groups[owners[0]]
            findings.append(
                Finding(
                    "DuplicateMetricName",
                    "violation",
                    f"metric name {name!r} is used by groups {', '.join(owners)}",
                    group.file,
                    group.line,
                    group=group.id,
                    signal_type="metric",
                    signal_name=name,
                )
            )
    known = {**external, **definitions}
    for group in groups.values():
        _own_attributes(group, known, findings, missing_dependencies)
    resolved: set[str] = set()
    for group in groups.values():
        _inherit(group, groups, resolved, [], findings)
    everything = {**known, **{n: a for n, a in definitions.items()}}
    placeholders = {
        a.name: a
        for g in groups.values()
        for a in g.attributes.values()
        if a.name not in everything
    }
    everything.update(placeholders)
    templates = {n: a for n, a in everything.items() if a.type.startswith("template[")}
    plain = {n: a for n, a in everything.items() if n not in templates}
    return Registry(
        raw.root, raw.manifest, groups, plain, templates, findings, missing_dependencies
    )


def _embedded_prefix_refs(
    groups: dict[str, Group], definitions: dict[str, Attribute], defined_in: dict[str, list[str]]
) -> None:
    """`ref: geo.lat` with `prefix: true` in a group prefixed `client` defines
    `client.geo.lat`, a copy of the referenced attribute."""
    for group in groups.values():
        prefix = group.raw.get("prefix")
        if not prefix:
            continue
        for item in group.raw.get("attributes", []) or []:
            if isinstance(item, dict) and "ref" in item and item.get("prefix") is True:
                base = definitions.get(str(item["ref"]))
                name = f"{prefix}.{item['ref']}"
                if base is not None and name not in definitions:
                    definitions[name] = Attribute(
                        name, base.type, base.members, base.stability, base.deprecated,
                        base.requirement_level, str(item.get("brief", base.brief)),
                        group.file, item.get(LINE_KEY), member_specs=base.member_specs,
                    )  # fmt: skip
                    defined_in.setdefault(name, []).append(group.id)


def _definition(
    name: str, item: dict[str, Any], group: Group, findings: list[Finding]
) -> Attribute | None:
    raw_type = item.get("type")
    members: tuple[Any, ...] = ()
    specs: tuple[Any, ...] = ()
    if isinstance(raw_type, dict) and isinstance(raw_type.get("members"), list):
        type_name = "enum"
        specs = tuple(m for m in raw_type["members"] if isinstance(m, dict))
        members = tuple(m.get("value") for m in specs)
    elif isinstance(raw_type, str) and (
        raw_type in PRIMITIVES or raw_type in ARRAYS or _TEMPLATE.match(raw_type)
    ):
        type_name = raw_type
    else:
        findings.append(
            Finding(
                "InvalidAttributeType",
                "violation",
                f"attribute {name!r} has an invalid type {raw_type!r}",
                group.file,
                item.get(LINE_KEY),
                group=group.id,
                attribute=name,
            )
        )
        return None
    return Attribute(
        name=name,
        type=type_name,
        members=members,
        member_specs=specs,
        stability=item.get("stability"),
        deprecated=item.get("deprecated"),
        requirement_level=item.get("requirement_level", "recommended"),
        brief=str(item.get("brief", "") or ""),
        file=group.file,
        line=item.get(LINE_KEY),
    )


def _own_attributes(
    group: Group,
    definitions: dict[str, Attribute],
    findings: list[Finding],
    missing_dependencies: tuple[str, ...] = (),
) -> None:
    prefix = group.raw.get("prefix")
    for item in group.raw.get("attributes", []) or []:
        if not isinstance(item, dict):
            continue
        if "ref" in item:
            name = str(item["ref"])
            base = definitions.get(name)
            if base is None and missing_dependencies:
                findings.append(
                    Finding(
                        "unverified_dependency_ref",
                        "information",
                        f"attribute reference {name!r} is not defined here; it may be in"
                        f" {', '.join(missing_dependencies)}, which could not be loaded",
                        group.file,
                        item.get(LINE_KEY),
                        group=group.id,
                        attribute=name,
                    )
                )
                base = definitions[name] = Attribute(name, "any", file=group.file)
            elif base is None:
                findings.append(
                    Finding(
                        "UnresolvedAttributeRef",
                        "violation",
                        f"attribute reference {name!r} does not resolve",
                        group.file,
                        item.get(LINE_KEY),
                        group=group.id,
                        attribute=name,
                    )
                )
                continue
            group.attributes[name] = _refined(base, item)
        elif "id" in item:
            name = f"{prefix}.{item['id']}" if prefix else str(item["id"])
            if name in definitions:
                group.attributes[name] = definitions[name]


def _refined(base: Attribute, item: dict[str, Any]) -> Attribute:
    """A reference may refine its attribute's requirement level and more."""
    return Attribute(
        name=base.name,
        type=base.type,
        members=base.members,
        stability=item.get("stability", base.stability),
        deprecated=item.get("deprecated", base.deprecated),
        requirement_level=item.get("requirement_level", base.requirement_level),
        brief=base.brief,
        file=base.file,
        line=base.line,
        role=item.get("role", base.role),
        member_specs=base.member_specs,
    )


def _inherit(
    group: Group,
    groups: dict[str, Group],
    resolved: set[str],
    chain: list[str],
    findings: list[Finding],
) -> None:
    """Fold the attributes of `extends` in, parents first; a loop is reported once."""
    if group.id in resolved:
        return
    included = [
        item["ref_group"]
        for item in group.raw.get("attributes", []) or []
        if isinstance(item, dict) and "ref_group" in item
    ]
    sources: dict[str, str] = {}
    for parent_id in [group.raw.get("extends"), *included]:
        if not parent_id:
            continue
        parent = groups.get(str(parent_id))
        if parent is None:
            findings.append(
                _error(
                    "UnresolvedExtendsRef", f"extends {parent_id!r}, which does not exist", group
                )
            )
        elif parent.id in chain or parent.id == group.id:
            findings.append(
                _error(
                    "ExtendsLoop",
                    f"extends loop: {' -> '.join([*chain, group.id, parent.id])}",
                    group,
                )
            )
        else:
            _inherit(parent, groups, resolved, [*chain, group.id], findings)
            if parent_id == group.raw.get("extends") and group.raw.get("refines"):
                findings += _changed_identity(group, parent)
            elif parent_id != group.raw.get("extends"):
                findings += _collisions(group, parent, sources)
            for name, attribute in parent.attributes.items():
                group.attributes.setdefault(name, attribute)
    resolved.add(group.id)


def _collisions(group: Group, parent: Group, sources: dict[str, str]) -> list[Finding]:
    """Two `ref_group`s of one group bringing the same attribute: Weaver's
    `DuplicateAttributeId` (a direct `ref` beside one group is fine)."""
    out = []
    for name in parent.attributes:
        first = sources.setdefault(name, parent.id)
        if first != parent.id:
            out.append(
                Finding(
                    "DuplicateAttributeId",
                    "violation",
                    f"attribute {name!r} comes into {group.id!r} from both {first!r} and"
                    f" {parent.id!r}",
                    group.file,
                    group.line,
                    group=group.id,
                    attribute=name,
                )
            )
    return out


def _changed_identity(refinement: Group, base: Group) -> list[Finding]:
    """An entity refinement may refine its base's identity attributes, never move an
    attribute into or out of the identity (`EntityRefinementChangedIdentity`)."""
    if refinement.type != "entity":
        return []
    out = []
    for item in refinement.raw.get("attributes", []) or []:
        if not isinstance(item, dict) or not item.get("ref"):
            continue
        name, role = str(item["ref"]), item.get("role")
        base_role = base.attributes[name].role if name in base.attributes else None
        if (role == "identifying") != (base_role == "identifying"):
            out.append(
                Finding(
                    "EntityRefinementChangedIdentity",
                    "violation",
                    f"refinement {refinement.id!r} of {base.id!r} puts {name!r} in its"
                    f" {'identity' if role == 'identifying' else 'description'}, but it is"
                    f" {'not ' if base_role != 'identifying' else ''}an identity attribute of"
                    " the entity it refines",
                    refinement.file,
                    item.get(LINE_KEY) or refinement.line,
                    group=refinement.id,
                    attribute=name,
                )
            )
    return out


def _error(kind: str, message: str, group: Group) -> Finding:
    return Finding(kind, "violation", message, group.file, group.line, group=group.id)
