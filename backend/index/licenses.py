"""Each package's licence, per project and version: from the installed copy's METADATA,
else, for a release that is locked but not installed, from the core metadata file the
index serves beside its wheel (PEP 658 / PEP 714), found on the project page that
`outdated` already fetches and caches. What a metadata file said is kept in the store for
good (a release's metadata never changes); offline, only that cache answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_version

from backend.index.behind import usage_indexes
from backend.index.outdated import look_up
from backend.index.simple_api import Release
from backend.inventory.model import Inventory
from backend.parsers.environment import license_of, metadata_headers
from backend.parsers.licenses import License
from backend.store.database import Store

CONCURRENCY = 8
PAGE_MAX_AGE_S = 24 * 3600.0
"""A cached project page this young is used to find a metadata file without asking again."""

ReleaseKey = tuple[str, str, str]
"""(index URL, package name, version)."""


@dataclass(frozen=True, slots=True)
class LicenseRow:
    """One project's use of one release, and its licence."""

    name: str
    version: str | None
    project: str
    license: License
    origin: str | None
    """`installed` or `index`; None when neither could say."""
    why: str | None = None
    """Why the licence is unknown, when it is and something other than the metadata says."""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "project": self.project,
            "license": self.license.expression,
            "source": self.license.source,
            "origin": self.origin,
            "declared": self.license.declared or None,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class IndexAnswer:
    license: License
    why: str | None = None
    lasting: bool = True
    """Whether it is worth keeping: what the index said, not that it could not be asked."""


async def license_rows(
    inventory: Inventory,
    store: Store | None,
    project_indexes: dict[str, str | None],
    explicit: str | None = None,
    offline: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[LicenseRow]:
    """A row per (package, project, version): installed copies first-hand, the rest from
    the index of each package as `outdated` picks it; git, URL and path sources have no
    index, so unless installed their licence is unknown, with why."""
    index_of, unindexed = usage_indexes(inventory, project_indexes, explicit)
    rows: list[LicenseRow] = []
    pending: dict[ReleaseKey, list[tuple[str, str]]] = {}
    for name, row in sorted(inventory.packages.items()):
        for usage in row.usages:
            if usage.installed is not None and usage.license is not None:
                rows.append(LicenseRow(name, usage.installed, usage.project, usage.license,
                                       "installed"))  # fmt: skip
                continue
            if not usage.locked:
                rows.append(LicenseRow(name, None, usage.project, License(), None,
                                       "neither locked nor installed"))  # fmt: skip
                continue
            index = index_of.get((usage.project, name))
            for version in usage.locked:
                if index is None:
                    why = f"{unindexed.get(name, 'no index')}, not installed"
                    rows.append(LicenseRow(name, version, usage.project, License(), None, why))
                else:
                    pending.setdefault((index, name, version), []).append((usage.project, version))
    answers = await from_index(store, list(pending), offline, progress)
    for key, uses in pending.items():
        answer = answers[key]
        for project, version in uses:
            rows.append(LicenseRow(key[1], version, project, answer.license, "index", answer.why))
    rows.sort(key=lambda r: (r.name, r.project, r.version or ""))
    return rows


async def from_index(
    store: Store | None,
    wanted: list[ReleaseKey],
    offline: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[ReleaseKey, IndexAnswer]:
    """The licence of each release from its core metadata file: cached, else fetched
    (the project page tells where the file is, and whether there is one)."""
    answers = await _cached(store, wanted) if store is not None else {}
    missing = [key for key in wanted if key not in answers]
    if offline:
        for key in missing:
            answers[key] = IndexAnswer(License(), "not in the cache (offline)", lasting=False)
        return answers
    by_index: dict[str, set[str]] = {}
    for index, name, _ in missing:
        by_index.setdefault(index, set()).add(name)
    pages: dict[tuple[str, str], list[Release]] = {}
    errors: dict[tuple[str, str], str] = {}
    for index, names in sorted(by_index.items()):
        lookup = await look_up(store, index, sorted(names), max_age_s=PAGE_MAX_AGE_S)
        pages.update({(index, n): r for n, r in lookup.releases.items()})
        errors.update({(index, n): e for n, e in lookup.errors.items()})
    fetched = await _fetch_all(missing, pages, errors, progress)
    answers.update(fetched)
    kept = [(key, answer) for key, answer in fetched.items() if answer.lasting]
    if store is not None and kept:
        await _remember(store, kept)
    return answers


async def _fetch_all(
    wanted: list[ReleaseKey],
    pages: dict[tuple[str, str], list[Release]],
    errors: dict[tuple[str, str], str],
    progress: Callable[[int, int], None] | None,
) -> dict[ReleaseKey, IndexAnswer]:
    answers: dict[ReleaseKey, IndexAnswer] = {}
    urls: dict[ReleaseKey, str] = {}
    for key in wanted:
        index, name, version = key
        if (index, name) in errors:
            answers[key] = IndexAnswer(License(), errors[(index, name)], lasting=False)
            continue
        release = _release(pages.get((index, name), []), version)
        if release is None:
            answers[key] = IndexAnswer(License(), f"the index {index} lists no {version}")
        elif release.metadata_url is None:
            answers[key] = IndexAnswer(License(), "the index serves no core metadata for it")
        else:
            urls[key] = release.metadata_url
    if not urls:
        return answers
    import aiohttp  # the index client is only imported when it is used

    limit = asyncio.Semaphore(CONCURRENCY)
    done = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def one(key: ReleaseKey, url: str) -> None:
            nonlocal done
            async with limit:
                answers[key] = await _read_metadata(session, url)
            done += 1
            if progress is not None:
                progress(done, len(urls))

        await asyncio.gather(*(one(key, url) for key, url in urls.items()))
    return answers


async def _read_metadata(session: Any, url: str) -> IndexAnswer:
    try:
        async with session.get(url) as response:
            if response.status != 200:
                return IndexAnswer(License(), f"{url}: HTTP {response.status}", lasting=False)
            body = await response.read()
    except Exception as exc:  # OSError, aiohttp's client errors, timeouts
        return IndexAnswer(License(), f"{url}: {type(exc).__name__}: {exc}", lasting=False)
    return IndexAnswer(license_of(metadata_headers(body.decode("utf-8", errors="replace"))))


def _release(releases: list[Release], version: str) -> Release | None:
    wanted = canonicalize_version(version)
    return next((r for r in releases if canonicalize_version(r.version) == wanted), None)


async def _cached(store: Store, wanted: list[ReleaseKey]) -> dict[ReleaseKey, IndexAnswer]:
    keys = set(wanted)
    out: dict[ReleaseKey, IndexAnswer] = {}
    for index in sorted({k[0] for k in keys}):
        rows = await store.query(
            "SELECT name, version, license, source, declared, why FROM license_cache"
            " WHERE index_url = ?",
            (index,),
        )
        for name, version, expression, source, declared, why in rows:
            if (index, name, version) in keys:
                out[(index, name, version)] = IndexAnswer(License(expression, source, declared),
                                                          why)  # fmt: skip
    return out


async def _remember(store: Store, answers: list[tuple[ReleaseKey, IndexAnswer]]) -> None:
    now = time.time_ns()
    await store.write(
        [
            (
                "INSERT OR REPLACE INTO license_cache (index_url, name, version, license,"
                " source, declared, why, fetched_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, a.license.expression, a.license.source, a.license.declared, a.why, now)
                    for key, a in answers
                ],
            )
        ]
    )
