"""A member whose dependencies its build backend fills in (`dynamic`) declares nothing
in pyproject.toml; what uv.lock recorded for it (`requires-dist`) stands in, so its
newest allowed release honours the recorded specifier (the shared pydantic-ai lock)."""

from __future__ import annotations

from pathlib import Path

from backend.index.outdated import Lookup, outdated
from backend.index.simple_api import Release
from backend.service import Backend
from backend.settings import Settings


async def test_the_lock_records_what_a_dynamic_member_declares(
    shared_projects: Path, tmp_path: Path
) -> None:
    root = shared_projects / "pydantic__pydantic-ai"
    settings = Settings(roots=[root], db_path=tmp_path / "db.sqlite3", watch=False)
    async with Backend(settings) as backend:
        inventory = await backend.scan()
    usage = next(
        u for u in inventory.packages["fastmcp-slim"].usages if u.project == "pydantic-ai-slim"
    )
    assert ">=3.3.0,<5" in usage.declared and usage.direct
    assert {d.file for d in usage.declarations} == {str(root / "uv.lock")}

    current = usage.locked[-1]
    lookup = Lookup(releases={"fastmcp-slim": [Release(current, False), Release("4.9.0", False),
                                               Release("5.1.0", False)]})  # fmt: skip
    (row,) = [r for r in outdated(inventory, lookup) if r.project == "pydantic-ai-slim"]
    assert (row.latest_allowed, row.latest) == ("4.9.0", "5.1.0")
