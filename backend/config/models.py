"""What a configuration file may hold, as pydantic v2 models: an unknown key, a wrong
type or a value out of range is refused with the key's path. Imported only when a file
is read (or its schema asked for): pydantic costs start-up time nobody else should pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

from backend.settings import MAX_DEPTH_LIMIT


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Otlp(_Strict):
    """The OTLP/HTTP receiver, and where devkit's own spans may also go."""

    host: str = "127.0.0.1"
    port: int = Field(4318, ge=0, le=65535)
    max_body: int = Field(8 * 1024 * 1024, alias="max-body", gt=0)
    export: str | None = Field(None, description="also send devkit's own spans here")


class Retention(_Strict):
    """How many spans, and how old, the store keeps."""

    spans: int = Field(1_000_000, gt=0)
    days: PositiveFloat = 14.0


class Update(_Strict):
    concurrency: int = Field(2, ge=1, le=32, description="projects resolved or updated at once")


class Policy(_Strict):
    bundle: Path | None = Field(
        None, description="the team's policy bundle (default: devkit-bundle.toml at a root)"
    )


ACTIONS = ("relock", "sync", "upgrade", "fix", "align", "constrain")
"""What a remediation may do: `relock` (uv lock), `sync` (install what is locked),
`upgrade` (a package within its specifier), `fix` (a vulnerable package to its fix),
`align` (one version across projects), `constrain` (the policy bundle's constraints)."""


class Criteria(_Strict):
    """When a remediated project counts as repaired."""

    max_score: float = Field(0.3, alias="max-score", ge=0, le=1, description="entropy below")
    no_conflict: bool = Field(True, alias="no-conflict")
    no_vulnerable_at: Literal["critical", "high", "medium", "low"] | None = Field(
        "high", alias="no-vulnerable-at", description="no finding at this severity or worse"
    )
    lock_in_sync: bool = Field(True, alias="lock-in-sync")


class Charter(_Strict):
    """`[tool.devkit-tui.charter]` (a project's) or `[charter]` (the user's): when a
    project asks for action, what repaired means, and what a remediation may do."""

    threshold: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"] = Field(
        "MEDIUM", description="the entropy level that asks for action"
    )
    criteria: Criteria = Field(default_factory=Criteria)
    actions: list[Literal["relock", "sync", "upgrade", "fix", "align", "constrain"]] = Field(
        default_factory=lambda: list(ACTIONS), description="what a remediation may do"
    )


class UserConfig(_Strict):
    """`config.toml` in the user's configuration folder (or `--config` / `DEVKIT_CONFIG`):
    process-wide settings."""

    roots: list[Path] | None = Field(None, description="folders to watch (default: .)")
    database: Path | None = Field(None, description="the SQLite file")
    max_depth: int = Field(8, alias="max-depth", ge=0, le=MAX_DEPTH_LIMIT)
    otlp: Otlp = Field(default_factory=Otlp)
    retention: Retention = Field(default_factory=Retention)
    update: Update = Field(default_factory=Update)
    policy: Policy = Field(default_factory=Policy)
    charter: Charter | None = None
    spec_limits: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        alias="spec-limits",
        description="upper specification limits in ms by span name (default 2000)",
    )
    services: dict[str, str] = Field(
        default_factory=dict,
        description="service.name to the project whose operations its spans are",
    )
    refresh: float = Field(
        1.0, ge=0.2, le=60, description="seconds between looks at what changed (live panes)"
    )
    bell: bool = Field(False, description="ring the terminal bell on a new monitor alarm")
    theme: str | None = Field(None, description="a Textual theme name (default textual-dark)")
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="binding id to keys, comma-separated (the ids are listed by ?)",
    )


class ProjectConfig(_Strict):
    """A project's `[tool.devkit-tui]`: settings about that project only."""

    update_check: str | None = Field(
        None, alias="update-check", description="run after each update (non-zero rolls back)"
    )
    spec_limits: dict[str, PositiveFloat] = Field(default_factory=dict, alias="spec-limits")
    services: list[str] = Field(
        default_factory=list, description="service.name values whose spans are this project's"
    )
    charter: Charter | None = None
