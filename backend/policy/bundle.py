"""Finding and reading a policy bundle: `--bundle PATH`, else a `devkit-bundle.toml` at
a root; a bundle's `extend` files are read first (paths relative to the bundle) and its
own rules come after theirs. Every problem names the file, the line and the key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from backend.config.loader import validation_problems
from backend.parsers.records import ParseFailure
from backend.parsers.toml_file import load_toml
from backend.setting_names import BUNDLE_FILE

if TYPE_CHECKING:
    from backend.policy.models import Bundle

BUNDLE_NAME = BUNDLE_FILE


class BundleError(ValueError):
    """A bundle that cannot be used; the message names file, line and key."""


@dataclass(slots=True)
class LoadedBundle:
    path: Path
    bundles: list[tuple[Path, Bundle]] = field(default_factory=list)
    """Each file read, extended ones first: rules are judged in this order."""


def find_bundle(roots: list[Path], explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit.expanduser()
    return next((r / BUNDLE_NAME for r in roots if (r / BUNDLE_NAME).is_file()), None)


def load_bundle(path: Path) -> LoadedBundle:
    loaded = LoadedBundle(path)
    _read(path.absolute(), loaded, [])
    return loaded


def _read(path: Path, loaded: LoadedBundle, chain: list[Path]) -> None:
    from pydantic import ValidationError

    from backend.policy.models import Bundle

    if path in chain:
        cycle = " -> ".join(str(p) for p in [*chain, path])
        raise BundleError(f"{chain[-1]}: extend: a bundle extends itself ({cycle})")
    if not path.is_file():
        where = f"{chain[-1]}: extend: " if chain else ""
        raise BundleError(f"{where}{path}: no such bundle file")
    try:
        document, text = load_toml(path)
    except ParseFailure as exc:
        raise BundleError(
            f"{exc.error.file}:{exc.error.line or '?'}: {exc.error.message}"
        ) from None
    try:
        bundle = Bundle.model_validate(document)
    except ValidationError as exc:
        problems = validation_problems(path, text, exc, unknown="not a bundle key")
        raise BundleError("\n".join(problems)) from None
    for extended in bundle.extend:
        _read((path.parent / extended).resolve(), loaded, [*chain, path])
    loaded.bundles.append((path, bundle))
