"""The SQLite store: one writer task fed by a bounded queue, separate readers, WAL.

Writes are statements with rows (`Write`); the writer drains the queue and commits
many writes in one transaction. A caller awaiting `write()` returns only after its
rows are committed, so acknowledged data survives a crash, SIGKILL included.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from backend.migrations import MIGRATIONS


class StoreError(Exception):
    """The database cannot be used (newer schema, not a database, unwritable)."""


class StoreBusy(StoreError):
    """The writer's queue is full; try again shortly (the receiver answers 503)."""


@dataclass(slots=True)
class Write:
    """Statements to run in order inside one transaction, each with its rows."""

    statements: list[tuple[str, Sequence[Sequence[Any]]]]
    done: asyncio.Future[None] | None = field(default=None, repr=False)


class Store:
    """Owns the database file: migrations, the single writer, reader connections."""

    def __init__(
        self,
        path: Path,
        queue_size: int = 1024,
        batch_size: int = 256,
        busy_timeout_ms: int = 10_000,
    ) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self.version = 0
        """Counts committed batches; live panes redraw only when it moved."""
        self._queue: asyncio.Queue[Write | None] = asyncio.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Create or migrate the database and start the writer task."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = await aiosqlite.connect(self.path, isolation_level=None)
            await self._writer.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            await self._writer.execute("PRAGMA journal_mode = WAL")
            await self._writer.execute("PRAGMA synchronous = NORMAL")
            await self._migrate(self._writer)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            await self._reader.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            self._reader.row_factory = aiosqlite.Row
        except (sqlite3.DatabaseError, OSError) as exc:
            await self._close_connections()
            raise StoreError(f"{self.path}: cannot open database: {exc}") from None
        except StoreError:
            await self._close_connections()
            raise
        self._task = asyncio.create_task(self._write_loop(), name="store-writer")

    async def close(self) -> None:
        """Commit what is queued, stop the writer, close every connection."""
        if self._task is not None:
            await self._queue.put(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_connections()

    async def write(
        self, statements: list[tuple[str, Sequence[Sequence[Any]]]], wait_for_room: bool = True
    ) -> None:
        """Queue a write and wait until it is committed.

        A full queue makes the caller wait for room, or, with `wait_for_room=False`,
        raises `StoreBusy` at once so a server can ask its client to retry.
        """
        if self._task is None or self._task.done():
            raise StoreError(f"{self.path}: the store is not open")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if wait_for_room:
            await self._queue.put(Write(statements, done))
        else:
            try:
                self._queue.put_nowait(Write(statements, done))
            except asyncio.QueueFull:
                raise StoreBusy(f"{self.path}: the write queue is full") from None
        await done

    @property
    def queue_depth(self) -> int:
        """Writes waiting for the writer."""
        return self._queue.qsize()

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read on the reader connection (it never waits for the writer in WAL mode)."""
        if self._reader is None:
            raise StoreError(f"{self.path}: the store is not open")
        async with self._reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _write_loop(self) -> None:
        assert self._writer is not None
        stopping = False
        while not stopping:
            first = await self._queue.get()
            batch: list[Write] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            while len(batch) < self._batch_size and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    continue
                batch.append(item)
            if batch:
                await self._commit(batch)

    async def _commit(self, batch: list[Write]) -> None:
        assert self._writer is not None
        try:
            await self._writer.execute("BEGIN IMMEDIATE")
            for write in batch:
                for sql, rows in write.statements:
                    await self._writer.executemany(sql, rows)
            await self._writer.execute("COMMIT")
        except (sqlite3.Error, ValueError) as exc:
            with contextlib.suppress(sqlite3.Error):
                await self._writer.execute("ROLLBACK")
            if len(batch) > 1:  # isolate the bad write so the others still land
                for write in batch:
                    await self._commit([write])
                return
            _resolve(batch, StoreError(f"{self.path}: write failed: {exc}"))
            return
        self.version += 1
        _resolve(batch, None)

    async def _migrate(self, connection: aiosqlite.Connection) -> None:
        """Apply missing migrations, each in its own transaction; safe with a second process."""
        while True:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                async with connection.execute("PRAGMA user_version") as cursor:
                    row = await cursor.fetchone()
                current = int(row[0]) if row else 0
                if current > len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path}: database schema {current} is newer than this devkit-tui "
                        f"knows ({len(MIGRATIONS)}); upgrade devkit-tui or choose another --db"
                    )
                if current == len(MIGRATIONS):
                    await connection.execute("COMMIT")
                    return
                for statement in _statements(MIGRATIONS[current]):
                    await connection.execute(statement)
                await connection.execute(f"PRAGMA user_version = {current + 1}")
                await connection.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    await connection.execute("ROLLBACK")
                raise

    async def _close_connections(self) -> None:
        for connection in (self._reader, self._writer):
            if connection is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await connection.close()
        self._reader = self._writer = None


def _resolve(batch: Iterable[Write], error: Exception | None) -> None:
    for write in batch:
        if write.done is not None and not write.done.done():
            if error is None:
                write.done.set_result(None)
            else:
                write.done.set_exception(error)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]
