"""The configuration file, followed while the dashboard runs: an edit that validates
applies what can change live (bell, theme, keymap, spec limits, services) and names
what needs a restart; an edit that does not is a notice naming the file, line and key,
and the previous settings stay.

Looking costs one `stat` per refresh tick; the file is read only when it changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Protocol


class ReloadHost(Protocol):
    """What the watch needs of the app (the app, not imported here: it imports us)."""

    settings: Any

    def notify(self, message: str, **options: Any) -> None: ...

    def apply_user_settings(self, settings: Any, changed: set[str] | None = None) -> None: ...


LIVE = ("bell", "theme", "keymap", "spec-limits", "services")
"""Keys a reload applies; the rest are read at start only."""


def user_file(explicit: Path | None) -> Path:
    """The file the settings came from, else where the user's would be."""
    if explicit is not None:
        return explicit
    from platformdirs import user_config_path

    return user_config_path("devkit-tui", appauthor=False) / "config.toml"


class ConfigWatch:
    def __init__(self, app: ReloadHost) -> None:
        self.app = app
        self.path = user_file(app.settings.config_file)
        self.reloads = 0
        """Edits applied (tests wait on it)."""
        self._seen = self.stamp()

    def stamp(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def reload(self) -> None:
        """Read the file again if it changed since the last look."""
        stamp = self.stamp()
        if stamp == self._seen:
            return
        self._seen = stamp
        from backend.config.loader import KEYS, ConfigError, load_user_config, lookup

        app = self.app
        try:
            config = load_user_config(self.path) if stamp is not None else None
        except ConfigError as exc:
            app.notify(
                f"{exc}\nThe previous settings stay.",
                title="Configuration not reloaded",
                severity="error",
                timeout=30,
                markup=False,  # the message quotes the user's file
            )
            return
        given = config.model_dump(by_alias=True, exclude_unset=True) if config else {}
        settings = app.settings
        defaults = {f.name: f for f in dataclasses.fields(settings)}
        changed: dict[str, Any] = {}
        for key, name in KEYS.items():
            if key in settings.fixed_keys:
                continue
            value = lookup(given, key)
            if value is None:
                value = _default(defaults[name])
            if value != getattr(settings, name):
                changed[key] = value
        later = sorted(k for k in changed if k not in LIVE)
        for key in (k for k in changed if k in LIVE):
            setattr(settings, KEYS[key], changed[key])
        app.apply_user_settings(settings, changed=set(changed) & set(LIVE))
        self.reloads += 1
        note = f"{self.path}: reloaded" + (
            f"; restart to apply {', '.join(later)}" if later else ""
        )
        app.notify(note, title="Configuration", severity="warning" if later else "information")


def _default(spec: dataclasses.Field[Any]) -> Any:
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default
