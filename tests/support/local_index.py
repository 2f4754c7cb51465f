"""A real package index for update tests: tiny wheels built here, served as a PEP 503
simple index over HTTP on 127.0.0.1, so the real uv can lock and install from it."""

from __future__ import annotations

import base64
import hashlib
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    requires: tuple[str, ...] = ()
    yanked: bool = False
    headers: tuple[str, ...] = ()
    """More METADATA header lines, such as `License-Expression: MIT`."""


CATALOGUE = (
    Dist("alpha", "1.0.0", ("beta>=1",)),
    Dist("alpha", "1.1.0", ("beta>=1",)),
    Dist("alpha", "2.0.0", ("beta>=2",)),
    Dist("beta", "1.0.0"),
    Dist("beta", "2.0.0"),
    Dist("beta", "2.1.0rc1"),
    Dist("gamma", "1.0.0"),
    Dist("gamma", "1.0.5"),
    Dist("gamma", "1.1.0", yanked=True),
    Dist("delta", "1.0.0"),
    Dist("delta", "1.1.0", ("no-such-package>=1",)),
)
"""alpha 2 needs beta 2 (a transitive change); beta 2.1.0rc1 is a pre-release; gamma
1.1.0 is yanked; delta 1.1.0 needs a package the index does not have."""


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build_wheel(folder: Path, dist: Dist) -> Path:
    """A valid pure-Python wheel: one module with `__version__`, METADATA, RECORD."""
    module = dist.name.replace("-", "_")
    info = f"{module}-{dist.version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {dist.name}\n",
            f"Version: {dist.version}\n",
            *(f"Requires-Dist: {r}\n" for r in dist.requires),
            *(f"{h}\n" for h in dist.headers),
        ]
    )
    files = {
        f"{module}/__init__.py": f'__version__ = "{dist.version}"\n',
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: devkit-tests\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},{record_hash(text.encode())},{len(text.encode())}\n"
        for path, text in files.items()
    )
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    path = folder / f"{module}-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
    return path


@dataclass
class LocalIndex:
    root: Path
    url: str = ""
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    """(name, version) to the sha256 hex of its wheel."""

    @property
    def simple(self) -> str:
        return f"{self.url}/simple"


def build_index(
    root: Path,
    catalogue: tuple[Dist, ...] = CATALOGUE,
    statuses: dict[str, str] | None = None,
    core_metadata: bool = False,
) -> LocalIndex:
    """Wheels under files/, one PEP 503 page per project under simple/; `statuses`
    gives projects a PEP 792 status (the `pypi:project-status` meta); `core_metadata`
    serves each wheel's METADATA beside it (PEP 658, announced as PEP 714 says)."""
    index = LocalIndex(root)
    (root / "files").mkdir(parents=True, exist_ok=True)
    anchors: dict[str, list[str]] = {}
    for dist in catalogue:
        wheel = build_wheel(root / "files", dist)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        index.hashes[(dist.name, dist.version)] = digest
        yanked = ' data-yanked="broken"' if dist.yanked else ""
        if core_metadata:
            with zipfile.ZipFile(wheel) as archive:
                info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
                metadata = archive.read(info)
            (root / "files" / f"{wheel.name}.metadata").write_bytes(metadata)
            yanked += f' data-core-metadata="sha256={hashlib.sha256(metadata).hexdigest()}"'
        anchors.setdefault(dist.name, []).append(
            f'<a href="../../files/{wheel.name}#sha256={digest}"{yanked}>{wheel.name}</a><br>'
        )
    for name, links in anchors.items():
        page = root / "simple" / name
        page.mkdir(parents=True, exist_ok=True)
        status = (statuses or {}).get(name)
        head = (
            f'<head><meta name="pypi:project-status" content="{status}"></head>' if status else ""
        )
        (page / "index.html").write_text(f"<html>{head}<body>" + "".join(links) + "</body></html>")
    (root / "simple" / "index.html").write_text(
        "<html><body>"
        + "".join(f'<a href="{n}/">{n}</a>' for n in sorted(anchors))
        + "</body></html>"
    )
    return index


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free 127.0.0.1 port for the duration; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_index(index: LocalIndex) -> Iterator[LocalIndex]:
    """Serve the index folder on a free 127.0.0.1 port for the duration."""
    with serving(partial(_Quiet, directory=str(index.root))) as url:
        index.url = url
        yield index
