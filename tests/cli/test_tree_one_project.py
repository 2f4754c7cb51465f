"""`tree PROJECT` reads that project alone: what needs the others (drift) comes from the
newest stored snapshot and `outdated` from the index cache, and what is not stored is
named as left out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPOSITORY
from tests.tui.test_outdated_pilot import fill_cache


def devkit(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(db.parent)},
    )  # fmt: skip


def node_flags(output: str) -> dict[str, list[str]]:
    return {n["name"]: n["flags"] for n in json.loads(output)["nodes"]}


async def test_cross_project_flags_come_from_what_is_stored(
    demo_workspace: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    api = demo_workspace / "api-service"
    alone = devkit("tree", str(api), "--json", db=db)
    assert alone.returncode == 0, alone.stderr
    document = json.loads(alone.stdout)
    assert document["flags_left_out"] == ["drift", "outdated"] and "note" in document
    assert "drift" not in node_flags(alone.stdout)["certifi"]

    listed = devkit("list", str(demo_workspace), "--json", db=db)  # stores every snapshot
    certifi = json.loads(listed.stdout)["packages"]
    assert any(p["name"] == "certifi" and "drift" in p["flags"] for p in certifi)
    await fill_cache(db)
    known = devkit("tree", str(api), "--json", db=db)
    assert "flags_left_out" not in json.loads(known.stdout)
    flags = node_flags(known.stdout)
    assert "drift" in flags["certifi"]  # other projects lock another certifi
    assert "outdated" in flags["httpx"]  # the cache knows a newer httpx
