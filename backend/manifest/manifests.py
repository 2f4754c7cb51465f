"""Manifests as one part of the Backend: generate, diff and verify, each a
`devkit.manifest` span and a `manifest` audit entry naming the operation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.manifest.compare import ManifestDiff, Verification, diff_manifests, verify_environment
from backend.manifest.generate import Generated, Selection, generate
from backend.manifest.read import Manifest, ManifestError, read_environment, read_manifest
from backend.telemetry import names

if TYPE_CHECKING:
    from backend.audit.operations import OperationLog


@dataclass(slots=True)
class Compared:
    a: Manifest
    b: Manifest
    diff: ManifestDiff


@dataclass(slots=True)
class Verified:
    environment: Manifest
    manifest: Manifest
    result: Verification


class Manifests:
    def __init__(self, operations: OperationLog, uv: str) -> None:
        self.operations = operations
        self.uv = uv

    async def generate(
        self, project: Path, name: str, selection: Selection, index_url: str | None = None
    ) -> Generated:
        async with self._operation("generate") as operation:
            made = await generate(self.uv, project, name, lock_of(project), selection, index_url)
            operation.project = project.name
            operation.span.set_attribute(names.PACKAGE_COUNT, made.packages)
            operation.details = {"operation": "generate", "name": name, "project": str(project),
                                 "source": made.source, "command": made.command,
                                 "packages": made.packages}  # fmt: skip
        return made

    async def diff(self, a: Path, b: Path) -> Compared:
        async with self._operation("diff") as operation:
            first, second = await asyncio.gather(
                asyncio.to_thread(read_manifest, a), asyncio.to_thread(read_manifest, b)
            )
            compared = Compared(first, second, diff_manifests(first, second))
            operation.span.set_attribute(names.PACKAGE_COUNT, len(first.entries | second.entries))
            operation.details = {"operation": "diff", "a": str(a), "b": str(b),
                                 **_counts(compared.diff.as_json())}  # fmt: skip
            operation.result = "failure" if compared.diff.differs else "success"
        return compared

    async def verify(self, target: Path, against: Path) -> Verified:
        async with self._operation("verify") as operation:
            environment = await asyncio.to_thread(read_environment, target)
            manifest = await asyncio.to_thread(read_manifest, against)
            if manifest.kind not in ("pylock", "requirements"):
                raise ManifestError(
                    f"{against}: verify checks against a pylock.toml or a pinned requirements"
                    " file (`devkit-tui manifest generate` writes one)"
                )
            verified = Verified(environment, manifest, verify_environment(environment, manifest))
            operation.span.set_attribute(names.PACKAGE_COUNT, len(manifest.entries))
            operation.details = {"operation": "verify", "environment": str(environment.path),
                                 "manifest": str(against),
                                 **_counts(verified.result.as_json())}  # fmt: skip
            operation.result = "success" if verified.result.ok else "failure"
        return verified

    def _operation(self, which: str) -> Any:
        return self.operations.operation(
            "manifest", names.MANIFEST, attributes={names.MANIFEST_OPERATION: which}
        )


def lock_of(project: Path) -> Path | None:
    """The project's uv.lock, or its workspace root's (the nearest folder above)."""
    for folder in [project, *project.parents][:6]:
        if (folder / "uv.lock").is_file():
            return folder / "uv.lock"
    return None


def _counts(document: dict[str, Any]) -> dict[str, int]:
    return {k: len(v) for k, v in document.items() if isinstance(v, list)}
