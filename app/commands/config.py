"""`devkit-tui config`: the effective settings and where each came from (as
`git config --show-origin`), or the configuration file's JSON Schema."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.common import EXIT_OK, add_db, add_json, print_json, printable

CONFIG_SCHEMA = "devkit.config/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema", action="store_true", help="print the configuration file's JSON Schema"
    )
    add_json(parser)
    add_db(parser)


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
    if options.json:
        print_json({"schema": CONFIG_SCHEMA, "file": _plain(resolved.path), "settings": shown})
        return EXIT_OK
    print(f"configuration file: {resolved.path or '(none)'}")
    for key, entry in shown.items():
        print(f"{entry['source']:<40} {key} = {printable(str(entry['value']))}")
    return EXIT_OK


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
