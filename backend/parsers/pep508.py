"""Turn one PEP 508 requirement string into a `Declaration`, via `packaging`.

`packaging.requirements` (with its marker grammar, ~6 ms to import) is loaded on the
first string parsed: a scan whose files all come from the parse cache parses none."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from backend.parsers.records import Declaration, FileError


def declaration_from(
    text: str, group: str, file: str, line: int | None, editable: bool = False
) -> Declaration | FileError:
    """Parse `text`; an invalid requirement becomes an error entry, never an exception."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return FileError(file, line, f"invalid requirement {text!r}: {first}")
    return Declaration(
        name=canonicalize_name(req.name),
        specifier=str(req.specifier),
        group=group,
        file=file,
        line=line,
        markers=str(req.marker) if req.marker else None,
        extras=tuple(sorted(canonicalize_name(e) for e in req.extras)),
        url=req.url,
        editable=editable,
    )
