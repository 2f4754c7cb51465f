"""A client for a package index's simple API: PEP 691 JSON, falling back to PEP 503
HTML, reduced to each release's version and whether all its files are yanked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
DEFAULT_INDEX = "https://pypi.org/simple"
ARCHIVE_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


class IndexUnavailable(Exception):
    """The index could not answer for a package (network, status, body)."""


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    yanked: bool

    @property
    def parsed(self) -> Version:
        return Version(self.version)


def releases_from_json(name: str, document: dict[str, Any]) -> list[Release]:
    """PEP 691: a release is yanked when every one of its files is."""
    return _releases(
        name,
        (
            (str(f.get("filename", "")), bool(f.get("yanked")))
            for f in document.get("files", [])
            if isinstance(f, dict)
        ),
    )


def releases_from_html(name: str, text: str) -> list[Release]:
    """PEP 503: one anchor per file; `data-yanked` marks a yanked one."""
    parser = _Anchors()
    parser.feed(text)
    return _releases(name, parser.files)


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


def _releases(name: str, files: Any) -> list[Release]:
    yanked_by_version: dict[str, list[bool]] = {}
    for filename, yanked in files:
        raw = version_of(name, filename)
        if raw is None:
            continue
        try:
            version = str(Version(raw))
        except InvalidVersion:
            continue
        yanked_by_version.setdefault(version, []).append(yanked)
    return sorted(
        (Release(v, all(flags)) for v, flags in yanked_by_version.items()),
        key=lambda r: r.parsed,
    )


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, bool]] = []
        self._current: tuple[str, bool] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            values = dict(attrs)
            href = values.get("href") or ""
            filename = href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            self._current = (filename, "data-yanked" in values)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            filename, yanked = self._current
            text = "".join(self._text).strip()
            self.files.append((text or filename, yanked))
            self._current = None


async def fetch_releases(session: Any, index_url: str, name: str) -> list[Release]:
    """Ask the index about one project (an aiohttp session is handed in)."""
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    try:
        async with session.get(url, headers={"Accept": ACCEPT}) as response:
            if response.status == 404:
                return []
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
            return releases_from_json(name, json.loads(body))
        except (ValueError, AttributeError) as exc:
            raise IndexUnavailable(f"{url}: not PEP 691 JSON: {exc}") from None
    return releases_from_html(name, body.decode("utf-8", errors="replace"))
