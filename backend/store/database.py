"""The SQLite store: one writer fed by a bounded queue, separate readers, WAL.

Writes are statements with rows (`Write`). The single writer is a thread of its
own with a plain sqlite3 connection: it drains the queue and commits many writes in
one transaction, all in one go. (Driving the writer through aiosqlite cost a hop
through the event loop per statement, and the loop is busy decoding the next
request: the writer sat idle for most of each batch.) A caller awaiting `write()`
returns only after its rows are committed, so acknowledged data survives a crash,
SIGKILL included. Readers use aiosqlite and never wait for the writer (WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from backend.store.errors import StoreBusy, StoreError
from backend.store.migrations import MIGRATIONS

Statements = list[tuple[str, Sequence[Sequence[Any]]]]


@dataclass(slots=True)
class Write:
    """Statements to run in order inside one transaction, each with its rows; or a
    function given the connection inside the transaction (its result is returned)."""

    statements: Statements
    done: asyncio.Future[Any] | None = field(default=None, repr=False)
    apply: Callable[[sqlite3.Connection], Any] | None = field(default=None, repr=False)


class Store:
    """Owns the database file: migrations, the single writer, a reader connection."""

    def __init__(
        self,
        path: Path,
        queue_size: int = 1024,
        batch_size: int = 256,
        busy_timeout_ms: int = 10_000,
    ) -> None:
        self.path = path
        self.version = 0
        """Counts committed batches; live panes redraw only when it moved."""
        self._busy_timeout_ms = busy_timeout_ms
        self._batch_size = batch_size
        self._room = asyncio.Semaphore(queue_size)
        self._queue: queue.SimpleQueue[Write | None] = queue.SimpleQueue()
        self._reader: aiosqlite.Connection | None = None
        self._interactive: aiosqlite.Connection | None = None
        """A second reader for what a person waits on (a trace, the live stream), opened
        on first use, so it never queues behind background reads on the first."""
        self._writer: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Future[None] | None = None

    async def open(self) -> None:
        """Create or migrate the database, start the writer, open the reader."""
        self._loop = asyncio.get_running_loop()
        try:
            connection = await asyncio.to_thread(self._connect_and_migrate)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from None
        try:
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            await self._reader.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        except (sqlite3.DatabaseError, OSError) as exc:
            connection.close()
            await self._close_reader()
            raise StoreError(f"{self.path}: cannot open database: {exc}") from None
        self._stopped = self._loop.create_future()
        self._writer = threading.Thread(
            target=self._write_forever, args=(connection,), name="store-writer", daemon=True
        )
        self._writer.start()

    async def close(self) -> None:
        """Commit what is queued, stop the writer, close every connection."""
        if self._writer is not None and self._stopped is not None:
            self._queue.put(None)
            await self._stopped
            self._writer = None
        await self._close_reader()

    async def write(self, statements: Statements, wait_for_room: bool = True) -> None:
        """Queue a write and wait until it is committed.

        A full queue makes the caller wait for room, or, with `wait_for_room=False`,
        raises `StoreBusy` at once so a server can ask its client to retry.
        """
        await self._submit(Write(statements), wait_for_room)

    async def run(self, apply: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `apply(connection)` on the writer inside a write transaction, for a
        read-then-write that must be atomic even with another process writing (the
        audit log's hash chain); returns what `apply` returns."""
        return await self._submit(Write([], apply=apply), wait_for_room=True)

    async def _submit(self, write: Write, wait_for_room: bool) -> Any:
        if self._writer is None or self._loop is None:
            raise StoreError(f"{self.path}: the store is not open")
        if not wait_for_room and self._room.locked():
            raise StoreBusy(f"{self.path}: the write queue is full")
        await self._room.acquire()
        write.done = self._loop.create_future()
        self._queue.put(write)
        try:
            return await write.done
        finally:
            self._room.release()

    async def query(
        self, sql: str, params: Sequence[Any] = (), interactive: bool = False
    ) -> list[sqlite3.Row]:
        """Run a read on a reader connection (it never waits for the writer in WAL
        mode); `interactive` reads go to their own, beside the background's."""
        if self._reader is None:
            raise StoreError(f"{self.path}: the store is not open")
        reader = await self._interactive_reader() if interactive else self._reader
        async with reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _interactive_reader(self) -> aiosqlite.Connection:
        if self._interactive is None:
            try:
                connection = await aiosqlite.connect(self.path, isolation_level=None)
                await connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            except (sqlite3.DatabaseError, OSError) as exc:
                raise StoreError(f"{self.path}: cannot open a reader: {exc}") from None
            if self._interactive is None:
                self._interactive = connection
            else:  # another read opened it meanwhile
                await connection.close()
        return self._interactive

    # -- the writer thread --------------------------------------------------------------

    def _connect_and_migrate(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _write_forever(self, connection: sqlite3.Connection) -> None:
        stopping = False
        try:
            while not stopping:
                batch: list[Write] = []
                first = self._queue.get()
                if first is None:
                    stopping = True
                else:
                    batch.append(first)
                while len(batch) < self._batch_size:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stopping = True
                        continue
                    batch.append(item)
                if batch:
                    self._commit(connection, batch)
        finally:
            connection.close()
            assert self._loop is not None and self._stopped is not None
            self._loop.call_soon_threadsafe(_settle, self._stopped, None, None)

    def _commit(self, connection: sqlite3.Connection, batch: list[Write]) -> None:
        results: list[Any] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for write in batch:
                for sql, rows in write.statements:
                    connection.executemany(sql, rows)
                results.append(write.apply(connection) if write.apply is not None else None)
            connection.execute("COMMIT")
        except Exception as exc:  # a bad write must not stop the writer
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            if len(batch) > 1:  # isolate the bad write so the others still land
                for write in batch:
                    self._commit(connection, [write])
                return
            self._resolve(batch, [], StoreError(f"{self.path}: write failed: {exc}"))
            return
        self._resolve(batch, results, None)

    def _resolve(self, batch: list[Write], results: list[Any], error: Exception | None) -> None:
        assert self._loop is not None

        def settle_all() -> None:
            if error is None:
                self.version += 1
            for index, write in enumerate(batch):
                if write.done is not None:
                    _settle(write.done, error, results[index] if error is None else None)

        self._loop.call_soon_threadsafe(settle_all)

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Apply missing migrations, each in its own transaction; safe with a second process."""
        while True:
            connection.execute("BEGIN IMMEDIATE")
            try:
                current = int(connection.execute("PRAGMA user_version").fetchone()[0])
                if current > len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path}: database schema {current} is newer than this devkit-tui "
                        f"knows ({len(MIGRATIONS)}); upgrade devkit-tui or choose another --db"
                    )
                if current == len(MIGRATIONS):
                    connection.execute("COMMIT")
                    return
                for statement in _statements(MIGRATIONS[current]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {current + 1}")
                connection.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise

    async def _close_reader(self) -> None:
        for reader in (self._reader, self._interactive):
            if reader is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await reader.close()
        self._reader = self._interactive = None


def _settle(future: asyncio.Future[Any], error: Exception | None, result: Any) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]
