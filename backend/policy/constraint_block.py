"""The devkit-owned block of `[tool.uv] constraint-dependencies` in a pyproject.toml,
and the `-c` line of a requirements file: written as text, so that the rest of the
file (the user's own constraints, comments, layout) stays byte for byte, and checked
by parsing the result, so a form this cannot edit is refused, not mangled."""

from __future__ import annotations

import re
import tomllib

BEGIN = "# >>> devkit-tui policy (written by `devkit-tui policy apply`; edits here are replaced)"
END = "# <<< devkit-tui policy"
INCLUDE_NOTE = "# devkit-tui policy"
KEY = "constraint-dependencies"

_TOOL_UV = re.compile(r"^\s*\[\s*tool\s*\.\s*uv\s*\]\s*(#.*)?$")
_TOOL_UV_SUB = re.compile(r"^\s*\[\[?\s*tool\s*\.\s*uv\s*\.")
_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"^\s*(constraint-dependencies|\"constraint-dependencies\")\s*=")
_INDENT = "    "


class BlockError(ValueError):
    """The pyproject.toml cannot be given the block safely; the message says why."""


def user_constraints(text: str) -> list[str]:
    """`[tool.uv] constraint-dependencies` without devkit's block."""
    return _listed(_without_block(text))


def with_block(text: str, constraints: list[str]) -> str:
    """The pyproject text with devkit's block holding `constraints` (none: no block),
    the user's entries left where they are."""
    mine = _block_lines(constraints)
    if BEGIN in text:
        lines = text.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
        end = next((i for i in range(start, len(lines)) if lines[i].strip() == END), None)
        if end is None:
            raise BlockError(f"the block that starts with {BEGIN!r} has no end line {END!r}")
        edited = "".join(lines[:start] + mine + lines[end + 1 :])
    elif not constraints:
        return text
    else:
        edited = _inserted(text, mine)
    _check(text, edited, constraints)
    return edited


def _block_lines(constraints: list[str]) -> list[str]:
    if not constraints:
        return []
    body = [f"{_INDENT}{_quoted(c)},\n" for c in constraints]
    return [f"{_INDENT}{BEGIN}\n", *body, f"{_INDENT}{END}\n"]


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inserted(text: str, block: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    table = next((i for i, line in enumerate(lines) if _TOOL_UV.match(line)), None)
    if table is None:  # a new [tool.uv], before its first sub-table if there is one
        at = next((i for i, line in enumerate(lines) if _TOOL_UV_SUB.match(line)), len(lines))
        new = ["[tool.uv]\n", f"{KEY} = [\n", *block, "]\n", "\n"]
        if at == len(lines):
            new = ["\n", *new[:-1]] if lines and lines[-1].strip() else new[:-1]
        return "".join(lines[:at] + new + lines[at:])
    end = next((i for i in range(table + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    key = next((i for i in range(table + 1, end) if _KEY_LINE.match(lines[i])), None)
    if key is None:
        new = [f"{KEY} = [\n", *block, "]\n"]
        return "".join(lines[: table + 1] + new + lines[table + 1 :])
    rest = "".join(lines[key:])
    start = rest.index("=") + 1
    close, last_value, comma_after = _array_end(rest, start)
    head = rest[:close]
    if last_value is not None and not comma_after:
        head = head[: last_value + 1] + "," + head[last_value + 1 :]
    if not head.endswith("\n"):
        head += "\n"
    return "".join(lines[:key]) + head + "".join(block) + rest[close:]


def _array_end(text: str, start: int) -> tuple[int, int | None, bool]:
    """Where the array that starts after `start` closes, the offset of its last value's
    last character, and whether a comma follows that value."""
    depth = 0
    at = start
    last: int | None = None
    comma = False
    while at < len(text):
        char = text[at]
        if char == "#":
            at = text.find("\n", at)
            at = len(text) if at < 0 else at
            continue
        if char in "\"'":
            triple = text.startswith(char * 3, at)
            quote = char * 3 if triple else char
            at += len(quote)
            while at < len(text) and not text.startswith(quote, at):
                at += 2 if char == '"' and text[at] == "\\" else 1
            at += len(quote) - 1
            last, comma = at, False
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return at, last, comma
            last, comma = at, False
        elif char == ",":
            comma = True
        elif not char.isspace():
            last, comma = at, False
        at += 1
    raise BlockError(f"{KEY} is not a closed array")


def _without_block(text: str) -> str:
    if BEGIN not in text:
        return text
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next((i for i in range(start, len(lines)) if lines[i].strip() == END), len(lines) - 1)
    return "".join(lines[:start] + lines[end + 1 :])


def _listed(text: str) -> list[str]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BlockError(f"not valid TOML: {exc}") from None
    value = document.get("tool", {}).get("uv", {}).get(KEY, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BlockError(f"[tool.uv] {KEY} is not a list of strings")
    return value


def _check(before: str, after: str, constraints: list[str]) -> None:
    """The edit kept the user's entries and added exactly ours (else it is refused)."""
    wanted = user_constraints(before) + constraints
    try:
        got = _listed(after)
    except BlockError as exc:
        raise BlockError(f"the edited file would not be valid ({exc}); add to [tool.uv] {KEY}"
                         f" by hand: {', '.join(constraints)}") from None  # fmt: skip
    if got != wanted:
        raise BlockError(
            f"[tool.uv] is written in a form devkit does not edit; add to {KEY} by hand:"
            f" {', '.join(constraints)}"
        )


def with_include(text: str, relative: str) -> str:
    """The requirements text with `-c RELATIVE` appended (line numbers above stay as
    they are), unless it already includes it."""
    pattern = re.compile(rf"^\s*(-c|--constraint)\s*=?\s*{re.escape(relative)}\s*(#.*)?$")
    if any(pattern.match(line) for line in text.splitlines()):
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{text}-c {relative}  {INCLUDE_NOTE}\n"


def constraints_text(constraints: list[str], bundle: str) -> str:
    """The constraints file: one requirement per line, under a header that says whose."""
    header = [
        "# Written by `devkit-tui policy apply` from the policy bundle",
        f"# {bundle}",
        "# Edits here are replaced the next time the bundle is applied.",
    ]
    return "\n".join([*header, *constraints]) + "\n"
