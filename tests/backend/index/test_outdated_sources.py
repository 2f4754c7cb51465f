"""Each package checked at the index it comes from, on a lock made by the real uv: one
pinned to an explicit second index (with `+cpu` local versions, as PyTorch's), one
from a URL (no index: not checked, saying so), and the second index unreachable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPOSITORY
from tests.support.local_index import Dist, LocalIndex, build_index, serve_index
from tests.support.update_projects import uv

PYPROJECT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["gamma==1.0.0+cpu", "alpha>=1,<2", "delta"]

[tool.uv.sources]
gamma = {{ index = "cpu" }}
delta = {{ url = "{delta}" }}

[[tool.uv.index]]
name = "local"
url = "{local}"
default = true

[[tool.uv.index]]
name = "cpu"
url = "{cpu}"
explicit = true
"""


def outdated(root: Path, db: Path) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "outdated", str(root), "--json", "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_each_package_at_its_own_index(tmp_path: Path, local_index: LocalIndex) -> None:
    cpu = build_index(tmp_path / "cpu", (Dist("gamma", "1.0.0+cpu"), Dist("gamma", "1.0.5+cpu")))
    project = tmp_path / "ws" / "app"
    project.mkdir(parents=True)
    with serve_index(cpu):
        delta = f"{local_index.url}/files/delta-1.0.0-py3-none-any.whl"
        (project / "pyproject.toml").write_text(
            PYPROJECT.format(delta=delta, local=local_index.simple, cpu=cpu.simple)
        )
        uv("lock", cwd=project)
        found = outdated(tmp_path / "ws", tmp_path / "db.sqlite3")
    rows = {r["name"]: r for r in found["packages"]}
    # the local index has gamma 1.0.5 without a label: the cpu index is the one asked
    assert rows["gamma"]["latest"] == "1.0.5+cpu" and rows["gamma"]["current"] == "1.0.0+cpu"
    assert rows["alpha"]["latest"] == "2.0.0"  # the default index still answers the rest
    assert "delta" in found["not_checked"] and found["not_checked_why"]["delta"] == "url source"

    # the cpu index is gone now: gamma is not checked, and the reason names that index
    gone = outdated(tmp_path / "ws", tmp_path / "db2.sqlite3")
    assert "gamma" in gone["not_checked"] and "gamma" not in {r["name"] for r in gone["packages"]}
    assert cpu.simple in gone["not_checked_why"]["gamma"]
