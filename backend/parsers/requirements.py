"""Parse pip requirements files: pins, ranges, markers, extras, includes, hashes, URLs.

Each requirement becomes a `Declaration` in group `requirements:<file name>`. An
exact `==` pin also counts as a locked version, since for requirements-only
projects the pinned file is the lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from backend.parsers.pep508 import declaration_from
from backend.parsers.records import Declaration, FileError, ParseFailure
from backend.parsers.toml_file import load_toml, read_text

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_WITH_VALUE = re.compile(
    r"^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|"
    r"--only-binary|--use-feature|--config-settings|--global-option|-Z|--progress-bar)"
    r"(\s*=?\s*\S+)?$"
)
_INDEX_URL = re.compile(r"^(-i|--index-url)(?:\s*=\s*|\s+)(\S+)$")
_FLAG = re.compile(r"^(--pre|--prefer-binary|--require-hashes|--no-index|--no-deps)$")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)$")
_EDITABLE = re.compile(r"^(-e|--editable)\s*=?\s*(\S+)$")
_PER_LINE_OPTION = re.compile(r"\s+--(hash|config-settings|global-option)(=|\s+)\S+")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_BARE_URL = re.compile(r"^(git\+|hg\+|svn\+|bzr\+)?(https?|file|ssh)://", re.IGNORECASE)


@dataclass(slots=True)
class RequirementsFile:
    """Declarations from one requirements file and the files it includes."""

    path: Path
    declarations: list[Declaration] = field(default_factory=list)
    constraints: list[Declaration] = field(default_factory=list)
    pins: dict[str, str] = field(default_factory=dict)
    includes: list[Path] = field(default_factory=list)
    local_projects: list[Path] = field(default_factory=list)
    """The pyproject.toml of each local folder named (`-e ./pkg`), read for its name."""
    index_url: str | None = None
    """`-i`/`--index-url`: the index pip (and uv) resolve these pins against."""
    errors: list[FileError] = field(default_factory=list)


def parse_requirements(path: Path) -> RequirementsFile:
    """Read `path` and every `-r`/`-c` include it names (once each; cycles are harmless)."""
    result = RequirementsFile(path=path)
    label = f"requirements/{path.name}" if path.parent.name == "requirements" else path.name
    _read(path, f"requirements:{label}", result, seen=set(), constraint=False)
    return result


def _read(
    path: Path, group: str, result: RequirementsFile, seen: set[Path], constraint: bool
) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    text = read_text(path)
    file = str(path)
    for line_no, line in _logical_lines(text):
        line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        if include := _INCLUDE.match(line):
            target = (path.parent / include.group(2)).resolve()
            is_constraint = include.group(1) in ("-c", "--constraint")
            if target != resolved:
                result.includes.append(target)
            try:
                _read(target, group, result, seen, constraint or is_constraint)
            except ParseFailure as failure:
                result.errors.append(
                    FileError(file, line_no, failure.error.message + f" ({target})")
                )
            continue
        if index := _INDEX_URL.match(line):
            result.index_url = result.index_url or index.group(2)
            continue
        if _OPTION_WITH_VALUE.match(line) or _FLAG.match(line):
            continue
        editable = False
        if found := _EDITABLE.match(line):
            line, editable = found.group(2), True
        line = _PER_LINE_OPTION.sub("", line).strip()
        if line.startswith("-"):
            result.errors.append(FileError(file, line_no, f"unknown option {line.split()[0]!r}"))
            continue
        requirement = _url_requirement(line) if (editable or _BARE_URL.match(line)) else line
        if requirement is None and "://" not in line:
            requirement = _local_project_requirement(path.parent / line)
            result.local_projects.append(path.parent / line / "pyproject.toml")
            if requirement is None:
                continue  # an unnamed local path such as `-e .`: the project itself
        if requirement is None:
            result.errors.append(
                FileError(
                    file, line_no, f"cannot tell the package name of {line!r} (add #egg=NAME)"
                )
            )
            continue
        parsed = declaration_from(requirement, group, file, line_no, editable=editable)
        if isinstance(parsed, FileError):
            result.errors.append(parsed)
        elif constraint:
            result.constraints.append(parsed)
        else:
            result.declarations.append(parsed)
            pin = _exact_pin(parsed.specifier)
            if pin:
                result.pins[parsed.name] = pin


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations, keeping the number of the first physical line."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\"):
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        out.append((start, " ".join(buffer)))
        buffer = []
    if buffer:
        out.append((start, " ".join(buffer)))
    return out


def _url_requirement(line: str) -> str | None:
    """A bare URL or path (`-e ./pkg`, `git+https://...#egg=x`) as `name @ url`."""
    if " @ " in line or not ("/" in line or line.startswith(".")):
        return line
    egg = _EGG.search(line)
    if egg:
        url = line.split("#", 1)[0]
        if "://" not in url:
            url = "file:" + url
        return f"{egg.group(1)} @ {url}"
    tail = line.rstrip("/").split("/")[-1]
    if tail.endswith((".whl", ".tar.gz", ".zip")):
        name = re.split(r"-\d", tail, maxsplit=1)[0]
        return f"{canonicalize_name(name)} @ {line}"
    return None


def _local_project_requirement(folder: Path) -> str | None:
    """`-e ./pkg`: name the requirement after the folder's pyproject, when it has one."""
    try:
        data, _ = load_toml(folder / "pyproject.toml")
    except ParseFailure:
        return None
    name = data.get("project", {}).get("name")
    return f"{name} @ {folder.resolve().as_uri()}" if isinstance(name, str) else None


def _exact_pin(specifier: str) -> str | None:
    if specifier.startswith(("==", "===")) and "," not in specifier and "*" not in specifier:
        return specifier.lstrip("=")
    return None
