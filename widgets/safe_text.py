"""Untrusted text (package metadata, file contents) as Rich `Text`, never as markup.

`Text` is never parsed for markup; control characters such as ESC are replaced by
visible `\\xNN` escapes so they cannot move the cursor or clear the screen.
"""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """Replace terminal control characters with visible escapes (tabs and newlines stay)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def plain(text: str, style: str = "") -> Text:
    """A `Text` that shows `text` exactly as written, whatever brackets it holds."""
    return Text(escape_controls(text), style=style)
