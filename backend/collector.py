"""The cyclic garbage collector: paused for bursts of allocation that make no garbage,
and, in the dashboard, kept to quiet moments.

Building a 10,000-package inventory, pickling it to the dashboard and filling its
table each create hundreds of thousands of containers. Every so many, CPython runs a
collection, and the oldest generation's walks every object alive: half the time of
such a burst went there (loading the pickled inventory: 0.4-0.56 s, paused 0.08 s;
building it: 0.31-0.37 s, paused 0.2 s). Nothing these bursts make is cyclic garbage,
and the collector runs again once they are done.

The dashboard holds 100,000-150,000 live containers once its panes are loaded (Textual's
strip caches, the charts' samples, the Weaver findings), and a full collection walks
them all: 25-65 ms, several times while a trace or the Weaver check loads, which was
most of those keys' event-loop lag. `SettledCollector` freezes what has survived to
a quiet moment, so later collections walk only what is young.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_frozen_at_start = False


def freeze_startup_objects() -> None:
    """Everything made so far (imported modules, classes, their caches) lives as
    long as the process: leave it out of every later collection's walk. No collection
    first: it would cost the start-up more than the little garbage imports leave."""
    global _frozen_at_start
    gc.freeze()
    _frozen_at_start = True


def frozen_at_start() -> bool:
    """Whether this process froze its start-up (the dashboard does; tests do not)."""
    return _frozen_at_start


class SettledCollector:
    """Full collections moved to quiet moments, and what survives them frozen.

    `settle()` thaws the frozen objects, collects everything once (garbage among them
    is reclaimed too) and freezes what is left: CPython's own collections then walk
    only what was made since. It is due after as many collections of the middle
    generation as CPython lets pass before it walks everything itself (ten), so a
    dashboard at rest, which makes next to nothing, never settles again.
    """

    def __init__(self, enabled: bool, every: int | None = None) -> None:
        self.enabled = enabled
        self.every = gc.get_threshold()[2] if every is None else every
        self.settled = 0
        """How many times it settled (tests and benchmarks read it)."""
        self._since: int | None = None
        """The middle generation's collections at the last settle (None: never)."""

    def due(self) -> bool:
        if not self.enabled:
            return False
        return self._since is None or _middle_collections() - self._since >= self.every

    def settle(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._since = _middle_collections()
        self.settled += 1


def _middle_collections() -> int:
    return int(gc.get_stats()[1]["collections"])
