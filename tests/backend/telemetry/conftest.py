"""A backend with its OTLP receiver on a free loopback port, for tests in its loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.service import Backend
from backend.settings import Settings


@dataclass
class Receiving:
    backend: Backend
    url: str

    @property
    def traces_url(self) -> str:
        return f"{self.url}/v1/traces"


@pytest.fixture
async def receiving(tmp_path: Path) -> AsyncIterator[Receiving]:
    settings = Settings(
        roots=[tmp_path],
        db_path=tmp_path / "db.sqlite3",
        watch=False,
        otlp_port=0,
        otlp_max_body=1024 * 1024,
    )
    backend = Backend(settings)
    await backend.start(scan=False)
    url = await backend.start_receiver()
    yield Receiving(backend, url)
    await backend.stop()
