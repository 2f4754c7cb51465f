"""`devkit-tui outdated` against a real simple index served on 127.0.0.1: PEP 691
JSON for some projects, PEP 503 HTML for others, yanked and pre-releases left out,
and the cache answering offline."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from backend.index.simple_api import page_from_html, page_from_json, releases_from_html, version_of
from tests.helpers import REPOSITORY, make_venv

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
JSON_PROJECTS = {  # name -> [(version, yanked)]
    "httpx": [("0.28.1", False), ("0.28.2", False), ("0.29.0", True)],
    "fastapi": [("0.115.6", False), ("1.0.0", False)],
}
HTML_PROJECTS = {"requests": ["2.31.0", "2.32.3", "3.0.0a1"]}


def wheel(name: str, version: str) -> str:
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl"


async def simple(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name in JSON_PROJECTS:
        files = [
            {"filename": wheel(name, v), "url": f"/files/{wheel(name, v)}", "hashes": {},
             "yanked": "broken build" if yanked else False}
            for v, yanked in JSON_PROJECTS[name]
        ]  # fmt: skip
        body = json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": files})
        return web.Response(text=body, content_type=JSON_TYPE)
    if name in HTML_PROJECTS:
        anchors = "".join(
            f'<a href="/files/{name}-{v}.tar.gz#sha256=00">{name}-{v}.tar.gz</a><br/>'
            for v in HTML_PROJECTS[name]
        )
        return web.Response(text=f"<html><body>{anchors}</body></html>", content_type="text/html")
    raise web.HTTPNotFound()


@pytest.fixture
async def index() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/simple/{name}/", simple)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/simple"
    finally:
        await runner.cleanup()


async def outdated_json(root: Path, db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if k != "UV_INDEX_URL"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "outdated", str(root), "--json", "--db", str(db), *args,
        cwd=REPOSITORY, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


def by_key(document: dict) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    return {(p["name"], p["project"]): p for p in document["packages"]}


async def test_outdated_against_a_local_index(
    demo_workspace: Path, tmp_path: Path, index: str
) -> None:
    db = tmp_path / "db.sqlite3"
    document = await outdated_json(demo_workspace, db, "--index-url", index)
    assert document["schema"] == "devkit.outdated/1"
    rows = by_key(document)
    httpx = rows[("httpx", "api-service")]
    assert {k: httpx[k] for k in ("current", "latest_allowed", "latest", "major")} == {
        "current": "0.28.1",
        "latest_allowed": "0.28.2",
        "latest": "0.28.2",
        "major": False,
    }  # fmt: skip  (0.29.0 is yanked)
    assert rows[("fastapi", "api-service")]["major"] is True
    pinned = rows[("requests", "legacy-scripts")]  # requests==2.31.0, HTML index
    assert pinned["latest"] == "2.32.3" and pinned["latest_allowed"] == "2.31.0"
    assert rows[("requests", "data-pipeline")]["latest_allowed"] == "2.32.3"
    assert ("pandas", "data-pipeline") not in rows  # the index has no pandas: 404

    with_pre = by_key(await outdated_json(demo_workspace, db, "--index-url", index, "--pre"))
    assert with_pre[("requests", "legacy-scripts")]["latest"] == "3.0.0a1"

    offline = await outdated_json(demo_workspace, db, "--index-url", index, "--offline")
    assert by_key(offline) == rows and offline["cache_age_s"] is not None
    cold = await outdated_json(
        demo_workspace, tmp_path / "cold.sqlite3", "--index-url", index, "--offline"
    )
    assert cold["packages"] == [] and "httpx" in cold["not_checked"]


async def test_unreachable_index_is_not_clean(demo_workspace: Path, tmp_path: Path) -> None:
    """Nothing answers on this port: every package is 'not checked', not 'up to date'."""
    document = await outdated_json(
        demo_workspace, tmp_path / "db.sqlite3", "--index-url", "http://127.0.0.1:9/simple"
    )
    assert document["packages"] == [] and "httpx" in document["not_checked"]


def test_file_names_and_html() -> None:
    assert version_of("Foo-Bar", "foo_bar-1.0-py3-none-any.whl") == "1.0"
    assert version_of("foo-bar", "foo-bar-2.0.tar.gz") == "2.0"
    assert version_of("foo", "foobar-1.0.tar.gz") is None
    html = (
        '<a href="x/foo-1.0.tar.gz" data-yanked="">foo-1.0.tar.gz</a>'
        '<a href="foo-1.1.zip">foo-1.1.zip</a>'
    )
    assert [(r.version, r.yanked) for r in releases_from_html("foo", html)] == [
        ("1.0", True),
        ("1.1", False),
    ]


def test_project_status_yank_reasons_and_core_metadata_from_both_page_kinds() -> None:
    """PEP 792 status (HTML meta or the JSON `project-status`), the yank reason, and the
    PEP 658 / PEP 714 metadata file beside a wheel, resolved against the page."""
    page_url = "http://127.0.0.1:1/simple/foo/"
    html = (
        '<html><head><meta name="pypi:project-status" content="Archived">'
        '<meta name="pypi:project-status-reason" content="moved to foo2"></head><body>'
        '<a href="../../files/foo-1.0-py3-none-any.whl#sha256=ab" data-yanked="broken build"'
        ' data-core-metadata="sha256=cd">foo-1.0-py3-none-any.whl</a>'
        '<a href="../../files/foo-1.1.tar.gz">foo-1.1.tar.gz</a></body></html>'
    )
    page = page_from_html("foo", html, page_url)
    assert (page.status, page.status_reason) == ("archived", "moved to foo2")
    old, new = page.releases
    assert (old.yanked, old.yanked_reason) == (True, "broken build")
    assert old.metadata_url == "http://127.0.0.1:1/files/foo-1.0-py3-none-any.whl.metadata"
    assert (new.yanked, new.yanked_reason, new.metadata_url) == (False, None, None)
    document = {
        "project-status": {"status": "quarantined"},
        "files": [
            {"filename": "foo-2.0-py3-none-any.whl", "url": "https://files.example/foo-2.0-py3-none-any.whl",
             "yanked": "CVE-1", "core-metadata": {"sha256": "ef"}},
            {"filename": "foo-2.0.tar.gz", "url": "/f/foo-2.0.tar.gz", "yanked": True},
        ],
    }  # fmt: skip
    page = page_from_json("foo", document, page_url)
    assert (page.status, page.status_reason) == ("quarantined", None)
    (release,) = page.releases
    assert (release.yanked, release.yanked_reason) == (True, "CVE-1")
    assert release.metadata_url == "https://files.example/foo-2.0-py3-none-any.whl.metadata"
    assert page_from_json("foo", {"files": []}).status == "active"  # no status: active


async def test_the_project_index_from_tool_uv(tmp_path: Path, index: str) -> None:
    """No flag, no UV_INDEX_URL: the project's `[[tool.uv.index]]` default is asked."""
    project = tmp_path / "work" / "svc"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["httpx>=0.28"]\n'
        f'[[tool.uv.index]]\nname = "local"\nurl = "{index}"\ndefault = true\n'
    )
    make_venv(project / ".venv", {"httpx": "0.28.1"})
    document = await outdated_json(tmp_path / "work", tmp_path / "db.sqlite3")
    assert [(p["name"], p["latest"]) for p in document["packages"]] == [("httpx", "0.28.2")]


async def test_a_cache_age_limit(index: str, tmp_path: Path) -> None:
    """Young answers are used as cached; old ones are asked again; an old one stands in
    when the index cannot be reached."""
    from backend.index.outdated import look_up
    from backend.store.database import Store

    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        first = await look_up(store, index, ["httpx"])
        assert [r.version for r in first.releases["httpx"]][-1] == "0.29.0"
        unreachable = "http://127.0.0.1:9/simple"
        await store.write(
            [("UPDATE index_cache SET index_url = ?", [(unreachable,)])]
        )  # the same answer, now cached for an index that is down
        young = await look_up(store, unreachable, ["httpx"], max_age_s=3600)
        assert "httpx" in young.releases and not young.errors  # not asked at all
        stale = await look_up(store, unreachable, ["httpx"], max_age_s=0)
        assert "httpx" in stale.errors and "httpx" in stale.releases  # asked, failed, stale used
        none = await look_up(store, unreachable, ["fastapi"], max_age_s=0)
        assert "fastapi" in none.errors and "fastapi" not in none.releases
        refreshed = await look_up(store, index, ["httpx"], max_age_s=0)
        assert not refreshed.errors and refreshed.fetched_ns["httpx"] > first.fetched_ns["httpx"]
    finally:
        await store.close()
