"""Load a v1 registry folder: its manifest and every YAML file of groups, each group,
attribute and enum member keeping the file and line it came from.

Bad input never raises: a file that is not YAML, a document that is not a mapping, a
group that is not a mapping, or a file too large to be a registry becomes a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backend.weaver.findings import Finding
from backend.weaver.registries import MANIFEST_NAMES

MAX_FILE_BYTES = 10 * 1024 * 1024
LINE_KEY = "__line__"
"""Mappings loaded here carry the (1-based) line they start on under this key."""

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class _LineLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader whose mappings remember the line they start on."""


def _mapping_with_line(loader: Any, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping = {
        str(loader.construct_object(key, deep=True)): loader.construct_object(value, deep=True)
        for key, value in node.value
    }
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


@dataclass(slots=True)
class RawRegistry:
    root: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    groups: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0


def load_registry(root: Path) -> RawRegistry:
    """Every group of the registry under `root` (a folder, or its manifest file)."""
    if root.is_file():
        root = root.parent
    registry = RawRegistry(root=root)
    if not root.is_dir():
        registry.findings.append(
            Finding("invalid_registry_path", "violation", f"{root}: no such registry folder")
        )
        return registry
    manifest_names = set(MANIFEST_NAMES)
    for name in MANIFEST_NAMES:
        if (root / name).is_file():
            document = _load(root / name, registry.findings)
            if isinstance(document, dict):
                registry.manifest = document
            break
    for path in sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml")):
        if path.name in manifest_names and path.parent == root:
            continue
        registry.files += 1
        document = _load(path, registry.findings)
        if document is None:
            continue
        if not isinstance(document, dict):
            registry.findings.append(
                Finding(
                    "invalid_semconv_spec", "violation", "the file is not a mapping", str(path), 1
                )
            )
            continue
        if str(document.get("file_format", "")).startswith("definition/2"):
            document = {"groups": v2_as_groups(document, path.relative_to(root))}
        groups = document.get("groups", [])
        if not isinstance(groups, list):
            registry.findings.append(
                Finding(
                    "invalid_semconv_spec",
                    "violation",
                    "`groups` must be a list",
                    str(path),
                    document.get(LINE_KEY),
                )
            )
            continue
        for index, group in enumerate(groups):
            if not isinstance(group, dict):
                registry.findings.append(
                    Finding(
                        "invalid_semconv_spec",
                        "violation",
                        f"group {index + 1} is not a mapping",
                        str(path),
                        document.get(LINE_KEY),
                    )
                )
                continue
            registry.groups.append((path, group))
    return registry


def _load(path: Path, findings: list[Finding]) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            findings.append(
                Finding(
                    "invalid_semconv_spec",
                    "violation",
                    f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not read",
                    str(path),
                )
            )
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        findings.append(
            Finding("invalid_semconv_spec", "violation", f"cannot read: {exc}", str(path))
        )
        return None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        findings.append(
            Finding(
                "invalid_semconv_spec",
                "violation",
                f"not YAML: {getattr(exc, 'problem', None) or exc}",
                str(path),
                mark.line + 1 if mark is not None else None,
            )
        )
        return None


def v2_as_groups(document: dict[str, Any], relative: Path) -> list[Any]:
    """A `definition/2` file read as v1 groups: its attributes as an attribute group of
    definitions, its attribute groups, spans, metrics and events as groups whose
    attributes are references (`ref_group` pulls in a group's attributes).
    Entities list their `identity` and `description` references (each with its
    `role`); a refinement (`span_refinements`, `metric_refinements`,
    `event_refinements`, `entity_refinements`) is a group that extends the signal it
    refines."""
    groups: list[Any] = []
    attributes = document.get("attributes")
    if isinstance(attributes, list):
        groups.append(
            {
                "id": f"registry.{relative.with_suffix('').as_posix().replace('/', '.')}",
                "type": "attribute_group",
                LINE_KEY: document.get(LINE_KEY),
                "attributes": [
                    {**a, "id": a.get("key")} if isinstance(a, dict) else a for a in attributes
                ],
            }
        )
    for section, kind, key in (
        ("attribute_groups", "attribute_group", "id"),
        ("spans", "span", "type"),
        ("metrics", "metric", "name"),
        ("events", "event", "name"),
    ):
        for item in document.get(section, []) or []:
            if not isinstance(item, dict):
                groups.append(item)  # reported as a group that is not a mapping
                continue
            name = str(item.get(key, ""))
            group_id = name if kind == "attribute_group" else f"{kind}.{name}"
            group = {**item, "id": group_id, "type": kind}
            if kind == "metric":
                group["metric_name"] = name
            groups.append(group)
    for item in document.get("entities", []) or []:
        if not isinstance(item, dict):
            groups.append(item)
            continue
        groups.append(
            {**item, "id": f"entity.{item.get('type', '')}", "type": "entity",
             "attributes": _entity_attributes(item)}
        )  # fmt: skip
    for section, kind in REFINEMENTS.items():
        for item in document.get(section, []) or []:
            if not isinstance(item, dict):
                groups.append(item)
                continue
            group = {**item, "type": kind, "extends": f"{kind}.{item.get('ref', '')}",
                     "refines": str(item.get("ref", ""))}  # fmt: skip
            if kind == "entity":
                group["attributes"] = _entity_attributes(item)
            groups.append(group)
    return groups


REFINEMENTS = {
    "span_refinements": "span",
    "metric_refinements": "metric",
    "event_refinements": "event",
    "entity_refinements": "entity",
}


def _entity_attributes(item: dict[str, Any]) -> list[Any]:
    """An entity's (or refinement's) identity and description references, each marked
    with its role."""
    out: list[Any] = []
    for section, role in (("identity", "identifying"), ("description", "descriptive")):
        for reference in item.get(section, []) or []:
            out.append({**reference, "role": role} if isinstance(reference, dict) else reference)
    return out


def excerpt(path: Path, line: int, around: int = 6) -> list[tuple[int, str]]:
    """The numbered lines around `line` of a registry file (for showing a finding)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    start = max(1, line - around)
    return [(n, lines[n - 1]) for n in range(start, min(len(lines), line + around) + 1)]
