"""A local index for the whole session, and uv kept away from the user's config,
cache and interpreters downloads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.local_index import LocalIndex, build_index, serve_index


@pytest.fixture(scope="session")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    index = build_index(tmp_path_factory.mktemp("index"))
    with serve_index(index):
        yield index


@pytest.fixture(autouse=True)
def quiet_uv(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path_factory.getbasetemp() / "uv-cache"
    monkeypatch.setenv("UV_CACHE_DIR", str(cache))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    for name in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
