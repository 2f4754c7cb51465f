"""Untrusted text as Rich `Text`, never as markup: `Text` is never parsed for markup,
and control characters are escaped by the one rule in `backend.safe_text`."""

from __future__ import annotations

from rich.text import Text

from backend.safe_text import escape_controls


def plain(text: str, style: str = "") -> Text:
    """A `Text` that shows `text` exactly as written, whatever brackets it holds."""
    return Text(escape_controls(text), style=style)


def one_line(text: str, style: str = "") -> Text:
    """As `plain`, with newlines and tabs escaped too: for a line that must stay one."""
    return Text(escape_controls(text, keep_lines=False), style=style)
