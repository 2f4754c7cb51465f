"""The store's errors, apart from the store: the CLI names them for every command, and
importing the store itself (aiosqlite, asyncio) would cost each one start-up time."""


class StoreError(Exception):
    """The database cannot be used (newer schema, not a database, unwritable)."""


class StoreBusy(StoreError):
    """The writer's queue is full; try again shortly (the receiver answers 503)."""
