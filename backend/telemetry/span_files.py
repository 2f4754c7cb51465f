"""Span files: one OTLP JSON `ExportTraceServiceRequest` per line, read as they grow.

Each file is followed the way `tail -F` follows a log: the open handle keeps reading
the file it opened even after a rotation renames it away, so lines appended just
before the rotation are not lost; then the new file at the path is read from its
start. The read offset is stored in the same transaction as the spans it covers,
so a restart neither loses nor repeats a line. A file that shrank, or whose first
bytes changed, was truncated or replaced: it is read again from the start. A line
that is not OTLP JSON is reported with its number and skipped.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from opentelemetry.trace import StatusCode, Tracer

from backend.parsers.records import FileError
from backend.telemetry import names
from backend.telemetry.decoded import DecodeProblem
from backend.telemetry.otlp_json import decode_json
from backend.telemetry.span_store import SpanStore, span_statements

HEAD_BYTES = 256
LINES_PER_COMMIT = 2000
_SAVE_OFFSET = (
    "INSERT INTO span_file_offsets (path, inode, offset, line, head) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, offset = excluded.offset,"
    " line = excluded.line, head = excluded.head"
)


@dataclass(slots=True)
class _Followed:
    """A file being followed: its open handle and how far it has been read."""

    handle: IO[bytes]
    inode: int
    offset: int
    line: int
    head: str


@dataclass(slots=True)
class FileIngest:
    """What one pass over a file brought in."""

    path: Path
    lines: int = 0
    spans: int = 0
    rejected: int = 0
    errors: list[FileError] = field(default_factory=list)


class SpanFileIngestor:
    """Reads new lines of span files into the store."""

    def __init__(
        self,
        spans: SpanStore,
        tracer: Tracer,
        pattern: str,
        on_error: Callable[[FileError], None] | None = None,
    ) -> None:
        self.spans = spans
        self.store = spans.store
        self.tracer = tracer
        self.pattern = pattern
        self.on_error = on_error
        self._followed: dict[Path, _Followed] = {}
        self._lock = asyncio.Lock()

    def matches(self, path: Path) -> bool:
        return fnmatch.fnmatch(path.name, self.pattern)

    def find(self, roots: list[Path], skip: Collection[str] = ()) -> list[Path]:
        """Span files already under the roots (the watcher reports the ones to come),
        not looking into the folders named in `skip`."""
        found = []
        for root in roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".venv")]
                found.extend(Path(folder) / f for f in files if fnmatch.fnmatch(f, self.pattern))
        return sorted(found)

    async def ingest(self, path: Path) -> FileIngest:
        """Read whatever is new in `path` (and in the file it was rotated from)."""
        async with self._lock:
            result = FileIngest(path)
            with self.tracer.start_as_current_span(
                names.INGEST_FILE,
                attributes={names.FILE_PATH: str(path), names.FILE_FORMAT: "otlp-jsonl"},
            ) as span:
                followed = self._followed.get(path) or await self._resume(path)
                if followed is not None:
                    await self._drain(path, followed, result)
                    if self._replaced(path, followed):
                        followed.handle.close()
                        del self._followed[path]
                        fresh = await self._open(path, start_over=True)
                        if fresh is not None:
                            await self._drain(path, fresh, result)
                span.set_attributes(
                    {
                        names.INGEST_LINE_COUNT: result.lines,
                        names.INGEST_SPAN_COUNT: result.spans,
                        names.INGEST_REJECTED_COUNT: result.rejected,
                    }
                )
                if result.errors:
                    span.set_status(StatusCode.ERROR, str(result.errors[0]))
            for error in result.errors:
                if self.on_error is not None:
                    self.on_error(error)
            return result

    def close(self) -> None:
        for followed in self._followed.values():
            followed.handle.close()
        self._followed.clear()

    async def _resume(self, path: Path) -> _Followed | None:
        return await self._open(path, start_over=False)

    async def _open(self, path: Path, start_over: bool) -> _Followed | None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - kept open to follow rotations
        except OSError:
            return None
        stat = os.fstat(handle.fileno())
        head = _head(handle)
        offset, line = 0, 0
        if not start_over:
            rows = await self.store.query(
                "SELECT inode, offset, line, head FROM span_file_offsets WHERE path = ?",
                (str(path),),
            )
            if rows:
                inode, saved_offset, saved_line, saved_head = rows[0]
                same_file = inode == stat.st_ino and _same_head(handle, saved_head)
                if same_file and saved_offset <= stat.st_size:
                    offset, line = saved_offset, saved_line
        followed = _Followed(handle, stat.st_ino, offset, line, head)
        self._followed[path] = followed
        return followed

    def _replaced(self, path: Path, followed: _Followed) -> bool:
        """The path now names another file (rotated), or ours shrank (truncated)."""
        try:
            stat = os.stat(path)
        except OSError:
            return False  # gone for now: keep the handle, a new file will come
        return stat.st_ino != followed.inode or stat.st_size < followed.offset

    async def _drain(self, path: Path, followed: _Followed, result: FileIngest) -> None:
        handle = followed.handle
        if os.fstat(handle.fileno()).st_size < followed.offset:
            return  # truncated: `_replaced` starts it over
        while True:
            handle.seek(followed.offset)
            batch = list(_complete_lines(handle, LINES_PER_COMMIT))
            if not batch:
                return
            spans, consumed = [], 0
            for raw in batch:
                consumed += len(raw)
                followed.line += 1
                result.lines += 1
                if not raw.strip():
                    continue
                try:
                    decoded = decode_json(raw)
                except DecodeProblem as exc:
                    result.errors.append(FileError(str(path), followed.line, str(exc)))
                    continue
                spans.extend(decoded.spans)
                result.rejected += decoded.rejected
            followed.offset += consumed
            followed.head = _head(handle)
            statements = span_statements(spans) if spans else []
            statements.append(
                (
                    _SAVE_OFFSET,
                    [(str(path), followed.inode, followed.offset, followed.line, followed.head)],
                )
            )
            await self.store.write(statements)
            self.spans.counted(spans)
            result.spans += len(spans)


def _complete_lines(handle: IO[bytes], limit: int) -> Iterator[bytes]:
    """Up to `limit` lines that end in a newline; a partial last line waits."""
    for _ in range(limit):
        raw = handle.readline()
        if not raw.endswith(b"\n"):
            return
        yield raw


def _head(handle: IO[bytes], size: int = HEAD_BYTES) -> str:
    """`N:sha256` of the file's first N bytes (N up to 256), to tell a replaced file."""
    position = handle.tell()
    handle.seek(0)
    data = handle.read(size)
    handle.seek(position)
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()}"


def _same_head(handle: IO[bytes], saved: str) -> bool:
    """Do the file's first bytes still match the fingerprint saved for it?"""
    size, _, _ = saved.partition(":")
    return size.isdigit() and _head(handle, int(size)) == saved
