"""`devkit-tui vulns`: never a false all-clear. With nothing imported every package is
not audited (exit 1, saying why); after an import the demo's old idna is vulnerable
with its fix; `--allow-unaudited` and local sources do not hide a finding; each run
is audited."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.backend.security.test_matching import SHARED
from tests.helpers import REPOSITORY
from tests.support.local_index import LocalIndex
from tests.support.osv_server import OsvService, serve_osv


def vulns(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "vulns", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip


def test_nothing_imported_is_not_audited_and_exits_1(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    done = vulns(str(demo_workspace), "--json", db=db)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert document["schema"] == "devkit.vulns/1" and document["database"]["records"] == 0
    states = {p["state"] for p in document["packages"]}
    assert states <= {"not-audited", "local"} and "not-audited" in states
    assert all(p["reason"] for p in document["packages"] if p["state"] == "not-audited")
    assert vulns(str(demo_workspace), "--allow-unaudited", db=db).returncode == 0
    text = vulns(str(demo_workspace), db=db)
    assert "not audited: no advisory database imported" in text.stderr


def test_after_an_import_findings_carry_their_fix(demo_workspace: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    imported = vulns("--import", str(SHARED / "vulns"), "--json", db=db)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["database"]["records"] == 335
    assert "packages" not in json.loads(imported.stdout)  # --import alone only imports

    done = vulns(str(demo_workspace), "--json", db=db)
    assert done.returncode == 1
    packages = json.loads(done.stdout)["packages"]
    required = {"name", "version", "project", "state", "findings", "fix"}
    assert all(required <= set(p) for p in packages)
    (idna,) = [p for p in packages if p["state"] == "vulnerable"]
    assert (idna["name"], idna["version"], idna["fix"]) == ("idna", "3.4", "3.7")
    (finding,) = idna["findings"]
    assert finding["ids"] == ["PYSEC-2024-60"] and finding["fixed"] == "3.7"
    assert {"ids", "aliases", "severity", "score", "summary", "fixed"} <= set(finding)
    assert vulns(str(demo_workspace), "--allow-unaudited", db=db).returncode == 1  # still

    audit = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "--action", "vulns", "--json", "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip
    entries = json.loads(audit.stdout)["entries"]
    assert len(entries) == 2 and entries[0]["result"] == "failure"
    assert entries[0]["packages"] == [{"name": "idna", "from": "3.4", "to": "3.7"}]


def test_an_export_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    (tmp_path / "not.zip").write_text("plain text")
    done = vulns("--import", str(tmp_path / "not.zip"), db=tmp_path / "db.sqlite3")
    assert done.returncode == 2 and "neither a folder of OSV records nor a zip" in done.stderr
    missing = vulns("--import", str(tmp_path / "nope"), db=tmp_path / "db.sqlite3")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_fix_vulns_updates_each_vulnerable_package_to_its_fix(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    """alpha 1.0.0 is affected until 1.1.0: `update --fix-vulns` moves it there (not to
    2.0.0, not in the project that is already past it); gamma has no fixed release."""
    from tests.support.update_projects import uv, uv_project

    ws = tmp_path / "ws"
    app = uv_project(
        ws / "app", local_index, ["alpha==1.0.0", "gamma==1.0.0"], ["alpha>=1", "gamma>=1"]
    )
    uv_project(ws / "other", local_index, ["alpha==1.1.0"], ["alpha>=1"])
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    for id_, name, events in [
        ("TEST-1", "alpha", [{"introduced": "0"}, {"fixed": "1.1.0"}]),
        ("TEST-2", "gamma", [{"introduced": "0"}]),
    ]:
        record = {"id": id_, "modified": "2024-01-01T00:00:00Z", "affected": [
            {"package": {"ecosystem": "PyPI", "name": name},
             "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}  # fmt: skip
        (advisories / f"{id_}.json").write_text(json.dumps(record))
    db = tmp_path / "db.sqlite3"
    assert vulns("--import", str(advisories), db=db).returncode == 0

    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "update", "--fix-vulns", "--root", str(ws), "--yes",
         "--json", "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    (project,) = document["projects"]
    assert project["project"] == "app" and project["result"] == "success"
    assert [(c["name"], c["from"], c["to"]) for c in project["changes"]] == [
        ("alpha", "1.0.0", "1.1.0")
    ]
    assert [(s["name"], s["reason"]) for s in document["skipped"]] == [
        ("gamma", "no release fixes TEST-2")
    ]
    uv("lock", "--check", cwd=app)
    after = json.loads(vulns(str(ws), "--json", db=db).stdout)["packages"]
    assert {(p["name"], p["project"]) for p in after if p["state"] == "vulnerable"} == {
        ("gamma", "app")
    }


def osv_service() -> OsvService:
    text = (SHARED / "vulns" / "idna" / "PYSEC-2024-60.yaml").read_text()
    record = json.loads(json.dumps(yaml.safe_load(text), default=str))  # as OSV's JSON
    return OsvService({("idna", "3.4"): ["PYSEC-2024-60"]}, {"PYSEC-2024-60": record})


def test_online_asks_osv_for_what_nothing_imported_covers(
    demo_workspace: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    with serve_osv(osv_service()) as service:
        done = vulns(str(demo_workspace), "--osv-url", service.url, "--json", db=db)
        assert done.returncode == 1, done.stderr  # idna is vulnerable
        document = json.loads(done.stdout)
        (idna,) = [p for p in document["packages"] if p["state"] == "vulnerable"]
        assert (idna["name"], idna["version"], idna["fix"]) == ("idna", "3.4", "3.7")
        assert idna["findings"][0]["ids"] == ["PYSEC-2024-60"]
        states = {p["state"] for p in document["packages"]}
        assert states <= {"vulnerable", "clean", "local"}  # everything else was asked
        asked = len(service.queries)
        assert asked == document["online"]["asked"] > 10 and service.fetched == ["PYSEC-2024-60"]

        again = json.loads(vulns(str(demo_workspace), "--osv-url", service.url, "--json",
                                 db=db).stdout)  # fmt: skip
        assert len(service.queries) == asked  # answered from the cache, with its age
        assert again["online"]["asked"] == 0 and again["online"]["cached"] == asked
        assert again["online"]["age_s"] is not None
        assert [p["name"] for p in again["packages"] if p["state"] == "vulnerable"] == ["idna"]


def test_online_with_the_service_down_is_not_audited(demo_workspace: Path, tmp_path: Path) -> None:
    with serve_osv(osv_service()) as service:
        url = service.url  # closed when the block ends: nothing listens there now
    done = vulns(str(demo_workspace), "--osv-url", url, "--json", db=tmp_path / "db.sqlite3")
    assert done.returncode == 1
    document = json.loads(done.stdout)
    unaudited = [p for p in document["packages"] if p["state"] == "not-audited"]
    assert unaudited and not [p for p in document["packages"] if p["state"] == "clean"]
    assert all(url in p["reason"] for p in unaudited)
    assert document["online"]["failed"] == len({(p["name"], p["version"]) for p in unaudited})
