"""`devkit-tui policy check`: the demo workspace against a bundle at its root; exit 1 on
an error, 0 when only warnings are left, 2 for a bad or missing bundle; each check
audited as `policy-check`; `--schema` is the bundle's JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPOSITORY


def policy(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "policy", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip


def test_the_demo_against_a_bundle_at_its_root(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    (demo_workspace / "devkit-bundle.toml").write_text(
        '[[deny]]\nname = "requests"\nversions = "<2.32"\nreason = "CVE-2024-35195"\n'
        '[[minimum]]\nname = "urllib3"\nversion = "2.2.2"\nseverity = "warning"\n'
    )
    done = policy("check", str(demo_workspace), "--json", db=db)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "devkit.policy/1"
    assert document["bundle"] == str(demo_workspace / "devkit-bundle.toml")
    required = {"rule", "severity", "project", "package", "found", "wanted"}
    assert all(required <= set(v) for v in document["violations"])
    seen = {(v["rule"], v["project"], v["found"]) for v in document["violations"]}
    assert ("deny:requests", "legacy-scripts", "requests 2.31.0") in seen
    assert ("minimum:urllib3", "legacy-scripts", "urllib3 1.26.20") in seen
    assert all(v["package"] in ("requests", "urllib3") for v in document["violations"])

    warnings_only = tmp_path / "warn.toml"
    warnings_only.write_text('[[deny]]\nname = "requests"\nseverity = "warning"\n')
    assert (
        policy("check", str(demo_workspace), "--bundle", str(warnings_only), db=db).returncode == 0
    )

    audit = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "--action", "policy-check", "--json",
         "--db", str(db)], capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip
    entries = json.loads(audit.stdout)["entries"]
    assert [e["result"] for e in entries] == ["failure", "success"]


def test_a_bad_or_missing_bundle_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "requirements.txt").write_text("idna==3.4\n")
    missing = policy("check", str(tmp_path / "p"), db=db)
    assert missing.returncode == 2 and "no bundle" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[deny]]\nname = "idna"\nversions = "not a specifier"\n')
    done = policy("check", str(tmp_path / "p"), "--bundle", str(bad), db=db)
    assert done.returncode == 2 and f"{bad}:3: deny.0.versions" in done.stderr


def test_schema_names_the_contract_keys(tmp_path: Path) -> None:
    done = policy("--schema", db=tmp_path / "db.sqlite3")
    schema = json.loads(done.stdout)
    assert {"extend", "deny", "allow", "minimum", "licenses", "states", "only"} <= set(
        schema["properties"]
    )
    assert "vulnerable-high" in schema["$defs"]["States"]["properties"]


def test_a_violation_is_an_entropy_indicator(demo_workspace: Path, tmp_path: Path) -> None:
    def legacy_kinds() -> set[str]:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "entropy", str(demo_workspace), "--json",
             "--db", str(tmp_path / "db.sqlite3")],
            capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
        )  # fmt: skip
        (legacy,) = [p for p in json.loads(done.stdout)["projects"]
                     if p["project"] == "legacy-scripts"]  # fmt: skip
        return {i["kind"] for i in legacy["indicators"]}

    assert "policy-violation" not in legacy_kinds()
    (demo_workspace / "devkit-bundle.toml").write_text('[[deny]]\nname = "jinja2"\n')
    assert "policy-violation" in legacy_kinds()


def test_the_configured_bundle_is_used(demo_workspace: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "team.toml"
    bundle.write_text('[[deny]]\nname = "jinja2"\n')
    config = tmp_path / "config.toml"
    config.write_text(f"[policy]\nbundle = '{bundle}'\n")
    done = policy("check", str(demo_workspace), "--config", str(config), "--json",
                  db=tmp_path / "db.sqlite3")  # fmt: skip
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["bundle"] == str(bundle)
    assert {v["rule"] for v in document["violations"]} == {"deny:jinja2"}
