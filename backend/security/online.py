"""Asking the OSV service about packages no imported database covers: one batch query
per 1,000 (name, version) pairs (`POST /v1/querybatch`, which answers with ids), then
each record not yet at hand (`GET /v1/vulns/ID`), a few at a time. Answers are kept in
the store with when they were given; one younger than `max_age_s` is used as it is, and
an older one stands in (its age said) when the service cannot be reached. A pair with
neither is not audited, with the reason: never a clean result by default.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from backend.security.lookup import PackageAdvisories
from backend.security.osv import BadRecord, advisory_from
from backend.store.database import Store

DEFAULT_OSV_URL = "https://api.osv.dev"
BATCH = 1000
"""The most queries OSV takes in one batch."""
CONCURRENCY = 4
MAX_AGE_S = 3600.0

Pair = tuple[str, str]
"""(PEP 503 name, version)."""


class ServiceDown(Exception):
    """The OSV service could not be asked; the message says how it failed."""


@dataclass(slots=True)
class OnlineAnswer:
    url: str
    advisories: dict[str, PackageAdvisories] = field(default_factory=dict)
    audited: set[Pair] = field(default_factory=set)
    failed: dict[Pair, str] = field(default_factory=dict)
    asked: int = 0
    """Pairs asked of the service in this run (the rest came from the cache)."""
    cached: int = 0
    oldest_ns: int | None = None
    """When the oldest answer used was given."""

    def as_json(self) -> dict[str, Any]:
        age = (time.time_ns() - self.oldest_ns) / 1e9 if self.oldest_ns else None
        return {
            "url": self.url,
            "asked": self.asked,
            "cached": self.cached,
            "failed": len(self.failed),
            "age_s": round(age, 1) if age is not None else None,
        }


async def ask_osv(
    store: Store | None, url: str, pairs: list[Pair], max_age_s: float = MAX_AGE_S
) -> OnlineAnswer:
    answer = OnlineAnswer(url.rstrip("/"))
    url = answer.url
    cached = await _cached_answers(store, url) if store is not None else {}
    fresh_from = time.time_ns() - int(max_age_s * 1e9)
    ids_of: dict[Pair, tuple[list[str], int]] = {}
    wanted = [p for p in dict.fromkeys(pairs) if not (p in cached and cached[p][1] >= fresh_from)]
    ids_of.update({p: cached[p] for p in dict.fromkeys(pairs) if p not in wanted})
    records: dict[str, dict[str, Any]] = {}
    if wanted:
        import aiohttp  # only imported when the service is asked

        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            modified: dict[str, str] = {}
            asked = await _query_all(session, url, wanted, answer, modified)
            now = time.time_ns()
            ids_of.update({p: (ids, now) for p, (ids, _) in asked.items()})
            answer.asked = len(asked)
            for pair in wanted:
                if pair not in asked and pair in cached:  # stale beats none
                    ids_of[pair] = cached[pair]
                    answer.failed.pop(pair, None)
            needed = sorted({i for ids, _ in ids_of.values() for i in ids})
            known = await _cached_records(store, url, needed) if store is not None else {}
            current = {i: r for i, r in known.items() if _current(r, modified.get(i))}
            records.update(current)
            missing = [i for i in needed if i not in current]
            records.update(await _fetch_records(session, url, missing, answer))
            if store is not None:
                await _remember(store, url, asked, {i: records[i] for i in missing if i in records})
    else:
        needed = sorted({i for ids, _ in ids_of.values() for i in ids})
        records = await _cached_records(store, url, needed) if store is not None else {}
    _conclude(answer, ids_of, records, asked_now=set(wanted))
    return answer


def _current(record: dict[str, Any], modified: str | None) -> bool:
    """A kept record is current unless the service names a newer `modified`."""
    return modified is None or str(record.get("modified", "")) == modified


def _conclude(
    answer: OnlineAnswer,
    ids_of: dict[Pair, tuple[list[str], int]],
    records: dict[str, dict[str, Any]],
    asked_now: set[Pair],
) -> None:
    by_name: dict[str, dict[str, Any]] = {}
    for pair, (ids, fetched_ns) in ids_of.items():
        lost = [i for i in ids if i not in records]
        if lost:
            answer.failed[pair] = f"{answer.url}: could not fetch {', '.join(lost)}"
            continue
        answer.audited.add(pair)
        answer.cached += pair not in asked_now
        answer.oldest_ns = min(fetched_ns, answer.oldest_ns or fetched_ns)
        for i in ids:
            by_name.setdefault(pair[0], {})[i] = records[i]
    for name, found in by_name.items():
        advisories = []
        for record in found.values():
            try:
                advisories.append(advisory_from(record))
            except BadRecord:
                continue
        answer.advisories[name] = PackageAdvisories.of(name, advisories)


async def _query_all(
    session: Any, url: str, pairs: list[Pair], answer: OnlineAnswer, modified: dict[str, str]
) -> dict[Pair, tuple[list[str], int]]:
    """Every pair's ids, batch by batch; `modified` gets each id's `modified` as the
    service gives it (a cached record older than that is fetched again)."""
    limit = asyncio.Semaphore(CONCURRENCY)
    found: dict[Pair, tuple[list[str], int]] = {}

    async def batch(chunk: list[Pair]) -> None:
        async with limit:
            try:
                found.update(await _query(session, url, chunk, modified))
            except ServiceDown as exc:
                answer.failed.update({pair: str(exc) for pair in chunk})

    chunks = [pairs[n : n + BATCH] for n in range(0, len(pairs), BATCH)]
    await asyncio.gather(*(batch(chunk) for chunk in chunks))
    return found


async def _query(
    session: Any, url: str, pairs: list[Pair], modified: dict[str, str]
) -> dict[Pair, tuple[list[str], int]]:
    """One batch; a result with a `next_page_token` is asked again for its next page."""
    out: dict[Pair, tuple[list[str], int]] = {p: ([], 0) for p in pairs}
    tokens: dict[Pair, str | None] = {p: None for p in pairs}
    while tokens:
        queries = []
        for (name, version), token in tokens.items():
            query: dict[str, Any] = {"package": {"name": name, "ecosystem": "PyPI"},
                                     "version": version}  # fmt: skip
            if token:
                query["page_token"] = token
            queries.append(query)
        document = await _post(session, f"{url}/v1/querybatch", {"queries": queries})
        results = document.get("results") if isinstance(document, dict) else None
        if not isinstance(results, list) or len(results) != len(queries):
            raise ServiceDown(f"{url}/v1/querybatch: an answer that is not OSV's")
        following: dict[Pair, str | None] = {}
        for pair, result in zip(list(tokens), results, strict=True):
            vulns = result.get("vulns", []) if isinstance(result, dict) else []
            for vuln in vulns if isinstance(vulns, list) else []:
                if isinstance(vuln, dict) and "id" in vuln:
                    out[pair][0].append(str(vuln["id"]))
                    if "modified" in vuln:
                        modified[str(vuln["id"])] = str(vuln["modified"])
            token = result.get("next_page_token") if isinstance(result, dict) else None
            if token:
                following[pair] = str(token)
        tokens = following
    return out


async def _post(session: Any, url: str, body: dict[str, Any]) -> Any:
    try:
        async with session.post(url, json=body) as response:
            if response.status != 200:
                raise ServiceDown(f"{url}: HTTP {response.status}")
            return json.loads(await response.read())
    except ServiceDown:
        raise
    except ValueError as exc:
        raise ServiceDown(f"{url}: not JSON: {exc}") from None
    except Exception as exc:  # OSError, aiohttp's client errors, timeouts
        raise ServiceDown(f"{url}: {type(exc).__name__}: {exc}") from None


async def _fetch_records(
    session: Any, url: str, ids: list[str], answer: OnlineAnswer
) -> dict[str, dict[str, Any]]:
    limit = asyncio.Semaphore(CONCURRENCY * 2)
    out: dict[str, dict[str, Any]] = {}

    async def one(flaw_id: str) -> None:
        async with limit:
            try:
                async with session.get(f"{url}/v1/vulns/{flaw_id}") as response:
                    if response.status == 200:
                        record = json.loads(await response.read())
                        if isinstance(record, dict):
                            out[flaw_id] = record
            except Exception:  # a record not fetched leaves its pairs not audited
                return

    await asyncio.gather(*(one(i) for i in ids))
    return out


async def _cached_answers(store: Store, url: str) -> dict[Pair, tuple[list[str], int]]:
    rows = await store.query(
        "SELECT name, version, ids, fetched_ns FROM osv_answers WHERE osv_url = ?", (url,)
    )
    return {(name, version): (json.loads(ids), fetched) for name, version, ids, fetched in rows}


async def _cached_records(store: Store, url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await store.query(
            f"SELECT id, record FROM osv_records WHERE osv_url = ? AND id IN"
            f" ({','.join('?' * len(chunk))})",
            (url, *chunk),
        )
        out.update({flaw_id: json.loads(record) for flaw_id, record in rows})
    return out


async def _remember(
    store: Store,
    url: str,
    answers: dict[Pair, tuple[list[str], int]],
    records: dict[str, dict[str, Any]],
) -> None:
    now = time.time_ns()
    await store.write(
        [
            (
                "INSERT OR REPLACE INTO osv_answers (osv_url, name, version, ids, fetched_ns)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (url, name, version, json.dumps(ids), now)
                    for (name, version), (ids, _) in answers.items()
                ],
            ),
            (
                "INSERT OR REPLACE INTO osv_records (osv_url, id, modified, record)"
                " VALUES (?, ?, ?, ?)",
                [(url, i, str(r.get("modified", "")), json.dumps(r)) for i, r in records.items()],
            ),
        ]
    )
