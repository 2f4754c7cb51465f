"""The workspace check as the dashboard runs it: a re-check that found what the last
one found shares its findings and adds no audit entry; a changed result is stored and
audited; `devkit-tui check` is audited every time."""

from __future__ import annotations

from pathlib import Path

from backend.audit.entries import AuditFilter
from backend.service import Backend
from backend.settings import Settings
from backend.weaver.stored import latest_findings
from tests.support.registries import write_registry

BROKEN = """\
groups:
  - id: span.shop.order
    type: span
    span_kind: server
    stability: development
    brief: An order.
    attributes:
      - ref: shop.missing
"""


async def _runs(backend: Backend) -> tuple[list[tuple[int, int]], int]:
    store = backend._store  # the rows themselves are tested
    runs = await store.query("SELECT check_ns, findings_ns FROM check_runs ORDER BY check_ns")
    rows = await store.query("SELECT count(*) FROM check_findings")
    return [(r[0], r[1]) for r in runs], rows[0][0]


async def test_an_unchanged_recheck_is_stored_once_and_not_audited(tmp_path: Path) -> None:
    project = tmp_path / "ws" / "shop"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1"\n')
    registry = write_registry(project / "model", BROKEN)
    settings = Settings(
        roots=[tmp_path / "ws"], db_path=tmp_path / "db.sqlite3", watch=False, trace_self=False
    )
    async with Backend(settings) as backend:
        await backend.scan()
        first = await backend.check_report()
        assert first.findings, "the broken registry must give findings"
        runs, rows = await _runs(backend)
        assert len(runs) == 1 and rows == len(first.findings)

        second = await backend.check_report()
        assert [f.message for f in second.findings] == [f.message for f in first.findings]
        runs, rows = await _runs(backend)
        assert len(runs) == 2 and runs[1][1] == runs[0][0]  # points at the first run's rows
        assert rows == len(first.findings)
        _, shared = await latest_findings(backend._store)
        assert [f.message for f in shared] == [f.message for f in first.findings]
        checks = await backend.audit_entries(AuditFilter(action="check"))
        assert len(checks) == 1

        (registry / "model.yaml").write_text(BROKEN.replace("shop.missing", "shop.other"))
        changed = await backend.check_report()
        runs, _ = await _runs(backend)
        assert len(runs) == 3 and runs[2][1] == runs[2][0]  # its own rows
        assert len(await backend.audit_entries(AuditFilter(action="check"))) == 2
        assert any("shop.other" in f.message for f in changed.findings)
