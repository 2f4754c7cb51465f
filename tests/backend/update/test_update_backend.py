"""The update machinery driven in process: cancel mid-batch, a file edited between
plan and apply, and a SIGKILL mid-update restored on the next start."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from backend.events import BackendNotice
from backend.service import Backend
from backend.settings import Settings
from backend.update.plan import Selection, UnitPlan, UpdateRequest
from tests.cli.test_update_cli import locked, snapshot
from tests.helpers import REPOSITORY
from tests.support.local_index import LocalIndex
from tests.support.update_projects import uv_project


async def started(root: Path, db: Path, jobs: int = 2) -> Backend:
    backend = Backend(Settings(roots=[root], db_path=db, watch=False, trace_self=True,
                               update_concurrency=jobs))  # fmt: skip
    await backend.start(scan=False)
    await backend.ready()
    await backend.scan()
    return backend


async def test_cancel_rolls_back_the_running_project_and_skips_the_rest(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    slow = f"{sys.executable} -c 'import time; time.sleep(60)'"
    projects = [
        uv_project(
            tmp_path / "ws" / name,
            local_index,
            ["alpha==1.0.0", "beta==1.0.0"],
            ["alpha>=1,<2"],
            check=slow,
        )
        for name in ("p1", "p2", "p3")
    ]
    files = {p.name: snapshot(p) for p in projects}
    backend = await started(tmp_path / "ws", tmp_path / "db.sqlite3", jobs=1)
    try:
        units, _ = await backend.updates.plan(Selection(requests=[UpdateRequest("alpha")]))
        updater = backend.updates.updater()
        await updater.resolve(units)
        cancel = asyncio.Event()
        steps: list[tuple[str, str]] = []

        def progress(unit: UnitPlan, step: str) -> None:
            steps.append((unit.project, step))
            if step == "check":
                cancel.set()  # while the first project's check command runs

        begun = time.monotonic()
        await updater.apply(units, cancel, progress)
        assert time.monotonic() - begun < 50  # the 60 s check was stopped, not waited for
    finally:
        await backend.stop()
    results = {u.project: u.result for u in units}
    running = steps[[s for _, s in steps].index("check")][0]
    assert results.pop(running) == "rolled-back"
    assert set(results.values()) == {"skipped"}
    assert all("cancelled" in (u.error or "") for u in units)
    for project in projects:
        assert snapshot(project) == files[project.name]


async def test_a_file_edited_after_the_plan_is_not_touched(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app = uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    backend = await started(tmp_path / "ws", tmp_path / "db.sqlite3")
    try:
        units, _ = await backend.updates.plan(Selection(requests=[UpdateRequest("gamma")]))
        updater = backend.updates.updater()
        await updater.resolve(units)
        assert units[0].result == "planned" and units[0].new
        edited = (app / "pyproject.toml").read_text() + "# my edit\n"
        (app / "pyproject.toml").write_text(edited)
        lock = (app / "uv.lock").read_bytes()
        await updater.apply(units)
        rows = await backend.store.query("SELECT count(*) FROM update_journal")
    finally:
        await backend.stop()
    assert units[0].result == "skipped"
    assert "pyproject.toml changed on disk" in (units[0].error or "")
    assert (app / "pyproject.toml").read_text() == edited and (app / "uv.lock").read_bytes() == lock
    assert rows[0][0] == 0  # nothing was journalled: nothing was written


def project_with_a_hanging_check(tmp_path: Path, index: LocalIndex) -> tuple[Path, Path]:
    """A project whose update check writes a marker file, then runs for a minute: the
    marker says the update's files are written and the check is running."""
    marker = tmp_path / "check-started"
    check = f'{sys.executable} -c \'open("{marker}", "w").close(); import time; time.sleep(60)\''
    app = uv_project(tmp_path / "ws" / "app", index, ["alpha==1.0.0", "beta==1.0.0"],
                     ["alpha>=1,<2"], check=check)  # fmt: skip
    return app, marker


async def test_sigkill_mid_update_is_restored_on_the_next_start(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    app, marker = project_with_a_hanging_check(tmp_path, local_index)
    files = snapshot(app)
    db = tmp_path / "db.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "update", "alpha", "--root", str(tmp_path / "ws"),
         "--yes", "--db", str(db)],
        cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None and time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert locked(app, "alpha") == "1.1.0"  # written, and now the process dies
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    backend = Backend(Settings(roots=[tmp_path / "ws"], db_path=db, watch=False))
    events = backend.subscribe()
    await backend.start(scan=False)
    try:
        notice = await asyncio.wait_for(_notice(events), 60)
        entries = await backend.audit_entries()
        states = await backend.store.query("SELECT state FROM update_journal")
    finally:
        await backend.stop()
    assert "restored after an interrupted update: app" in notice.message
    assert snapshot(app) == files
    assert [tuple(r) for r in states] == [("recovered",)]
    recovered = [e for e in entries if e.action == "rollback"]
    assert recovered and recovered[-1].details["outcome"] == "recovered"


async def _notice(events: asyncio.Queue) -> BackendNotice:  # type: ignore[type-arg]
    while True:
        event = await events.get()
        if isinstance(event, BackendNotice):
            return event


async def test_the_plan_asks_the_index_when_the_cache_is_cold(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    backend = await started(tmp_path / "ws", tmp_path / "db.sqlite3")
    try:
        cold, skipped = await backend.updates.plan(
            Selection(pairs=[("gamma", "app")]), offline=True
        )
        assert cold == [] and "newest release known" in skipped[0].reason
        units, _ = await backend.updates.plan(Selection(pairs=[("gamma", "app")]), max_age_s=3600)
    finally:
        await backend.stop()
    assert [(c.name, c.target) for c in units[0].changes] == [("gamma", "1.0.5")]


async def test_closing_mid_update_rolls_back_before_it_goes(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """The dashboard quitting (its worker cancelled) while a check command runs."""
    app, marker = project_with_a_hanging_check(tmp_path, local_index)
    files = snapshot(app)
    backend = await started(tmp_path / "ws", tmp_path / "db.sqlite3")
    try:
        units, _ = await backend.updates.plan(Selection(requests=[UpdateRequest("alpha")]))
        updater = backend.updates.updater()
        await updater.resolve(units)
        task = asyncio.create_task(updater.apply(units))
        while not marker.exists():
            await asyncio.sleep(0.05)
        assert locked(app, "alpha") == "1.1.0"  # written, the check is running
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        states = await backend.store.query("SELECT state FROM update_journal")
    finally:
        await backend.stop()
    assert snapshot(app) == files
    assert [tuple(r) for r in states] == [("rolled-back",)]


async def test_an_unreachable_index_is_named_as_the_reason(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    uv_project(tmp_path / "ws" / "app", local_index, ["gamma==1.0.0"], ["gamma>=1"])
    backend = await started(tmp_path / "ws", tmp_path / "db.sqlite3")
    try:
        units, skipped = await backend.updates.plan(
            Selection(pairs=[("gamma", "app")]), explicit_index="http://127.0.0.1:9/simple"
        )
    finally:
        await backend.stop()
    assert units == [] and "the index was not reachable" in skipped[0].reason
