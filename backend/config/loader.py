"""Find the configuration file, read it, and merge it under flags and the environment.

Precedence, highest first: a flag, the environment, the user file, the default. The
file is `--config PATH`, else `$DEVKIT_CONFIG`, else `config.toml` in the platform's
user configuration folder when it exists; no file means pydantic is never imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.parsers.records import ParseFailure
from backend.parsers.toml_file import line_of, load_toml
from backend.settings import DB_ENV_VAR, SettingsError

if TYPE_CHECKING:
    from backend.config.models import UserConfig

CONFIG_ENV_VAR = "DEVKIT_CONFIG"

KEYS: dict[str, str] = {
    "roots": "roots",
    "database": "db_path",
    "max-depth": "max_depth",
    "otlp.host": "otlp_host",
    "otlp.port": "otlp_port",
    "otlp.max-body": "otlp_max_body",
    "otlp.export": "otlp_export",
    "retention.spans": "retention_spans",
    "retention.days": "retention_days",
    "update.concurrency": "update_concurrency",
    "spec-limits": "spec_limits",
    "services": "services",
    "refresh": "refresh_s",
    "bell": "bell",
    "theme": "theme",
    "keymap": "keymap",
    "policy.bundle": "policy_bundle",
    "charter": "charter",
}
"""Each key of the file (its path) and the setting it gives."""
ENV_OF = {"database": DB_ENV_VAR}


class ConfigError(SettingsError):
    """A configuration file that cannot be used: the file, the line, the key, why."""


@dataclass(slots=True)
class Resolved:
    """Settings values to use, and where each configurable one came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """Key path to (value, `flag` | `env` | `user:PATH` | `default`)."""
    path: Path | None = None


def config_path(explicit: Path | None = None) -> Path | None:
    """The file to read: the flag's, the environment's (both must exist), else the user
    folder's when it exists."""
    chosen = explicit or (
        Path(os.environ[CONFIG_ENV_VAR]) if os.environ.get(CONFIG_ENV_VAR) else None
    )
    if chosen is not None:
        chosen = chosen.expanduser()
        if not chosen.is_file():
            raise ConfigError(f"{chosen}: no such configuration file")
        return chosen
    from platformdirs import user_config_path

    found = user_config_path("devkit-tui", appauthor=False) / "config.toml"
    return found if found.is_file() else None


def load_user_config(path: Path) -> UserConfig:
    """The file validated; every problem in it is one message naming file, line, key."""
    from pydantic import ValidationError

    from backend.config.models import UserConfig

    try:
        document, text = load_toml(path)
    except ParseFailure as exc:
        raise ConfigError(
            f"{exc.error.file}:{exc.error.line or '?'}: {exc.error.message}"
        ) from None
    try:
        return UserConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError("\n".join(validation_problems(path, text, exc))) from None


def validation_problems(
    path: Path, text: str, exc: Any, unknown: str = "not a setting devkit-tui knows"
) -> list[str]:
    """One `FILE:LINE: key.path: why` per problem pydantic found in a TOML file."""
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        last = next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), key)
        line = line_of(text, last)
        where = f"{path}:{line}" if line else str(path)
        problems.append(f"{where}: {key}: {_explained(error, unknown)}")
    return problems


def resolve(flags: dict[str, Any], explicit: Path | None = None) -> Resolved:
    """`flags` (Settings field -> value, what the command line gave) over the
    environment over the configuration file over the defaults."""
    resolved = Resolved(values=dict(flags), path=config_path(explicit))
    config = load_user_config(resolved.path) if resolved.path else None
    given = config.model_dump(by_alias=True, exclude_unset=True) if config else {}
    for key, name in KEYS.items():
        if name in flags:
            resolved.sources[key] = (flags[name], "flag")
        elif os.environ.get(ENV_OF.get(key, "\x00")):
            resolved.sources[key] = (os.environ[ENV_OF[key]], "env")
        elif (value := lookup(given, key)) is not None:
            resolved.values[name] = value
            resolved.sources[key] = (value, f"user:{resolved.path}")
        else:
            resolved.sources[key] = (None, "default")
    return resolved


def lookup(document: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


def _explained(error: Any, unknown: str) -> str:
    if error["type"] == "extra_forbidden":
        return unknown
    expected = error["msg"]
    return f"{expected} (got {error.get('input')!r})"
