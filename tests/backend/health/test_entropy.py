"""Health and entropy: the formula at its level boundaries, each drift indicator from
a workspace built to show it, scores stored over time, and `devkit-tui entropy`."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from backend.health.entropy import entropy_score, level_of
from backend.service import Backend
from backend.settings import Settings
from backend.telemetry import names
from backend.telemetry.model import SpanRecord
from tests.helpers import REPOSITORY, add_dist, make_venv, site_packages, span_records

UV = [sys.executable, "-m", "uv"]


@pytest.mark.parametrize(
    ("health", "drift", "errors", "score", "level"),
    [
        (1.0, 0, 0, 0.0, "LOW"),
        (0.25, 0, 0, 0.3, "MEDIUM"),  # 0.4 * 0.75
        (1.0, 3, 5, 0.33, "MEDIUM"),  # 0.3 * 3/5 + 0.3 * 5/10
        (0.5, 5, 10, 0.8, "CRITICAL"),  # 0.2 + 0.3 + 0.3
        (1.0, 9, 40, 0.6, "HIGH"),  # both terms saturate at 0.3
        (0.0, 0, 0, 0.4, "MEDIUM"),
    ],
)
def test_formula_and_levels(
    health: float, drift: int, errors: int, score: float, level: str
) -> None:
    value = entropy_score(health, drift, errors)
    assert value == pytest.approx(score)
    assert level_of(round(value, 10)) == level


def test_level_boundaries() -> None:
    assert [level_of(x) for x in (0.2999, 0.3, 0.5999, 0.6, 0.7999, 0.8, 1.0)] == [
        "LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH", "CRITICAL", "CRITICAL",
    ]  # fmt: skip


def spans(service: str, durations: list[float], errors: set[int]) -> list[SpanRecord]:
    """Ten a minute, as a service's request handling."""
    return span_records("handle request", durations, service=service, errors=errors, kind=2)


async def reports(root: Path, db: Path, extra: list[SpanRecord] = ()):  # type: ignore[no-untyped-def, assignment]
    backend = Backend(Settings(roots=[root], db_path=db, watch=False, trace_self=False))
    await backend.start(scan=False)
    await backend.ready()
    try:
        await backend.spans.add(list(extra))
        await backend.scan()
        return {r.project: r for r in await backend.entropy()}, backend
    finally:
        await backend.stop()


async def test_each_drift_indicator_from_the_demo(demo_workspace: Path, tmp_path: Path) -> None:
    steady = [20.0 + (i % 5) for i in range(150)]
    shifted = steady[:100] + [60.0 + (i % 5) for i in range(50)]  # slower since span 100
    errors = set(range(0, 100, 20)) | set(range(130, 150))  # the error rate jumps late
    found, _ = await reports(
        demo_workspace,
        tmp_path / "db.sqlite3",
        spans("api-service", shifted, errors) + spans("platform-cli", steady, set()),
    )
    kinds = {name: {i.kind for i in r.indicators} for name, r in found.items()}
    assert "lock-drift" in kinds["data-pipeline"]
    assert "dependency-conflict" in kinds["data-pipeline"]
    assert "environment-drift" in kinds["api-service"]
    assert "version-drift" in kinds["api-service"]
    assert "performance-drift" in kinds["api-service"]
    assert "error-rate-drift" in kinds["api-service"]
    assert "semantic-drift" not in set().union(*kinds.values())  # until the Weaver issue
    assert kinds["platform-cli"] & {"performance-drift", "error-rate-drift"} == set()
    api = found["api-service"]
    assert api.success_rate == pytest.approx(1 - 25 / 150)
    base = sum(map(ord, "handle request")) * 100_000 + 1

    def index_of(trace_id: str) -> int:  # span_records numbers its traces
        return int(trace_id, 16) - base

    by_kind = {i.kind: i for i in api.indicators}
    slow = by_kind["performance-drift"].traces
    assert 1 <= len(slow) <= 5 and all(index_of(t.trace_id) >= 100 for t in slow)
    assert all(t.span_id == f"{index_of(t.trace_id) + 1:016x}" for t in slow)
    assert slow[0].label.startswith("handle request: rule ")
    failing = by_kind["error-rate-drift"].traces
    high = [t for t in failing if not t.label.endswith(" 0%")]  # a bucket with errors in it
    assert high and all(index_of(t.trace_id) in errors for t in high)  # shows a failed span
    assert not by_kind["version-drift"].traces
    lock = next(i for i in found["data-pipeline"].indicators if i.kind == "lock-drift")
    assert lock.evidence == ("numpy: pyproject.toml says >=2.3, uv.lock recorded >=2.1",)
    assert found["broken-service"].validation_errors == 1


def test_lock_drift_agrees_with_uv_lock_check(demo_workspace: Path) -> None:
    """`uv lock --check --offline` accepts the lock our check finds in sync, and
    refuses the one it finds out of date."""

    def uv_check(folder: Path) -> int:
        return subprocess.run(
            [*UV, "lock", "--check", "--offline"], cwd=folder, capture_output=True, timeout=120
        ).returncode

    assert uv_check(demo_workspace / "api-service") == 0
    assert uv_check(demo_workspace / "data-pipeline") != 0


async def test_scores_are_stored_when_they_move(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    await reports(demo_workspace, db)
    await reports(demo_workspace, db)  # nothing moved: nothing new
    (demo_workspace / "legacy-scripts" / "requirements.txt").write_text("requests==\n")
    await reports(demo_workspace, db)
    import sqlite3

    connection = sqlite3.connect(db)
    rows = connection.execute(
        "SELECT project, COUNT(*) FROM entropy_scores GROUP BY project"
    ).fetchall()
    connection.close()
    counts = dict(rows)
    assert counts["legacy-scripts"] == 2 and counts["api-service"] == 1


def chaos_project(root: Path) -> Path:
    project = root / "chaos"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "chaos"\nversion = "1"\ndependencies = ["alpha==1.0", "beta"]\n'
    )
    (project / "requirements.txt").write_text("".join(f"bad line {i} ===\n" for i in range(10)))
    venv = make_venv(project / ".venv", {})
    add_dist(site_packages(venv), "alpha", "2.0")
    return project


async def test_cli_exit_code_and_json(tmp_path: Path) -> None:
    root = tmp_path / "work"
    chaos_project(root)
    db = tmp_path / "db.sqlite3"
    backend = Backend(Settings(roots=[root], db_path=db, watch=False, trace_self=False))
    await backend.start(scan=False)
    await backend.ready()
    await backend.spans.add(spans("chaos", [10.0] * 20, set(range(20))))
    await backend.stop()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "entropy", str(root), "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
    )
    document = json.loads(result.stdout)
    assert document["schema"] == "devkit.entropy/1"
    chaos = document["projects"][0]
    assert chaos["project"] == "chaos" and chaos["level"] in ("HIGH", "CRITICAL")
    assert result.returncode == 1
    assert {"health", "indicators", "validation_errors", "score", "level"} <= set(chaos)
    assert chaos["validation_errors"] >= 10
    assert chaos["components"]["success_rate"] == 0.0


@pytest.mark.parametrize("name", ["pallets__flask", "0b01001001__spectree", "Textualize__textual"])
async def test_real_locks_in_sync_agree_with_uv(
    shared_projects: Path, tmp_path: Path, name: str
) -> None:
    """On real projects whose locks uv can check offline, uv and we agree: in sync."""
    import shutil

    project = tmp_path / name
    shutil.copytree(shared_projects / name, project)
    check = subprocess.run(
        [*UV, "lock", "--check", "--offline"], cwd=project, capture_output=True, timeout=120
    )
    assert check.returncode == 0, check.stderr
    found, _ = await reports(project, tmp_path / "db.sqlite3")
    assert found and all("lock-drift" not in {i.kind for i in r.indicators} for r in found.values())


def test_lock_drift_leaves_out_what_pyproject_cannot_say() -> None:
    from backend.health.drift import lock_drift
    from backend.parsers.records import Declaration, LockedPackage

    node = LockedPackage(
        "app",
        "1",
        "editable",
        local=True,
        specifiers={"core": "", "tool": "", "httpx": ">=0.27", "dev:pytest": ">=8"},
        recorded={"core": [None], "tool": [None], "httpx": [">=0.27"], "dev:pytest": [">=8"]},
    )
    declared = [
        Declaration("core", ">=1.0", "main", "pyproject.toml"),  # a workspace member
        Declaration("tool", "", "main", "pyproject.toml", url="git+https://x/tool"),
        Declaration("httpx", ">=0.28", "main", "pyproject.toml"),
        Declaration("pytest", ">=8", "group:dev", "pyproject.toml"),
    ]
    assert lock_drift(declared, node, local={"core"}) == [
        "httpx: pyproject.toml says >=0.28, uv.lock recorded >=0.27"
    ]
    assert lock_drift(declared, node, local={"core"}, dynamic={"dependencies"}) == []
    assert lock_drift(declared[:2], node, local={"core"}) == [
        "dev:pytest is in uv.lock but no longer declared",
        "httpx is in uv.lock but no longer declared",
    ]


async def test_semantic_drift_from_the_live_check(demo_workspace: Path, tmp_path: Path) -> None:
    """api-service has its own registry; its spans carry an attribute the registry
    does not define (and service.name, which it neither defines nor imports), and
    one misses a required attribute."""
    records = spans("api-service", [10.0] * 3, set())
    for record in records:
        record.attributes.update({"api.route": "/orders", "api.secret": "x"})
    records[0].attributes.pop("api.route")
    records = [SpanRecord(**{**vars_of(r), "name": "api.request"}) for r in records]
    backend = Backend(
        Settings(
            roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False, trace_self=False
        )
    )
    await backend.start(scan=False)
    await backend.ready()
    try:
        await backend.spans.add(records)
        await backend.scan()
        report = await backend.check_report()
        found = {r.project: r for r in await backend.entropy()}
    finally:
        await backend.stop()
    assert report.service_violations["api-service"] == 7  # 3 x 2 missing + 1 required
    api = found["api-service"]
    semantic = next(i for i in api.indicators if i.kind == "semantic-drift")
    assert semantic.evidence == ("6 x missing_attribute", "1 x required_attribute_not_present")
    stored = {(r.trace_id.hex(), r.span_id.hex()) for r in records}
    assert semantic.traces and {(t.trace_id, t.span_id) for t in semantic.traces} <= stored
    assert any("api.request" in t.label for t in semantic.traces)
    assert api.validation_errors == 7


def vars_of(record: SpanRecord) -> dict:  # type: ignore[type-arg]
    return {field: getattr(record, field) for field in record.__dataclass_fields__}


async def test_devkits_own_reads_are_not_the_projects_health(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """devkit timing its reads of a project's files (slower since read 100, failing
    often) says nothing about the project: no drift, success rate untouched."""
    steady = [20.0 + (i % 5) for i in range(150)]
    shifted = steady[:100] + [60.0 + (i % 5) for i in range(50)]
    reads = [
        replace(span, attributes={names.PROJECT_NAME: "api-service"})
        for span in span_records(
            names.PROJECT_READ, shifted, service=names.SERVICE, errors=set(range(100, 150))
        )
    ]
    found, _ = await reports(demo_workspace, tmp_path / "db.sqlite3", reads)
    api = found["api-service"]
    kinds = {i.kind for i in api.indicators}
    assert kinds & {"performance-drift", "error-rate-drift"} == set()
    assert api.success_rate == 1.0


def test_a_vulnerable_dependency_is_an_indicator() -> None:
    from pathlib import Path

    from backend.health.entropy import SpanHealth, assess
    from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage

    usage = Usage("api", [], ["3.4"], None, True, flags={"vulnerable"})
    project = ProjectInfo(Path("/w/api"), "api", "uv", [], None, [])
    inventory = Inventory([Path("/w")], [project], {"idna": PackageRow("idna", [usage], set())})
    report = assess("api", inventory, [], SpanHealth())
    (indicator,) = report.indicators
    assert indicator.kind == "vulnerable-dependency"
    assert indicator.evidence == ("idna has a known vulnerability",)
