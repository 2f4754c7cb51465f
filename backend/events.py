"""Events the backend publishes; the TUI turns them into Textual messages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.inventory.model import Inventory


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """A full scan read project `done` of `total`."""

    done: int
    total: int
    path: Path


@dataclass(frozen=True, slots=True)
class InventoryUpdated:
    """A new inventory is ready; `changed` names the projects that were re-read."""

    inventory: Inventory
    changed: tuple[str, ...]
    reason: str
    trigger_ns: int | None = None
    """When the file change that caused this update was seen (for latency figures)."""


@dataclass(frozen=True, slots=True)
class BackendProblem:
    """Something went wrong in the background; the backend carries on."""

    message: str


@dataclass(frozen=True, slots=True)
class BackendNotice:
    """Something the user should know that is not a problem (an interrupted update
    was restored on start, say)."""

    message: str


@dataclass(frozen=True, slots=True)
class PolicyChanged:
    """A policy bundle file at a root changed (the projects did not): check again."""

    path: Path


Event = ScanProgress | InventoryUpdated | BackendProblem | BackendNotice | PolicyChanged


class EventBus:
    """Fans events out to every subscriber's queue."""

    def __init__(self) -> None:
        self._queues: list[asyncio.Queue[Event]] = []

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues.append(queue)
        return queue

    def publish(self, event: Event) -> None:
        for queue in self._queues:
            queue.put_nowait(event)
