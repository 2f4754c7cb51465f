"""`devkit-tui licenses`: real uv projects on a local index that serves core metadata
beside its wheels (PEP 658). Installed packages answer from their METADATA; locked ones
from the index's metadata files, kept in the store, so a later run offline (index gone)
still knows them; an index without metadata files says so instead of guessing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPOSITORY
from tests.support.local_index import Dist, build_index, serve_index
from tests.support.update_projects import uv_project

CATALOGUE = (
    Dist("alpha", "1.0.0", ("beta>=1",), headers=("License-Expression: mit",)),
    Dist("beta", "1.0.0", headers=("License: Apache License, Version 2.0",)),
    Dist("gamma", "1.0.0", headers=("Classifier: License :: OSI Approved :: ISC License (ISCL)",)),
)


def licenses(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "licenses", *args, "--json", "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip


def by_key(done: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], dict[str, object]]:
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "devkit.licenses/1"
    return {(p["project"], p["name"]): p for p in document["packages"]}


def test_installed_and_index_licences_then_the_cache(tmp_path: Path) -> None:
    index = build_index(tmp_path / "index", CATALOGUE, core_metadata=True)
    root, db = tmp_path / "work", tmp_path / "db.sqlite3"
    with serve_index(index):
        uv_project(root / "locked", index, ["alpha==1.0.0", "gamma==1.0.0"],
                   ["alpha>=1", "gamma>=1"])  # fmt: skip
        uv_project(root / "synced", index, ["beta==1.0.0"], ["beta>=1"], venv=True)
        rows = by_key(licenses(str(root), db=db))
    required = {"name", "version", "project", "license", "source", "origin"}
    assert all(required <= set(row) for row in rows.values())
    seen = {k: (r["version"], r["license"], r["source"], r["origin"]) for k, r in rows.items()}
    assert seen == {
        ("locked", "alpha"): ("1.0.0", "MIT", "License-Expression", "index"),
        ("locked", "beta"): ("1.0.0", "Apache-2.0", "License", "index"),
        ("locked", "gamma"): ("1.0.0", "ISC", "Classifier", "index"),
        ("synced", "beta"): ("1.0.0", "Apache-2.0", "License", "installed"),
    }

    offline = by_key(licenses(str(root), "--offline", db=db))  # the index is gone now
    assert offline[("locked", "gamma")]["license"] == "ISC"
    assert offline[("locked", "alpha")]["origin"] == "index"

    fresh = by_key(licenses(str(root), "--offline", db=tmp_path / "other.sqlite3"))
    assert fresh[("locked", "alpha")]["license"] == "unknown"
    assert "not in the cache" in str(fresh[("locked", "alpha")]["why"])


def test_an_index_without_metadata_files_leaves_the_licence_unknown(tmp_path: Path) -> None:
    index = build_index(tmp_path / "index", CATALOGUE)
    root = tmp_path / "work"
    with serve_index(index):
        uv_project(root / "app", index, ["gamma==1.0.0"], ["gamma>=1"])
        rows = by_key(licenses(str(root), db=tmp_path / "db.sqlite3"))
    gamma = rows[("app", "gamma")]
    assert (gamma["license"], gamma["source"]) == ("unknown", None)
    assert gamma["why"]


def test_policy_check_judges_locked_releases_by_the_kept_licences(tmp_path: Path) -> None:
    index = build_index(tmp_path / "index", CATALOGUE, core_metadata=True)
    root, db = tmp_path / "work", tmp_path / "db.sqlite3"
    bundle = tmp_path / "bundle.toml"
    bundle.write_text('[licenses]\nallow = ["MIT", "Apache-2.0"]\n')

    def rules() -> set[tuple[str, str]]:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "policy", "check", str(root), "--bundle",
             str(bundle), "--json", "--db", str(db)],
            capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
        )  # fmt: skip
        return {(v["rule"], v["package"]) for v in json.loads(done.stdout)["violations"]}

    with serve_index(index):
        uv_project(root / "locked", index, ["alpha==1.0.0", "gamma==1.0.0"],
                   ["alpha>=1", "gamma>=1"])  # fmt: skip
        assert rules() == set()  # no licence known yet for what is not installed
        by_key(licenses(str(root), db=db))  # fetches and keeps them
    assert rules() == {("licenses:ISC", "gamma")}  # from the store, the index gone
