"""One timer for every live pane, so a dashboard left open does no work of its own.

Once a second the controller asks each pane for a cheap stamp of what it shows (the
store's version, the span counters): a pane that is on screen, not paused, and whose
stamp moved since its last refresh gets that refresh started; at rest a tick compares a
few numbers and starts nothing. A pane whose freshness cannot be told cheaply (the
Weaver pane reads registry files' times) is given `every` ticks and no stamp: its
refresh runs that often and decides for itself, off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TICK_S = 1.0


@dataclass(slots=True)
class LivePane:
    """A pane that follows the store: its id on the dashboard, how to start its
    refresh, and the stamp that says whether it is due."""

    name: str
    refresh: Callable[[], object]
    stamp: Callable[[], object] | None = None
    """None: due every `every` ticks."""
    every: int = 1


class RefreshController:
    """Starts the refreshes that are due, once per tick."""

    def __init__(
        self,
        panes: list[LivePane],
        visible: Callable[[str], bool],
        paused: Callable[[], bool],
    ) -> None:
        self.panes = panes
        self.ticks = 0
        self.started = 0
        """Refreshes started so far (a dashboard at rest starts none)."""
        self._visible = visible
        self._paused = paused
        self._last: dict[str, object] = {}

    def tick(self) -> None:
        self.ticks += 1
        if self._paused():
            return
        for pane in self.panes:
            if self.ticks % pane.every or not self._visible(pane.name):
                continue
            if pane.stamp is not None:
                stamp = pane.stamp()
                if pane.name in self._last and self._last[pane.name] == stamp:
                    continue
                self._last[pane.name] = stamp
            self.started += 1
            pane.refresh()
