"""What the monitor screen shows, gathered from the app's backend and live charts: the
pulse, the rates, the newest audit entries; the bell on a new alarm and the status in
the terminal's title.

Two refreshes, both started by the app's refresh controller: `refresh` when the store
or the inventory moved (a few small queries), `redraw` when the rate window slid on
(no query at all). A monitor at rest does neither more often than every ten seconds.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from backend.audit.entries import AuditEntry, AuditFilter
from backend.health.pulse import chart_alarms, pulse_of
from backend.safe_text import escape_controls
from backend.store.database import StoreError
from backend.telemetry.arrivals import ArrivalHistory
from screens.monitor import MonitorData, MonitorScreen


class MonitorHost(Protocol):
    """What the feed needs of the app (the app, not imported here: it imports us)."""

    backend: Any
    live_charts: Any
    paused: bool
    reports: list[Any]
    settings: Any
    entropy_at: tuple[int, float]
    is_headless: bool
    _driver: Any

    @property
    def screen(self) -> Any: ...

    def bell(self) -> None: ...

    def refresh_entropy(self) -> Any: ...


AUDIT_LOOKED_AT = 50
"""The newest audit entries the monitor looks at."""
ENTROPY_EVERY_S = 30.0
"""Entropy follows new spans at most this often here (it reads every lock)."""
TITLE_PREFIX = "devkit-tui"


class MonitorFeed:
    def __init__(self, app: MonitorHost) -> None:
        self.app = app
        self.screen = MonitorScreen()
        self.arrivals = ArrivalHistory(app.backend.spans)
        self.audit: list[AuditEntry] = []
        self.bells_rung = 0
        """How often a new alarm rang the bell (tests count it; headless never rings)."""
        self.title = ""
        """The terminal title last written (OSC 2)."""
        self._alarms_seen: set[tuple[str, int]] | None = None
        """Alarms already rung for; None until the first look (no bell for old ones)."""

    @property
    def on_screen(self) -> bool:
        return self.app.screen is self.screen

    def stamp(self) -> tuple[object, ...]:
        backend = self.app.backend
        return (backend.store_version, id(backend.inventory), backend.receiver_url)

    async def refresh(self) -> None:
        """Pull new spans into the charts and the rates, and the newest audit entries."""
        app = self.app
        if app.paused or not self.on_screen:
            return
        try:
            await app.live_charts.refresh()
            await self.arrivals.refresh()
            self.audit = await app.backend.audit_entries(
                AuditFilter(newest_first=True, limit=AUDIT_LOOKED_AT)
            )
        except StoreError:
            pass  # no database: counts from the inventory only, as the notice said
        self.redraw()

    def redraw(self) -> None:
        """Judge and draw from what is held; ring for alarms not seen before."""
        app = self.app
        if app.paused or not self.on_screen:
            return
        now = time.time_ns()
        tracked = app.live_charts.tracked.values()
        alarms = chart_alarms(((t.series, t.own) for t in tracked if t.series), now)
        pulse = pulse_of(app.backend.inventory, alarms, app.reports, self.audit, now)
        spans, errors = self.arrivals.window(now)
        self.screen.show(
            MonitorData(
                pulse=pulse,
                reports=app.reports,
                audit=self.audit,
                spans=spans,
                errors=errors,
                bucket_s=self.arrivals.bucket_ns / 1e9,
                receiver=app.backend.receiver_url,
                now_ns=now,
            )
        )
        self._ring_for_new({(a.series, a.rule) for a in alarms})
        self._set_title(f"{TITLE_PREFIX}: {self.screen.status_text.strip()}")
        self._follow_entropy()

    def _ring_for_new(self, alarms: set[tuple[str, int]]) -> None:
        seen = self._alarms_seen
        self._alarms_seen = alarms | (seen or set())
        if seen is None or not alarms - seen or not self.app.settings.bell:
            return
        self.bells_rung += 1
        self.app.bell()

    def _set_title(self, title: str) -> None:
        """The status in the terminal's title, so a tmux status line can show it."""
        title = escape_controls(title, keep_lines=False)
        if title == self.title:
            return
        self.title = title
        driver = self.app._driver  # as App.bell writes its BEL: Textual has no title API
        if not self.app.is_headless and driver is not None:
            driver.write(f"\x1b]2;{title}\x07")

    def _follow_entropy(self) -> None:
        """New spans move error rates, so entropy follows them, at most every 30 s."""
        version, at = self.app.entropy_at
        if self.app.backend.store_version != version and time.monotonic() - at > ENTROPY_EVERY_S:
            self.app.refresh_entropy()
