"""Which packages are behind: for each project's use of a package, its current
version, the newest release, and the newest its declared specifier allows.

The judging is in `backend.index.behind`; here releases come from the index
(concurrency-limited) and are cached in the store with
the time they were fetched; offline, only the cache answers, and its age is given.
Pre-releases and yanked releases are left out unless asked for.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from backend.index.behind import (
    NO_INDEX_SOURCES,
    Lookup,
    Outdated,
    annotate,
    mark_index_facts,
    outdated,
    usage_indexes,
)
from backend.index.simple_api import (
    IndexUnavailable,
    Release,
    cache_form,
    fetch_project,
    releases_from_cache,
)
from backend.inventory.model import Inventory
from backend.store.database import Store

__all__ = [
    "NO_INDEX_SOURCES", "Lookup", "Outdated", "annotate", "find_outdated", "look_up",
    "mark_index_facts", "outdated", "usage_indexes",
]  # fmt: skip

CONCURRENCY = 8


async def look_up(
    store: Store | None,
    index_url: str,
    names: list[str],
    offline: bool = False,
    progress: Callable[[int, int], None] | None = None,
    max_age_s: float | None = None,
) -> Lookup:
    """Releases of each name: from the cache when offline, else from the index (what
    it answers is cached). With `max_age_s`, cached answers that young are used as
    they are, and an older one stands in when the index cannot be reached."""
    lookup = Lookup()
    cached = await _cached(store, index_url) if store is not None else {}
    if offline:
        for name in names:
            if name in cached:
                _take(lookup, name, cached[name])
            else:
                lookup.unknown.append(name)
        return lookup
    if max_age_s is not None:
        oldest = time.time_ns() - int(max_age_s * 1e9)
        fresh = [n for n in names if n in cached and cached[n][1] >= oldest]
        for name in fresh:
            _take(lookup, name, cached[name])
        names = [n for n in names if n not in lookup.releases]
    import aiohttp  # the index client is only imported when it is used

    limit = asyncio.Semaphore(CONCURRENCY)
    done = 0
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(name: str) -> None:
            nonlocal done
            async with limit:
                try:
                    page = await fetch_project(session, index_url, name)
                    lookup.releases[name] = page.releases
                    lookup.status[name] = (page.status, page.status_reason)
                    lookup.fetched_ns[name] = time.time_ns()
                except IndexUnavailable as exc:
                    lookup.errors[name] = str(exc)
            done += 1
            if progress is not None:
                progress(done, len(names))

        await asyncio.gather(*(one(name) for name in names))
    fetched = [n for n in names if n in lookup.releases]
    if max_age_s is not None:
        for name in [n for n in lookup.errors if n in cached]:
            _take(lookup, name, cached[name])  # stale beats none
    if store is not None and fetched:
        await store.write(
            [
                (
                    "INSERT OR REPLACE INTO index_cache (index_url, name, releases, fetched_ns)"
                    " VALUES (?, ?, ?, ?)",
                    [
                        (
                            index_url,
                            name,
                            json.dumps(cache_form(releases, lookup.status.get(name))),
                            lookup.fetched_ns[name],
                        )
                        for name, releases in lookup.releases.items()
                        if name in fetched
                    ],
                )
            ]
        )
    return lookup


Cached = tuple[list[Release], int, tuple[str, str | None] | None]


async def _cached(store: Store, index_url: str) -> dict[str, Cached]:
    rows = await store.query(
        "SELECT name, releases, fetched_ns FROM index_cache WHERE index_url = ?", (index_url,)
    )
    out: dict[str, Cached] = {}
    for name, releases, fetched_ns in rows:
        found, status = releases_from_cache(releases)
        out[name] = (found, fetched_ns, status)
    return out


def _take(lookup: Lookup, name: str, cached: Cached) -> None:
    lookup.releases[name], lookup.fetched_ns[name], status = cached
    if status is not None:
        lookup.status[name] = status


async def find_outdated(
    inventory: Inventory,
    store: Store | None,
    project_indexes: dict[str, str | None],
    explicit: str | None = None,
    offline: bool = False,
    pre: bool = False,
    progress: Callable[[int, int], None] | None = None,
    max_age_s: float | None = None,
) -> tuple[list[Outdated], Lookup]:
    """Each package checked against the index it comes from, as uv would: the explicit
    one (a flag or UV_INDEX_URL), else the registry its lock records (an explicit index
    such as PyTorch's), else its project's `[tool.uv]` default, else PyPI. A package from
    git, a URL or a path comes from no index: it is listed as not checked, with why."""
    index_of, unindexed = usage_indexes(inventory, project_indexes, explicit)
    names_by_index: dict[str, set[str]] = {}
    for (_, name), index in index_of.items():
        names_by_index.setdefault(index, set()).add(name)
    lookups = {
        index: await look_up(store, index, sorted(names), offline, progress, max_age_s)
        for index, names in sorted(names_by_index.items())
    }
    merged = Lookup()
    unknown: dict[str, None] = {}  # in order, once each: a list scan per name was quadratic
    for index, found in lookups.items():
        merged.fetched_ns.update(found.fetched_ns)
        merged.status.update(found.status)
        if len(lookups) > 1:  # say which index could not be reached
            merged.errors.update({n: f"{index}: {e}" for n, e in found.errors.items()})
        else:
            merged.errors.update(found.errors)
        unknown.update(dict.fromkeys(found.unknown))
    merged.unknown = list(unknown)
    checked = {name for (_, name) in index_of}
    merged.unindexed = {n: why for n, why in unindexed.items() if n not in checked}
    per_usage = {key: lookups[index] for key, index in index_of.items()}
    mark_index_facts(inventory, merged, per_usage)  # yanked, archived...: facts, not advice
    return outdated(inventory, merged, pre, per_usage), merged
