"""`check --format weaver-json` writes Weaver's diagnostics shape, and the reader for the
real Weaver's output understands it, Weaver's own error files, and older shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from backend.weaver.check import check_registry
from backend.weaver.weaver_json import from_weaver_json, to_weaver_json
from tests.backend.weaver.test_codegen_registry import codegen  # noqa: F401  (fixture)
from tests.helpers import REPOSITORY


def key(finding):  # type: ignore[no-untyped-def]
    return (finding.id, finding.level, finding.group, finding.attribute, finding.file)


def test_round_trip_of_the_codegen_findings(codegen: Path) -> None:  # noqa: F811
    findings = check_registry(codegen).findings
    document = to_weaver_json(findings)
    assert len(document) == 31
    assert all(set(d) == {"error", "diagnostic"} for d in document)
    policy = next(d for d in document if "type" in d["error"])
    assert policy["error"]["type"] == "policy_violation"
    assert set(policy["error"]["violation"]) >= {"id", "message", "level", "context"}
    severities = {d["diagnostic"]["severity"] for d in document}
    assert severities == {"error", "warning"}
    back = from_weaver_json(json.loads(json.dumps(document)))
    assert sorted(map(key, back)) == sorted(map(key, findings))


def test_weaver_error_files_and_older_violation_shapes(shared_projects: Path) -> None:
    cases = shared_projects.parent / "weaver-cases/crates/weaver_resolver/data"
    error = json.loads((cases / "registry-test-16-attr-conflict/expected-errors.json").read_text())
    diagnostics = [
        {"error": error, "diagnostic": {"message": "duplicate attribute", "severity": "error"}},
        {
            "error": {
                "type": "policy_violation",
                "provenance": "registry/http.yaml",
                "violation": {"type": "semconv_attribute", "id": "invalid_http_attr",
                              "category": "attribute", "group": "registry.http",
                              "attr": "http.request.method"},
            },
            "diagnostic": {"message": "id=invalid_http_attr", "severity": "error"},
        },
        {
            "error": {"type": "policy_violation", "provenance": "live",
                      "violation": {"advice_type": "deprecated", "advice_level": "improvement",
                                    "message": "x is deprecated", "value": {},
                                    "signal_type": "span", "signal_name": "GET"}},
            "diagnostic": {"message": "x is deprecated", "severity": "warning"},
        },
        {"error": {"type": "something_new"},
         "diagnostic": {"message": "new", "severity": "advice"}},
    ]  # fmt: skip
    found = from_weaver_json(diagnostics)
    assert [(f.id, f.level) for f in found] == [
        ("DuplicateAttributeId", "violation"),
        ("invalid_http_attr", "violation"),
        ("deprecated", "improvement"),
        ("something_new", "information"),
    ]
    assert found[0].attribute == "test.attr.one"
    assert found[0].group == "test.attr.group.one.internal"
    assert (found[1].group, found[1].attribute) == ("registry.http", "http.request.method")
    assert (found[2].signal_type, found[2].signal_name) == ("span", "GET")


def run_check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "check", *args],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_cli_weaver_json_and_engine_choice(codegen: Path, tmp_path: Path) -> None:  # noqa: F811
    db = str(tmp_path / "db.sqlite3")
    env = {k: v for k, v in os.environ.items() if k != "DEVKIT_WEAVER"}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p)
    done = run_check("--registry", str(codegen), "--format", "weaver-json", "--db", db, env=env)
    assert done.returncode == 1  # violations
    assert len(json.loads(done.stdout)) == 31
    both = run_check("--registry", str(codegen), "--json", "--format", "weaver-json", env=env)
    assert both.returncode == 2
    # A Weaver that cannot run: auto falls back to devkit's checker and says so;
    # --engine weaver is an input error.
    env["DEVKIT_WEAVER"] = str(tmp_path / "no-such-weaver")
    auto = run_check("--registry", str(codegen), "--json", "--db", db, env=env)
    assert json.loads(auto.stdout)["engine"] == "devkit" and "using devkit's checker" in auto.stderr
    forced = run_check("--registry", str(codegen), "--engine", "weaver", "--db", db, env=env)
    assert forced.returncode == 2 and "no-such-weaver" in forced.stderr


async def test_findings_are_stored_row_by_row(codegen: Path, tmp_path: Path) -> None:  # noqa: F811
    from backend.store.database import Store
    from backend.weaver.stored import latest_findings

    db = tmp_path / "db.sqlite3"
    assert (
        run_check("--registry", str(codegen), "--engine", "devkit", "--db", str(db)).returncode == 1
    )
    clean = run_check("--engine", "devkit", "--db", str(db))  # devkit's own registry
    assert clean.returncode == 0
    store = Store(db)
    await store.open()
    try:
        newest_ns, newest = await latest_findings(store)
        runs = await store.query("SELECT check_ns, finding_count FROM check_runs ORDER BY check_ns")
        counts = await store.query("SELECT check_ns, count(*) FROM check_findings GROUP BY 1")
    finally:
        await store.close()
    assert [r[1] for r in runs] == [31, 2] and newest_ns == runs[-1][0]
    assert {f.id for f in newest} == {"unverified_dependency_ref"}  # information only
    assert dict((r[0], r[1]) for r in counts)[runs[0][0]] == 31
