"""A one-file registry written for a test: a manifest and `model.yaml`."""

from __future__ import annotations

from pathlib import Path


def write_registry(folder: Path, model: str, name: str = "shop") -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(f"name: {name}\n")
    (folder / "model.yaml").write_text(model)
    return folder
