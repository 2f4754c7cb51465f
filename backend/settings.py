"""Settings shared by the CLI, the TUI and the tests, checked once where they are made.

The environment is read here and nowhere else: `DEVKIT_DB`, `UV_INDEX_URL`, `DEVKIT_UV`,
`DEVKIT_WEAVER` and `DEVKIT_CACHE` become fields, which flags may then override.

A plain dataclass: this sits on the start-up path of every command, and pydantic's
import alone costs more than a whole `list --json` parse of a small workspace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.setting_names import (
    CACHE_ENV_VAR,
    DB_ENV_VAR,
    DB_FILE_NAME,
    DEFAULT_MAX_DEPTH,
    INDEX_ENV_VAR,
    MAX_DEPTH_LIMIT,
    UV_ENV_VAR,
    WEAVER_ENV_VAR,
)

__all__ = [
    "DB_ENV_VAR", "DB_FILE_NAME", "DEFAULT_MAX_DEPTH", "INDEX_ENV_VAR", "MAX_DEPTH_LIMIT",
    "UV_ENV_VAR", "WEAVER_ENV_VAR", "Settings", "SettingsError", "default_db_path",
]  # fmt: skip


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and why."""


def default_db_path() -> Path:
    """`DEVKIT_DB` when set, else a file in the platform's user data folder."""
    configured = os.environ.get(DB_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path  # only when a default is needed: --help never

    return user_data_path("devkit-tui", appauthor=False) / DB_FILE_NAME


def default_cache_dir() -> Path | None:
    """`DEVKIT_CACHE` when set (`off`: none), else the platform's user cache folder."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return None if configured == "off" else Path(configured).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("devkit-tui", appauthor=False)


def _environ(name: str) -> str | None:
    return os.environ.get(name) or None


@dataclass(slots=True)
class Settings:
    """What a Backend needs to know to start."""

    roots: list[Path] = field(default_factory=lambda: [Path.cwd()])
    db_path: Path = field(default_factory=default_db_path)
    max_depth: int = DEFAULT_MAX_DEPTH
    watch: bool = True
    environment: Path | None = None
    """An environment to use for every project instead of its own `.venv`."""
    receive_otlp: bool = False
    """Serve OTLP/HTTP (`serve` always does; the dashboard does unless told not to)."""
    otlp_host: str = "127.0.0.1"
    otlp_port: int = 4318
    otlp_max_body: int = 8 * 1024 * 1024
    """Largest request body, compressed or not, the receiver accepts (413 past it)."""
    otlp_export: str | None = None
    """Also send devkit's own spans to this OTLP/HTTP endpoint (a Collector)."""
    trace_self: bool = True
    """Record devkit's own operations as spans (tests of other spans turn it off)."""
    span_file_pattern: str = "*.otlp.jsonl"
    retention_spans: int = 1_000_000
    retention_days: float = 14.0
    spec_limits: dict[str, float] = field(default_factory=dict)
    """Upper specification limits in ms by span name (the default is 2 s)."""
    update_concurrency: int = 2
    """Projects resolved or updated at once."""
    bell: bool = False
    """Ring the terminal bell when the monitor sees a new alarm."""
    services: dict[str, str] = field(default_factory=dict)
    """service.name to project name, for spans whose service is not named after it."""
    refresh_s: float = 1.0
    """How often the live panes look at what changed."""
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id to keys (Textual's keymap), from the configuration file."""
    policy_bundle: Path | None = None
    """The team's policy bundle; None: a `devkit-bundle.toml` at a root, if any."""
    charter: dict[str, Any] = field(default_factory=dict)
    """The user's remediation charter (`[charter]`), as the file gives it."""
    config_file: Path | None = None
    """The configuration file these settings were read from, if any."""
    fixed_keys: frozenset[str] = frozenset()
    """Configuration keys a flag or the environment set: a reloaded file leaves them."""
    index_url: str | None = field(default_factory=lambda: _environ(INDEX_ENV_VAR))
    """The index every project is checked against, as uv: `--index-url`, else
    `UV_INDEX_URL`, else (None) each project's `[tool.uv]` index, else PyPI."""
    uv_path: str | None = field(default_factory=lambda: _environ(UV_ENV_VAR))
    """The uv to run (None: PATH's, else the `uv` package's)."""
    weaver_path: str | None = field(default_factory=lambda: _environ(WEAVER_ENV_VAR))
    """OpenTelemetry Weaver's binary (None: PATH's, if any)."""
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    """Where parsed locks are kept between runs (None: nowhere)."""

    def __post_init__(self) -> None:
        self.roots = [Path(r).expanduser().absolute() for r in self.roots] or [Path.cwd()]
        self.db_path = Path(self.db_path).expanduser()
        if not 0 <= self.max_depth <= MAX_DEPTH_LIMIT:
            raise SettingsError(
                f"--max-depth must be between 0 and {MAX_DEPTH_LIMIT}, not {self.max_depth}"
            )
        if not 0 <= self.otlp_port <= 65535:
            raise SettingsError(f"--otlp-port must be between 0 and 65535, not {self.otlp_port}")
        for name, limit in self.spec_limits.items():
            if not limit > 0:
                raise SettingsError(f"the spec limit of {name!r} must be positive, not {limit}")
        if not 0.2 <= self.refresh_s <= 60:
            raise SettingsError(f"refresh must be between 0.2 and 60 s, not {self.refresh_s}")
        if not 1 <= self.update_concurrency <= 32:
            raise SettingsError(f"--jobs must be between 1 and 32, not {self.update_concurrency}")
        if self.environment is not None:
            self.environment = Path(self.environment).expanduser().absolute()

    def lasting(self) -> dict[str, object]:
        """The settings that outlive one command (not the roots or what a subcommand
        turns on for itself); a change in these is audited as `config-change`."""
        return {
            "max_depth": self.max_depth,
            "environment": str(self.environment) if self.environment else None,
            "otlp_host": self.otlp_host,
            "otlp_port": self.otlp_port,
            "otlp_max_body": self.otlp_max_body,
            "otlp_export": self.otlp_export,
            "span_file_pattern": self.span_file_pattern,
            "retention_spans": self.retention_spans,
            "retention_days": self.retention_days,
            "spec_limits": dict(sorted(self.spec_limits.items())),
            "policy_bundle": str(self.policy_bundle) if self.policy_bundle else None,
        }
