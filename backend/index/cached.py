"""Outdated marks from the index cache alone, read over a plain read-only connection:
for a one-project question (`tree PROJECT`) that starts no event loop and opens no
store. The answers are the cache's as `outdated --offline` gives them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.inventory.model import Inventory


def mark_outdated_from_cache(
    inventory: Inventory,
    db_path: Path,
    project_indexes: dict[str, str | None],
    explicit: str | None = None,
) -> bool:
    """Flag the inventory's outdated usages from the cache; False when the cache has no
    answer for any of its packages (nothing can be said, not "nothing is outdated").

    An empty cache is told first: the judging (and `packaging.specifiers` with it,
    a tenth of `tree PROJECT`'s own time) is imported only when there are answers."""
    if not _has_answers(db_path):
        return False
    from backend.index.behind import Lookup, annotate, mark_index_facts, outdated, usage_indexes
    from backend.index.simple_api import releases_from_cache

    index_of, _ = usage_indexes(inventory, project_indexes, explicit)
    names_by_index: dict[str, set[str]] = {}
    for (_, name), index in index_of.items():
        names_by_index.setdefault(index, set()).add(name)
    if not db_path.is_file() or not names_by_index:
        return False
    lookups: dict[str, Lookup] = {}
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.5) as connection:
            for index, names in names_by_index.items():
                lookup = lookups[index] = Lookup()
                for name, releases, fetched_ns in connection.execute(
                    "SELECT name, releases, fetched_ns FROM index_cache WHERE index_url = ?",
                    (index,),
                ):
                    if name in names:
                        lookup.releases[name], status = releases_from_cache(releases)
                        lookup.fetched_ns[name] = fetched_ns
                        if status is not None:
                            lookup.status[name] = status
    except sqlite3.Error:
        return False
    if not any(lookup.releases for lookup in lookups.values()):
        return False
    per_usage = {key: lookups[index] for key, index in index_of.items()}
    annotate(inventory, outdated(inventory, Lookup(), per_usage=per_usage))
    mark_index_facts(inventory, Lookup(), per_usage)
    return True


def _has_answers(db_path: Path) -> bool:
    if not db_path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.5) as connection:
            return connection.execute("SELECT 1 FROM index_cache LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return False
