"""A project's own settings, from its `[tool.devkit-tui]`: the update check, spec
limits of its operations, and the service names its spans carry. Checked with the
pydantic model only when a project has the table, so most scans never import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.parsers.records import FileError


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    path: Path
    """The pyproject.toml they come from (`project:PATH` in `devkit-tui config`)."""
    update_check: str | None = None
    spec_limits: dict[str, float] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    charter: dict[str, Any] | None = None
    """Its `[tool.devkit-tui.charter]`, checked, as the file gives it."""


def project_settings(
    file: Path, table: dict[str, Any], lines: dict[str, int]
) -> tuple[ProjectSettings | None, list[FileError]]:
    """The table checked; each bad value is a FileError naming its key and line."""
    if not table:
        return None, []
    from pydantic import ValidationError

    from backend.config.models import ProjectConfig

    try:
        config = ProjectConfig.model_validate(table)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            line = lines.get(str(error["loc"][0]))
            message = f"[tool.devkit-tui] {key}: {error['msg']} (got {error.get('input')!r})"
            errors.append(FileError(str(file), line or None, message))
        return None, errors
    charter = (
        config.charter.model_dump(by_alias=True, exclude_unset=True) if config.charter else None
    )
    own = ProjectSettings(
        file, config.update_check, dict(config.spec_limits), tuple(config.services), charter
    )
    return own, []


def effective_spec_limits(
    given: dict[str, float], from_flags: bool, projects: dict[str, ProjectSettings]
) -> dict[str, float]:
    """Spec limits by span name: a flag's over the projects' over the user file's."""
    merged = {} if from_flags else dict(given)
    for settings in projects.values():
        merged.update(settings.spec_limits)
    if from_flags:
        merged.update(given)
    return merged


def service_projects(given: dict[str, str], projects: dict[str, ProjectSettings]) -> dict[str, str]:
    """service.name to project: the projects' own claims over the user file's map."""
    mapping = dict(given)
    for name, settings in projects.items():
        mapping.update(dict.fromkeys(settings.services, name))
    return mapping
