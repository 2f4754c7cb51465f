"""A client for a package index's simple API: PEP 691 JSON, falling back to PEP 503
HTML, reduced to each release's version, whether all its files are yanked (and why),
where its core metadata is served (PEP 658 / PEP 714), and the project's status
(PEP 792: active, archived, quarantined, deprecated)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
DEFAULT_INDEX = "https://pypi.org/simple"
ARCHIVE_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


class IndexUnavailable(Exception):
    """The index could not answer for a package (network, status, body)."""


STATUSES = ("active", "archived", "quarantined", "deprecated")
"""PEP 792's project statuses; a page that names none is active."""


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    yanked: bool
    yanked_reason: str | None = None
    metadata_url: str | None = None
    """A wheel's core metadata file (PEP 658), when the index serves one."""

    @property
    def parsed(self) -> Version:
        return Version(self.version)


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """What one project's page says."""

    releases: list[Release]
    status: str = "active"
    status_reason: str | None = None


@dataclass(frozen=True, slots=True)
class _File:
    filename: str
    yanked: bool
    yanked_reason: str | None
    url: str
    has_metadata: bool


def releases_from_json(name: str, document: dict[str, Any], page_url: str = "") -> list[Release]:
    """PEP 691: a release is yanked when every one of its files is."""
    return page_from_json(name, document, page_url).releases


def page_from_json(name: str, document: dict[str, Any], page_url: str = "") -> ProjectPage:
    files = []
    for entry in document.get("files", []):
        if not isinstance(entry, dict):
            continue
        yanked = entry.get("yanked")
        metadata = entry.get("core-metadata", entry.get("dist-info-metadata"))
        files.append(
            _File(
                str(entry.get("filename", "")),
                bool(yanked),
                yanked if isinstance(yanked, str) and yanked else None,
                urljoin(page_url, str(entry.get("url", ""))),
                bool(metadata),
            )
        )
    status = document.get("project-status")
    if not isinstance(status, dict):
        status = {}
    return ProjectPage(_releases(name, files), *_status(status.get("status"), status.get("reason")))


def releases_from_html(name: str, text: str, page_url: str = "") -> list[Release]:
    """PEP 503: one anchor per file; `data-yanked` marks a yanked one."""
    return page_from_html(name, text, page_url).releases


def page_from_html(name: str, text: str, page_url: str = "") -> ProjectPage:
    parser = _Anchors(page_url)
    parser.feed(text)
    status = _status(parser.meta.get("pypi:project-status"),
                     parser.meta.get("pypi:project-status-reason"))  # fmt: skip
    return ProjectPage(_releases(name, parser.files), *status)


def _status(status: object, reason: object) -> tuple[str, str | None]:
    """An unknown word is kept (a later PEP may add one); none at all is active."""
    word = str(status).strip().lower() if isinstance(status, str) and status.strip() else ""
    return (word or "active"), (str(reason) if isinstance(reason, str) and reason else None)


def version_of(name: str, filename: str) -> str | None:
    """The version in a wheel's or an sdist's file name, if it names this project."""
    wanted = canonicalize_name(name)
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) >= 5 and canonicalize_name(parts[0]) == wanted:
            return parts[1]
        return None
    for suffix in ARCHIVE_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            project, sep, version = stem.rpartition("-")
            if sep and canonicalize_name(project) == wanted:
                return version
    return None


def _releases(name: str, files: list[_File]) -> list[Release]:
    by_version: dict[str, list[_File]] = {}
    for file in files:
        raw = version_of(name, file.filename)
        if raw is None:
            continue
        try:
            version = str(Version(raw))
        except InvalidVersion:
            continue
        by_version.setdefault(version, []).append(file)
    releases = []
    for version, mine in by_version.items():
        yanked = all(f.yanked for f in mine)
        reason = next((f.yanked_reason for f in mine if f.yanked_reason), None)
        metadata = next((f"{f.url}.metadata" for f in mine
                         if f.has_metadata and f.filename.endswith(".whl")), None)  # fmt: skip
        releases.append(Release(version, yanked, reason if yanked else None, metadata))
    return sorted(releases, key=lambda r: r.parsed)


class _Anchors(HTMLParser):
    def __init__(self, page_url: str = "") -> None:
        super().__init__()
        self.page_url = page_url
        self.files: list[_File] = []
        self.meta: dict[str, str] = {}
        self._current: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta[str(values["name"]).lower()] = values.get("content") or ""
        if tag == "a":
            self._current = values
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            values = self._current
            href = values.get("href") or ""
            filename = href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            text = "".join(self._text).strip()
            reason = values.get("data-yanked")
            metadata = values.get("data-core-metadata", values.get("data-dist-info-metadata"))
            self.files.append(
                _File(
                    text or filename,
                    "data-yanked" in values,
                    reason or None,
                    urljoin(self.page_url, href.split("#", 1)[0]),
                    "data-core-metadata" in values or "data-dist-info-metadata" in values
                    if metadata != "false"
                    else False,
                )
            )
            self._current = None


def cache_form(releases: list[Release], status: tuple[str, str | None] | None) -> object:
    """A release list, as before the status was kept, or with it: older rows still read."""
    rows = [[r.version, r.yanked, r.yanked_reason, r.metadata_url] for r in releases]
    return rows if status is None else {"releases": rows, "status": list(status)}


def releases_from_cache(text: str) -> tuple[list[Release], tuple[str, str | None] | None]:
    data = json.loads(text)
    status = None
    if isinstance(data, dict):
        status = tuple(data["status"]) if data.get("status") else None
        data = data["releases"]
    releases = [Release(str(r[0]), bool(r[1]), *(r[2:4])) for r in data]
    return releases, status  # type: ignore[return-value]


async def fetch_project(session: Any, index_url: str, name: str) -> ProjectPage:
    """Ask the index about one project (an aiohttp session is handed in); a project it
    does not have is an empty page."""
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    try:
        async with session.get(url, headers={"Accept": ACCEPT}) as response:
            if response.status == 404:
                return ProjectPage([])
            if response.status != 200:
                raise IndexUnavailable(f"{url}: HTTP {response.status}")
            body = await response.read()
            content_type = response.headers.get("Content-Type", "")
    except OSError as exc:
        raise IndexUnavailable(f"{url}: {exc}") from None
    except Exception as exc:  # aiohttp's client errors, timeouts
        raise IndexUnavailable(f"{url}: {type(exc).__name__}: {exc}") from None
    if JSON_TYPE in content_type or content_type.startswith("application/json"):
        try:
            return page_from_json(name, json.loads(body), url)
        except (ValueError, AttributeError) as exc:
            raise IndexUnavailable(f"{url}: not PEP 691 JSON: {exc}") from None
    return page_from_html(name, body.decode("utf-8", errors="replace"), url)
