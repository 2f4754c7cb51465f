"""Apply a planned batch: units concurrently (bounded), each one snapshotted in the
journal, written, verified, and restored byte for byte when anything fails.

Per unit: the files must still be as the plan read them (else `skipped`); the
journal records them (committed) before the first write; the scratch resolution's
files are written atomically; then `uv lock --check`, `uv sync` when the project
has an environment, and the project's check command. A failure or `cancel` restores
every file and re-syncs the environment to the old lock (`rolled-back`).
"""

from __future__ import annotations

import asyncio
import shlex
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import StatusCode

from backend.audit.entries import PackageChange
from backend.parsers.records import ParseFailure
from backend.setting_names import CONSTRAINTS_FILE
from backend.store.database import Store
from backend.telemetry import names
from backend.telemetry.tracing import trace_id_of
from backend.update import journal
from backend.update.lock_diff import uv_lock_versions
from backend.update.plan import UnitPlan
from backend.update.scratch import resolve_unit
from backend.update.uv_runner import Cancelled, CommandResult, run_command

DEFAULT_CONCURRENCY = 2
Progress = Callable[[UnitPlan, str], None]
RecordAudit = Callable[..., Awaitable[None]]


class VerifyFailed(Exception):
    """A step after the write failed; the unit is rolled back."""

    def __init__(self, message: str, step: str) -> None:
        super().__init__(message)
        self.step = step
        """Which step: `lock-check`, `sync`, `check`."""


@dataclass(slots=True)
class UndoOutcome:
    batch_id: str | None
    restored: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "restored": self.restored, "refused": self.refused}


class Updater:
    """Plans, applies, recovers and undoes updates for one store."""

    def __init__(
        self,
        store: Store,
        record_audit: RecordAudit,
        tracer: trace.Tracer,
        uv: str,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.store = store
        self.record_audit = record_audit
        self.tracer = tracer
        self.uv = uv
        self.concurrency = max(1, concurrency)

    async def resolve(
        self, units: list[UnitPlan], cancel: asyncio.Event | None = None,
        progress: Progress | None = None,
    ) -> None:  # fmt: skip
        """Resolve every unit in its scratch copy, `concurrency` at a time."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(unit: UnitPlan) -> None:
            async with limit:
                if cancel is not None and cancel.is_set():
                    unit.result, unit.error = "skipped", "cancelled before it started"
                    return
                _tell(progress, unit, "resolving")
                with self.tracer.start_as_current_span(names.UPDATE_STEP) as span:
                    span.set_attribute(names.PROJECT_NAME, unit.project)
                    span.set_attribute(names.UPDATE_STEP_NAME, "resolve")
                    await resolve_unit(unit, self.uv, cancel)
                    if unit.result == "failed":
                        unit.failed_step = "resolve"
                        span.set_status(StatusCode.ERROR, unit.error or "")
                        span.set_attribute(names.ERROR_TYPE, "resolution")
                _tell(progress, unit, unit.result)

        with self.tracer.start_as_current_span(names.UPDATE_BATCH) as span:
            span.set_attribute(names.PROJECT_COUNT, len(units))
            span.set_attribute(names.UPDATE_STEP_NAME, "resolve")
            await asyncio.gather(*(one(u) for u in units))

    async def apply(
        self, units: list[UnitPlan], cancel: asyncio.Event | None = None,
        progress: Progress | None = None,
    ) -> str:  # fmt: skip
        """Apply every planned unit; returns the batch id. Units whose resolution
        failed are audited as failed and left untouched."""
        batch_id = uuid.uuid4().hex[:12]
        limit = asyncio.Semaphore(self.concurrency)

        async def one(unit: UnitPlan) -> None:
            async with limit:
                await self._apply_unit(batch_id, unit, cancel, progress)

        with self.tracer.start_as_current_span(names.UPDATE_BATCH) as span:
            span.set_attribute(names.UPDATE_BATCH_ID, batch_id)
            span.set_attribute(names.PROJECT_COUNT, len(units))
            span.set_attribute(names.UPDATE_STEP_NAME, "apply")
            await asyncio.gather(*(one(u) for u in units))
        return batch_id

    async def _apply_unit(
        self, batch_id: str, unit: UnitPlan, cancel: asyncio.Event | None,
        progress: Progress | None,
    ) -> None:  # fmt: skip
        started = time.perf_counter()
        with self.tracer.start_as_current_span(names.UPDATE) as span:
            span.set_attribute(names.PROJECT_NAME, unit.project)
            span.set_attribute(names.PACKAGE_COUNT, len(unit.changes))
            span.set_attribute(names.UPDATE_BATCH_ID, batch_id)
            commands = [] if unit.sync_only else list(unit.commands)  # a sync's is its step
            if unit.result == "planned":
                await self._write_and_verify(batch_id, unit, cancel, progress, commands)
            unit.commands = commands  # the plan's, then every step the apply ran
            span.set_attribute(names.UPDATE_RESULT, unit.result)
            if unit.result not in ("success", "skipped"):
                span.set_status(StatusCode.ERROR, unit.error or unit.result)
                span.set_attribute(names.ERROR_TYPE, unit.result)
            unit.duration_ms = (time.perf_counter() - started) * 1000
            _tell(progress, unit, unit.result)
            await self._audit_unit(batch_id, unit, commands, trace_id_of(span))

    async def _audit_unit(
        self, batch_id: str, unit: UnitPlan, commands: list[str], trace_id: str | None
    ) -> None:
        """One `update` entry per unit: `success`, or `failure` with its error. A unit
        rolled back after a failed step gets a `rollback` entry too, which names the
        step as its cause (so `result:failure` finds every failed update)."""
        details = {
            "batch": batch_id,
            "outcome": unit.result,
            "error": unit.error,
            "folder": str(unit.folder),
            "methods": sorted({c.method for c in unit.changes}),
            "commands": commands,
            "files": sorted(unit.new),
            "lock_diff": unit.lock_diff.as_json(),
        }
        packages = [PackageChange(c.name, c.current, c.target) for c in unit.changes]
        if not packages:  # a plan of files (constraints): the packages its lock moved
            packages = [PackageChange(n, old, new)
                        for n, (old, new) in sorted(unit.lock_diff.changed.items())]  # fmt: skip
        if unit.constraints:
            details["constraints"] = unit.constraints
        details.update(unit.details)
        common = {"project": unit.project, "packages": packages, "trace_id": trace_id}
        await self.record_audit(
            unit.action,
            details=details if unit.failed_step is None else {**details, "step": unit.failed_step},
            result="success" if unit.result == "success" else "failure",
            duration_ms=unit.duration_ms,
            **common,
        )
        if unit.result == "rolled-back":
            await self.record_audit(
                "rollback", details={**details, "cause": unit.failed_step}, **common
            )

    async def _write_and_verify(
        self, batch_id: str, unit: UnitPlan, cancel: asyncio.Event | None,
        progress: Progress | None, commands: list[str],
    ) -> None:  # fmt: skip
        if cancel is not None and cancel.is_set():
            unit.result, unit.error = "skipped", "cancelled before it started"
            return
        _tell(progress, unit, "checking files")
        for rel, base in unit.base.items():
            if journal.read_bytes(unit.folder / rel) != base:
                unit.result = "skipped"
                unit.error = f"{rel} changed on disk after the plan was made; not touched"
                return
        if unit.sync_only:  # no file to write: the environment to bring in line
            try:
                await self._verify(unit, cancel, progress, commands)
            except (VerifyFailed, Cancelled) as exc:
                unit.result, unit.error, unit.failed_step = "failed", str(exc), _failed_step(exc)
                return
            unit.result = "success"
            return
        if not unit.new:
            unit.result, unit.error = "skipped", "the resolution changes no file"
            return
        before = {rel: unit.base[rel] for rel in unit.new}
        entry_id = await journal.open_entry(
            self.store, batch_id, unit.project, unit.folder, _journal_kind(unit), before,
            unit.environment,
        )  # fmt: skip
        try:
            _tell(progress, unit, "writing")
            for rel, data in unit.new.items():
                journal.write_atomically(unit.folder / rel, data)
            await self._verify(unit, cancel, progress, commands)
        except asyncio.CancelledError:  # the program is closing mid-update: undo, then go
            await self._roll_back(unit, before, commands)
            await journal.set_state(self.store, entry_id, "rolled-back")
            unit.result, unit.error = "rolled-back", "interrupted; rolled back"
            unit.failed_step = "interrupted"
            raise
        except (VerifyFailed, Cancelled, OSError, ParseFailure) as exc:
            unit.error = "cancelled; rolled back" if isinstance(exc, Cancelled) else str(exc)
            unit.failed_step = _failed_step(exc)
            _tell(progress, unit, "rolling back")
            await self._roll_back(unit, before, commands)
            await journal.set_state(self.store, entry_id, "rolled-back")
            unit.result = "rolled-back"
            return
        after = {rel: journal.digest(data) for rel, data in unit.new.items()}
        await journal.set_state(self.store, entry_id, "done", after)
        unit.result = "success"

    async def _verify(
        self, unit: UnitPlan, cancel: asyncio.Event | None, progress: Progress | None,
        commands: list[str],
    ) -> None:  # fmt: skip
        if unit.kind == "uv":
            uv_lock_versions(unit.folder / "uv.lock")  # the new lock must parse
            await self._step(
                unit, "lock-check", [self.uv, "lock", "--check"], cancel, progress, commands
            )
            if unit.environment is not None:
                sync = [self.uv, "sync", "--locked"] + ([] if unit.exact else ["--inexact"])
                if unit.workspace:
                    sync.append("--all-packages")
                await self._step(unit, "sync", sync, cancel, progress, commands)
        elif unit.environment is not None:
            files = sorted(r for r in (unit.new or unit.requirements) if installable(r))
            python = ["--python", str(unit.environment)]
            if unit.exact and files:  # one sync of them all: each alone would drop the rest
                install = [self.uv, "pip", "sync", *python, *files]
                await self._step(unit, "sync", install, cancel, progress, commands)
            for rel in files if not unit.exact else []:
                install = [self.uv, "pip", "install", *python, "-r", rel]
                await self._step(unit, "sync", install, cancel, progress, commands)
        if unit.check_command:
            try:
                check = shlex.split(unit.check_command)
            except ValueError as exc:
                raise VerifyFailed(f"update-check {unit.check_command!r}: {exc}", "check") from None
            await self._step(unit, "check", check, cancel, progress, commands)

    async def _step(
        self, unit: UnitPlan, step: str, command: list[str], cancel: asyncio.Event | None,
        progress: Progress | None, commands: list[str],
    ) -> CommandResult:  # fmt: skip
        _tell(progress, unit, step)
        with self.tracer.start_as_current_span(names.UPDATE_STEP) as span:
            span.set_attribute(names.PROJECT_NAME, unit.project)
            span.set_attribute(names.UPDATE_STEP_NAME, step)
            shown = _shown(command, self.uv)
            span.set_attribute(names.UPDATE_COMMAND, shown)
            commands.append(shown)
            result = await run_command(command, unit.folder, cancel)
            if not result.ok:
                span.set_status(StatusCode.ERROR, f"exit {result.returncode}")
                span.set_attribute(names.ERROR_TYPE, str(result.returncode))
                raise VerifyFailed(
                    f"`{shown}` failed (exit {result.returncode}):\n{result.tail()}", step
                )
            return result

    async def _roll_back(
        self, unit: UnitPlan, before: dict[str, bytes | None], commands: list[str]
    ) -> None:
        """Files back byte for byte, then the environment back to the old lock."""
        with self.tracer.start_as_current_span(names.UPDATE_STEP) as span:
            span.set_attribute(names.PROJECT_NAME, unit.project)
            span.set_attribute(names.UPDATE_STEP_NAME, "restore")
            journal.restore(unit.folder, before)
            await self._resync(unit.folder, _journal_kind(unit), unit.environment, list(before),
                               commands)  # fmt: skip

    async def _resync(
        self, folder: Path, kind: str, environment: Path | None, files: list[str],
        commands: list[str],
    ) -> None:  # fmt: skip
        """The environment back in line with the restored files: `kind` is the journal's
        (`uv`, `uv-workspace`, `requirements`)."""
        if environment is None or not environment.exists():
            return
        if kind in ("uv", "uv-workspace"):
            command = [self.uv, "sync", "--frozen", "--inexact"]
            if kind == "uv-workspace":  # every member stays installed
                command.append("--all-packages")
            runs = [command]
        else:
            runs = [[self.uv, "pip", "install", "--python", str(environment), "-r", rel]
                    for rel in files if installable(rel)]  # fmt: skip
        for command in runs:
            result = await run_command(command, folder)
            commands.append(_shown(command, self.uv) + ("" if result.ok else " (failed)"))

    async def recover(self) -> list[journal.JournalEntry]:
        """Restore every unit an interrupted update left half done (its process is
        gone); each one is audited as a rollback."""
        found = [e for e in await journal.entries(self.store, "state = 'applying'")
                 if journal.is_orphaned(e)]  # fmt: skip
        for entry in found:
            commands: list[str] = []
            with self.tracer.start_as_current_span(names.UPDATE_STEP) as span:
                span.set_attribute(names.PROJECT_NAME, entry.project)
                span.set_attribute(names.UPDATE_STEP_NAME, "recover")
                restored = journal.restore(entry.folder, entry.before)
                await self._resync(entry.folder, entry.kind, entry.environment,
                                   list(entry.before), commands)  # fmt: skip
                await journal.set_state(self.store, entry.id, "recovered")
                await self.record_audit(
                    "rollback",
                    project=entry.project,
                    details={
                        "batch": entry.batch_id,
                        "outcome": "recovered",
                        "reason": "the update was interrupted (the process ended mid-update)",
                        "folder": str(entry.folder),
                        "files": restored,
                        "commands": commands,
                    },
                    trace_id=trace_id_of(span),
                )
        return found

    async def undo(self, batch_id: str | None = None) -> UndoOutcome:
        """Revert the newest batch that changed files (or the batch `batch_id`, when it
        did), project by project, where the files are still as that batch left them."""
        if batch_id is None:
            rows = await self.store.query(
                "SELECT batch_id FROM update_journal WHERE state = 'done' ORDER BY id DESC LIMIT 1"
            )
        else:
            rows = await self.store.query(
                "SELECT batch_id FROM update_journal WHERE state = 'done' AND batch_id = ? LIMIT 1",
                (batch_id,),
            )
        if not rows:
            return UndoOutcome(None)
        outcome = UndoOutcome(rows[0][0])
        started = time.perf_counter()
        with self.tracer.start_as_current_span(names.UPDATE_STEP) as span:
            span.set_attribute(names.UPDATE_STEP_NAME, "undo")
            span.set_attribute(names.UPDATE_BATCH_ID, outcome.batch_id or "")
            done = await journal.entries(
                self.store, "batch_id = ? AND state = 'done'", (outcome.batch_id,)
            )
            for entry in done:
                now = {rel: journal.digest(journal.read_bytes(entry.folder / rel))
                       for rel in entry.after}  # fmt: skip
                changed = [rel for rel, d in now.items() if d != entry.after[rel]]
                if changed:
                    outcome.refused[entry.project] = (
                        f"{', '.join(changed)} changed since the update; not touched"
                    )
                    continue
                commands: list[str] = []
                journal.restore(entry.folder, entry.before)
                await self._resync(entry.folder, entry.kind, entry.environment,
                                   list(entry.before), commands)  # fmt: skip
                await journal.set_state(self.store, entry.id, "undone")
                outcome.restored.append(entry.project)
            await self.record_audit(
                "undo",
                details={"batch": outcome.batch_id, **outcome.as_json()},
                result="success"
                if not outcome.refused
                else ("partial" if outcome.restored else "failure"),
                duration_ms=(time.perf_counter() - started) * 1000,
                trace_id=trace_id_of(span),
            )
        return outcome


def installable(rel: str) -> bool:
    """A requirements file an environment is installed from (not the constraints file
    `policy apply` writes, which only limits what the others install)."""
    return Path(rel).name != CONSTRAINTS_FILE


def _journal_kind(unit: UnitPlan) -> str:
    return "uv-workspace" if unit.kind == "uv" and unit.workspace else unit.kind


def _tell(progress: Progress | None, unit: UnitPlan, step: str) -> None:
    if progress is not None:
        progress(unit, step)


def _shown(command: list[str], uv: str) -> str:
    return shlex.join(["uv", *command[1:]] if command[0] == uv else command)


def _failed_step(exc: Exception) -> str:
    """What made a unit roll back, for its audit entries."""
    if isinstance(exc, VerifyFailed):
        return exc.step
    if isinstance(exc, Cancelled):
        return "cancelled"
    return "write" if isinstance(exc, OSError) else "lock-parse"
