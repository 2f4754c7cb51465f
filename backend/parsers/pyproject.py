"""Parse pyproject.toml: PEP 621 dependencies, extras, PEP 735 groups, uv's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from backend.parsers.pep508 import declaration_from
from backend.parsers.records import FileError, PyProject
from backend.parsers.toml_file import line_of, load_toml


def parse_pyproject(path: Path) -> PyProject:
    """Read one pyproject.toml; raises `ParseFailure` only when the TOML itself is broken."""
    data, text = load_toml(path)
    file = str(path)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    raw_name = project.get("name")
    dynamic = project.get("dynamic")
    result = PyProject(
        path=path,
        name=canonicalize_name(raw_name) if isinstance(raw_name, str) else None,
        dynamic={str(d) for d in dynamic} if isinstance(dynamic, list) else set(),
    )

    def add(requirements: Any, group: str, key: str) -> None:
        if not isinstance(requirements, list):
            result.errors.append(
                FileError(file, line_of(text, key), f"{key} must be a list of requirements")
            )
            return
        for item in requirements:
            if not isinstance(item, str):
                result.errors.append(
                    FileError(file, line_of(text, key), f"{key}: {item!r} is not a string")
                )
                continue
            parsed = declaration_from(item, group, file, line_of(text, item))
            (result.errors if isinstance(parsed, FileError) else result.declarations).append(parsed)

    if "dependencies" in project:
        add(project["dependencies"], "main", "dependencies")
    extras = project.get("optional-dependencies", {})
    if isinstance(extras, dict):
        for extra, reqs in extras.items():
            add(reqs, f"extra:{canonicalize_name(extra)}", extra)
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group in groups:
            reqs, problem = resolve_group(groups, group)
            if problem:
                result.errors.append(FileError(file, line_of(text, f"{group}"), problem))
            add(reqs, f"group:{canonicalize_name(group)}", group)
    if "dev-dependencies" in uv:
        add(uv["dev-dependencies"], "dev", "dev-dependencies")

    workspace = uv.get("workspace")
    if isinstance(workspace, dict):
        result.workspace_members = [m for m in workspace.get("members", []) if isinstance(m, str)]
        result.workspace_exclude = [m for m in workspace.get("exclude", []) if isinstance(m, str)]
    sources = uv.get("sources")
    if isinstance(sources, dict):
        for name, source in sources.items():
            options = source if isinstance(source, list) else [source]
            if any(isinstance(s, dict) and ("path" in s or s.get("workspace")) for s in options):
                result.local_sources.add(canonicalize_name(name))
    result.index_url = default_index(uv)
    ours = tool.get("devkit-tui")
    for key in sorted(ours) if isinstance(ours, dict) else ():
        if key not in PROJECT_KEYS:
            result.errors.append(FileError(file, line_of(text, key), _not_a_project_key(key)))
        else:
            result.devkit[key] = ours[key]
            result.devkit_lines[key] = line_of(text, key) or 0
    return result


PROJECT_KEYS = ("update-check", "spec-limits", "services", "charter")
"""What `[tool.devkit-tui]` in a project may hold: settings about that project only.
Their values are checked where they are used (backend.config.project)."""
PROCESS_KEYS = ("roots", "database", "max-depth", "otlp", "retention", "update", "keymap",
                "bell", "theme", "refresh")  # fmt: skip


def _not_a_project_key(key: str) -> str:
    if key in PROCESS_KEYS:
        return (
            f"[tool.devkit-tui] {key}: a setting of the whole process, not of one project;"
            " put it in the configuration file (devkit-tui config)"
        )
    return f"[tool.devkit-tui] {key}: not a project setting (known: {', '.join(PROJECT_KEYS)})"


def default_index(uv: dict[str, Any]) -> str | None:
    """The index uv resolves this project against: the `[[tool.uv.index]]` marked
    `default = true`, else the legacy `index-url`; None means uv's own default."""
    for index in uv.get("index", []) if isinstance(uv.get("index"), list) else []:
        if isinstance(index, dict) and index.get("default") is True and index.get("url"):
            return str(index["url"])
    legacy = uv.get("index-url")
    return str(legacy) if isinstance(legacy, str) and legacy else None


def resolve_group(
    groups: dict[str, Any], group: str, seen: tuple[str, ...] = ()
) -> tuple[list[str], str | None]:
    """Expand a PEP 735 group, following `include-group`; reports cycles and unknown groups."""
    by_name = {canonicalize_name(k): k for k in groups}
    key = by_name.get(canonicalize_name(group))
    if key is None:
        return [], f"dependency group {group!r} is included but not defined"
    if canonicalize_name(group) in seen:
        cycle = " -> ".join([*seen, canonicalize_name(group)])
        return [], f"dependency group cycle: {cycle}"
    items = groups[key]
    if not isinstance(items, list):
        return [], f"dependency group {group!r} must be a list"
    out: list[str] = []
    problem: str | None = None
    for item in items:
        if isinstance(item, dict) and "include-group" in item:
            nested, nested_problem = resolve_group(
                groups, str(item["include-group"]), (*seen, canonicalize_name(group))
            )
            out.extend(nested)
            problem = problem or nested_problem
        else:
            out.append(item)
    return out, problem
