"""Rewrite one pin of a requirements file in place: the version after `==` and the
line's `--hash` options, keeping everything else (comments, markers, extras, the
layout of continuation lines) byte for byte."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

_HASH = re.compile(r"--hash[=\s]+\S+")
_CONTINUED = re.compile(r"\\\s*$")


class PinNotFound(ValueError):
    """The file has no `name==version` line at the expected place."""


def rewrite_pin(
    text: str, line: int, name: str, old: str, new: str, hashes: list[str] | None = None
) -> str:
    """`line` is 1-based: where the requirement starts. `hashes` (`sha256:...`) replace
    the line's hashes when it has any; a pin without hashes stays without."""
    lines, start, end, found = _pin_at(text, line, name, old)
    block = lines[start : end + 1]
    block[0] = block[0][: found.end() - len(old)] + new + block[0][found.end() :]
    if hashes is not None and any(_HASH.search(_body(b)) for b in block):
        block = _replace_hashes(block, hashes)
    return "".join(lines[:start] + block + lines[end + 1 :])


def loosen_pin(text: str, line: int, name: str, old: str) -> str:
    """The pin at `line` without its `==old` (its hashes are left for `without_hashes`),
    so a resolver is free to choose the version."""
    lines, start, _, found = _pin_at(text, line, name, old)
    lines[start] = lines[start][: found.start(4)] + lines[start][found.end() :]
    return "".join(lines)


def _pin_at(text: str, line: int, name: str, old: str) -> tuple[list[str], int, int, re.Match[str]]:
    """The file's lines, the first and last line of the pin's block, and its match."""
    lines = text.splitlines(keepends=True)
    start = line - 1
    if not 0 <= start < len(lines):
        raise PinNotFound(f"line {line} is past the end of the file")
    end = start
    while end < len(lines) - 1 and _CONTINUED.search(_body(lines[end])):
        end += 1
    pin = re.compile(
        r"^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\s*\[[^\]]*\])?(\s*===?\s*)"
        + re.escape(old)
        + r"(?=[\s;\\#]|$)"
    )
    found = pin.match(lines[start])
    if not found or canonicalize_name(found.group(2)) != canonicalize_name(name):
        raise PinNotFound(f"line {line} does not pin {name}=={old}")
    return lines, start, end, found


def _body(line: str) -> str:
    """A line without its comment (a `#` after whitespace starts one) and newline."""
    return re.sub(r"(^|\s)#.*$", "", line.rstrip("\r\n"))


def _replace_hashes(block: list[str], hashes: list[str]) -> list[str]:
    """Drop the old `--hash` options; write the new ones where the first one was:
    on the requirement's own line, or one per continuation line with its indent."""
    newline = "\r\n" if block[0].endswith("\r\n") else "\n"
    first_hash_row = next(i for i, b in enumerate(block) if _HASH.search(_body(b)))
    own_line = first_hash_row == 0
    indent = re.match(r"\s*", block[first_hash_row]).group(0) if not own_line else ""  # type: ignore[union-attr]
    kept = []
    for row in block:
        stripped = _HASH.sub("", row.rstrip("\r\n"))
        if _HASH.search(_body(row)) and not stripped.replace("\\", "").strip():
            continue  # a line that held only hashes
        kept.append(
            re.sub(r"[ \t]+(\\?)$", r" \1", stripped).rstrip(" ") if stripped.strip() else stripped
        )
    options = [f"--hash={h}" for h in hashes]
    head = kept[0].rstrip("\\").rstrip()
    rest = [k for k in kept[1:]]
    if own_line:
        head = head + "".join(f" {o}" for o in options)
        body = [head] + [r.rstrip("\\").rstrip() for r in rest]
    else:
        body = [head] + [r.rstrip("\\").rstrip() for r in rest] + [indent + o for o in options]
    body = [b for b in body if b.strip()]
    return [b + (" \\" if i < len(body) - 1 else "") + newline for i, b in enumerate(body)]


def without_hashes(text: str) -> str:
    """The file with every `--hash` option removed and continuation lines joined (a
    resolver is given this: old hashes would not match new versions)."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        body = _body(raw)
        if _CONTINUED.search(body):
            pending += _CONTINUED.sub("", body) + " "
            continue
        joined = _HASH.sub("", pending + raw).rstrip()
        pending = ""
        out.append(re.sub(r"\s{2,}", " ", joined) if joined.strip() else joined)
    if pending:
        out.append(_HASH.sub("", pending).rstrip())
    return "\n".join(out) + "\n"
