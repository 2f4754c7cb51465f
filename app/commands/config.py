"""`devkit-tui config`: the effective settings and where each came from (as
`git config --show-origin`), or the configuration file's JSON Schema."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.common import EXIT_OK, add_db, add_json, add_roots, print_json, printable

CONFIG_SCHEMA = "devkit.config/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema", action="store_true", help="print the configuration file's JSON Schema"
    )
    add_json(parser)
    add_db(parser)
    add_roots(parser)


def run(options: argparse.Namespace) -> int:
    if options.schema:
        from backend.config.models import UserConfig

        print_json(UserConfig.model_json_schema(by_alias=True))
        return EXIT_OK
    from app.commands.common import configured, settings_from

    values: dict[str, Any] = {}
    if options.db is not None:
        values["db_path"] = options.db
    resolved = configured(values, options.config)
    settings = settings_from(options)
    defaults = _effective(settings)
    shown = {
        key: {"value": _plain(value if source != "default" else defaults[key]), "source": source}
        for key, (value, source) in resolved.sources.items()
    }
    shown.update(_project_keys(settings))
    if options.json:
        print_json({"schema": CONFIG_SCHEMA, "file": _plain(resolved.path), "settings": shown})
        return EXIT_OK
    print(f"configuration file: {resolved.path or '(none)'}")
    for key, entry in shown.items():
        print(f"{entry['source']:<40} {key} = {printable(str(entry['value']))}")
    return EXIT_OK


def _project_keys(settings: Any) -> dict[str, dict[str, Any]]:
    """What the projects under the roots set in their `[tool.devkit-tui]`, as key paths
    (`spec-limits.NAME`, `services.NAME`, `update-check.PROJECT`) with `project:PATH`;
    a flag's spec limit stays the flag's."""
    from backend.config.project import project_settings
    from backend.parsers.pyproject import parse_pyproject
    from backend.parsers.records import ParseFailure
    from backend.settings import SettingsError
    from backend.workspace.discovery import discover

    keys: dict[str, dict[str, Any]] = {}
    for found in discover(settings.roots, settings.max_depth):
        path = found.path / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            parsed = parse_pyproject(path)
        except ParseFailure:
            continue  # `devkit-tui list` names a broken file; config shows what is set
        own, errors = project_settings(path, parsed.devkit, parsed.devkit_lines)
        if errors:
            raise SettingsError("\n".join(str(e) for e in errors))
        if own is None:
            continue
        source = f"project:{path}"
        name = parsed.name or found.path.name
        if own.update_check:
            keys[f"update-check.{name}"] = {"value": own.update_check, "source": source}
        fixed = "spec-limits" in settings.fixed_keys
        for span, limit in own.spec_limits.items():
            if not (fixed and span in settings.spec_limits):
                keys[f"spec-limits.{span}"] = {"value": limit, "source": source}
        for service in own.services:
            keys[f"services.{service}"] = {"value": name, "source": source}
    return keys


def _effective(settings: Any) -> dict[str, Any]:
    """What each key is when nothing sets it (the settings built with no file)."""
    from backend.config.loader import KEYS

    return {key: getattr(settings, name) for key, name in KEYS.items()}


def _plain(value: Any) -> Any:
    """JSON-ready: paths as text, lists and tables element by element."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
