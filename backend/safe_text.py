"""Untrusted text (package metadata, span names and attributes, file contents) made safe
to print: terminal control characters become visible `\\xNN` escapes, so they cannot
move the cursor, clear the screen or hide what follows. The CLI and the widgets use
this one rule; the widgets then show the result as Rich `Text`, never as markup.
"""

from __future__ import annotations

import re

_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_LINE = re.compile(f"[{_CONTROLS}\t\n]")


def escape_controls(text: str, keep_lines: bool = True) -> str:
    """Replace C0 and C1 controls, DEL, Unicode line separators and bidirectional
    overrides with `\\xNN` (`\\uNNNN`) escapes; tabs and newlines stay when
    `keep_lines` (a detail view), and are escaped too when not (one table cell)."""
    pattern = _CONTROL if keep_lines else _CONTROL_OR_LINE
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
