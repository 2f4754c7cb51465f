"""Read a TOML file into a dict, turning every failure into a `FileError` with a line.

rtoml (Rust) parses large uv.lock files about five times faster than tomllib; its
error messages carry "at line N column M", which we lift into the error entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import rtoml

from backend.parsers.records import FileError, ParseFailure

_LINE = re.compile(r"line (\d+)")


def read_text(path: Path) -> str:
    """Read a manifest as UTF-8, raising `ParseFailure` for unreadable files."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseFailure(FileError(str(path), None, f"not UTF-8 text: {exc.reason}")) from None
    except OSError as exc:
        raise ParseFailure(FileError(str(path), None, f"cannot read: {exc.strerror}")) from None


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; returns the document and its text (for line look-ups)."""
    text = read_text(path)
    try:
        return rtoml.loads(text), text
    except Exception as exc:  # rtoml raises its own TomlParsingError
        message = " ".join(str(exc).split())
        found = _LINE.search(message)
        line = int(found.group(1)) if found else None
        raise ParseFailure(FileError(str(path), line, f"invalid TOML: {message}")) from None


def line_of(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of `needle` in `text`, for error entries."""
    at = text.find(needle)
    return None if at < 0 else text.count("\n", 0, at) + 1
