"""The refresh controller starts a pane's refresh only when it is on screen, not
paused, and its stamp moved (or every N ticks for a pane without a stamp)."""

from __future__ import annotations

from app.refresh import LivePane, RefreshController


def test_refreshes_start_only_when_due() -> None:
    started: list[str] = []
    version = [0]
    visible = {"audit": True, "weaver": True, "spans": False}
    paused = [False]
    controller = RefreshController(
        [
            LivePane("audit", lambda: started.append("audit"), lambda: version[0]),
            LivePane("spans", lambda: started.append("spans"), lambda: version[0]),
            LivePane("weaver", lambda: started.append("weaver"), every=3),
        ],
        visible=visible.__getitem__,
        paused=lambda: paused[0],
    )
    for _ in range(6):
        controller.tick()
    assert started == ["audit", "weaver", "weaver"]  # the first look, then every 3rd tick
    version[0] += 1
    paused[0] = True
    controller.tick()
    assert started == ["audit", "weaver", "weaver"]  # paused: nothing
    paused[0] = False
    controller.tick()
    assert started[-1] == "audit" and controller.started == 4
    visible["spans"] = True
    controller.tick()
    assert started.count("spans") == 1  # shown now: its first look
