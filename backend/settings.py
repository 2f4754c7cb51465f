"""Settings shared by the CLI, the TUI and the tests; validated once at the edge."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path
from pydantic import BaseModel, Field, field_validator

from backend.discovery import DEFAULT_MAX_DEPTH

DB_ENV_VAR = "DEVKIT_DB"
DB_FILE_NAME = "devkit.sqlite3"


def default_db_path() -> Path:
    """`DEVKIT_DB` when set, else a file in the platform's user data folder."""
    configured = os.environ.get(DB_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return user_data_path("devkit-tui", appauthor=False) / DB_FILE_NAME


class Settings(BaseModel):
    """What a Backend needs to know to start."""

    roots: list[Path] = Field(default_factory=lambda: [Path.cwd()])
    db_path: Path = Field(default_factory=default_db_path)
    max_depth: int = Field(default=DEFAULT_MAX_DEPTH, ge=0, le=64)
    watch: bool = True
    environment: Path | None = None
    """An environment to use for every project instead of its own `.venv`."""

    @field_validator("roots")
    @classmethod
    def _absolute_roots(cls, roots: list[Path]) -> list[Path]:
        return [r.expanduser().absolute() for r in roots] or [Path.cwd()]
