"""What the index says of a release or a project becomes a flag: a locked release that
was yanked (with the reason the page gives), a project archived, quarantined or
deprecated (PEP 792), from the real pages of a local index and from the cache after."""

from __future__ import annotations

from pathlib import Path

from backend.index.behind import Lookup, mark_index_facts
from backend.index.cached import mark_outdated_from_cache
from backend.index.outdated import look_up
from backend.index.simple_api import Release
from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage
from backend.store.database import Store
from tests.support.local_index import build_index, serve_index


def inventory(*uses: tuple[str, str]) -> Inventory:
    packages: dict[str, PackageRow] = {}
    for name, version in uses:
        usage = Usage("app", [], [version], None, True, source="registry:x")
        packages.setdefault(name, PackageRow(name, [], set())).usages.append(usage)
    project = ProjectInfo(Path("/w/app"), "app", "uv", [], None, [])
    return Inventory([Path("/w")], [project], packages)


def test_a_yanked_locked_release_and_a_status_are_flagged_with_their_reasons() -> None:
    found = inventory(("gamma", "1.1"), ("alpha", "1.0.0"), ("beta", "2.0.0"))
    lookup = Lookup(
        releases={
            "gamma": [Release("1.0.5", False), Release("1.1.0", True, "broken")],
            "alpha": [Release("1.0.0", False)],
        },
        status={"alpha": ("archived", "moved"), "beta": ("active", None)},
    )
    mark_index_facts(found, lookup)
    gamma, alpha, beta = (found.packages[n] for n in ("gamma", "alpha", "beta"))
    assert gamma.flags == {"yanked"} and gamma.usages[0].notes == {"yanked": "1.1 yanked: broken"}
    assert alpha.flags == {"archived"} and alpha.usages[0].notes["archived"] == "moved"
    assert beta.flags == set()
    mark_index_facts(found, Lookup())  # the index no longer says so: the flags go
    assert not gamma.flags and not gamma.usages[0].notes


async def test_from_a_served_index_and_then_from_its_cache(tmp_path: Path) -> None:
    index = build_index(tmp_path / "index", statuses={"delta": "quarantined"})
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        with serve_index(index):
            found = await look_up(store, index.simple, ["gamma", "delta", "alpha"])
    finally:
        await store.close()
    assert found.status["delta"] == ("quarantined", None)
    assert found.status["gamma"] == ("active", None)
    yanked = {r.version: r.yanked_reason for r in found.releases["gamma"] if r.yanked}
    assert yanked == {"1.1.0": "broken"}

    offline = inventory(("gamma", "1.1.0"), ("delta", "1.0.0"), ("alpha", "1.0.0"))
    assert mark_outdated_from_cache(offline, tmp_path / "db.sqlite3", {}, index.simple)
    assert offline.packages["gamma"].flags >= {"yanked"}
    assert offline.packages["delta"].flags >= {"quarantined"}
    assert not offline.packages["alpha"].flags & {"yanked", "quarantined", "archived"}
