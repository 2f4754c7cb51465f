"""Environment markers: this platform's values for a target interpreter, and a cached,
forgiving evaluation (an unreadable marker keeps its edge).

`packaging.markers` is imported on first use: a universal walk (`tree`, the lock's
reachable versions) judges no marker, and the import is ~6 ms of regex compiling."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.markers import Marker


def marker_environment(python_version: str | None) -> dict[str, str]:
    """This platform's marker values, with the Python version of the target environment."""
    from packaging.markers import default_environment

    env = dict(default_environment())
    if python_version:
        parts = python_version.split(".")
        env["python_version"] = ".".join(parts[:2])
        env["python_full_version"] = python_version
    env["extra"] = ""
    return env


def marker_applies(markers: str | None, environment: dict[str, str] | None) -> bool:
    """Evaluate a marker; no environment (universal) or an unreadable marker counts as yes."""
    if not markers or environment is None:
        return True
    parsed = _marker(markers)
    if parsed is None:
        return True
    try:
        return parsed.evaluate(environment)
    except Exception:  # undefined names in exotic markers: keep the edge
        return True


@lru_cache(maxsize=4096)
def _marker(text: str) -> Marker | None:
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(text)
    except InvalidMarker:
        return None
