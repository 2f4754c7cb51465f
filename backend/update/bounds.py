"""A declared specifier moved to a new target in the user's own style: an exact pin
stays an exact pin at the new version, a floor moves up to it, a compatible release
keeps its precision, and an upper bound is raised only as far as the target needs."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import Version


def bumped(declared: str, target: str) -> str:
    """The specifier `declared` rewritten so that it allows `target` (`>=target` when
    nothing was declared or it cannot be read)."""
    try:  # in the order they were written
        clauses = [Specifier(part.strip()) for part in declared.split(",") if part.strip()]
    except InvalidSpecifier:
        clauses = []
    if not clauses:
        return f">={target}"
    new = Version(target)
    out = [_moved(clause, new, target) for clause in clauses]
    return ",".join(c for c in out if c)


def _moved(clause: Specifier, new: Version, target: str) -> str | None:
    op, version = clause.operator, clause.version
    if clause.contains(new, prereleases=True) and op not in ("==", "===", "~=", ">=", ">"):
        return str(clause)  # an upper bound or an exclusion it already meets
    if op in ("==", "==="):
        if version.endswith(".*"):
            depth = len(version[:-2].split("."))
            return f"=={'.'.join(map(str, new.release[:depth]))}.*"
        return f"{op}{target}"
    if op == "~=":
        depth = len(version.split("."))
        return f"~={'.'.join(map(str, _padded(new, depth)))}"
    if op in (">=", ">"):
        return f">={target}"
    if op == "!=":
        return None  # the excluded version is the one asked for
    # `<` or `<=` below the target: raised at the precision it was written with
    if op == "<=":
        return f"<={target}"
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")]
    significant = max((i for i, p in enumerate(parts) if p), default=0)
    release = list(_padded(new, len(parts)))
    release[significant] += 1  # `<2.0.0` is a major bound: it becomes the next major
    release[significant + 1 :] = [0] * (len(parts) - significant - 1)
    return f"<{'.'.join(map(str, release))}"


def _padded(version: Version, depth: int) -> tuple[int, ...]:
    release = version.release + (0,) * depth
    return release[:depth]
