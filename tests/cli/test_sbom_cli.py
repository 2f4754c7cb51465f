"""`devkit-tui sbom`: a CycloneDX 1.6 document that the CycloneDX library's own strict
JSON validator accepts, with the lock's releases (as `uv export` counts them), their
hashes and edges, licences from the index's metadata files, and with `--with-vulns` the
findings of the imported advisories; every run audited as `sbom`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.backend.security.test_matching import SHARED
from tests.cli.test_licenses_cli import CATALOGUE
from tests.helpers import REPOSITORY
from tests.support.local_index import build_index, serve_index
from tests.support.update_projects import uv_project


def devkit(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=120,
    )  # fmt: skip


def valid(text: str) -> dict[str, Any]:
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document: dict[str, Any] = json.loads(text)
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.6"
    return document


def test_a_locked_project_with_hashes_edges_and_licences(tmp_path: Path) -> None:
    index = build_index(tmp_path / "index", CATALOGUE, core_metadata=True)
    db, out = tmp_path / "db.sqlite3", tmp_path / "out" / "app.cdx.json"
    out.parent.mkdir()
    with serve_index(index):
        project = uv_project(tmp_path / "app", index, ["alpha==1.0.0"], ["alpha>=1"])
        done = devkit("sbom", str(project), "--output", str(out), db=db)
    assert done.returncode == 0, done.stderr
    document = valid(out.read_text())
    assert document["metadata"]["component"]["name"] == "app"
    components = {c["name"]: c for c in document["components"]}
    assert set(components) == {"alpha", "beta"}
    alpha = components["alpha"]
    assert alpha["version"] == "1.0.0" and alpha["purl"].startswith("pkg:pypi/alpha@1.0.0")
    assert alpha["licenses"] == [{"license": {"id": "MIT"}}]
    assert components["beta"]["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    (wheel,) = alpha["externalReferences"]
    assert wheel["type"] == "distribution" and wheel["url"].endswith(".whl")
    assert wheel["hashes"] == [{"alg": "SHA-256", "content": index.hashes[("alpha", "1.0.0")]}]
    edges = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert edges["app@0.1.0"] == ["alpha@1.0.0"] and edges["alpha@1.0.0"] == ["beta@1.0.0"]

    audit = devkit("audit", "--action", "sbom", "--json", db=db)
    (entry,) = json.loads(audit.stdout)["entries"]
    assert entry["project"] == "app" and entry["details"]["components"] == 2


def test_with_vulns_the_findings_affect_their_component(
    demo_workspace: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    assert devkit("vulns", "--import", str(SHARED / "vulns"), db=db).returncode == 0
    legacy = demo_workspace / "legacy-scripts"
    plain = devkit("sbom", str(legacy), "--offline", db=db)
    assert plain.returncode == 0, plain.stderr
    assert "vulnerabilities" not in valid(plain.stdout)
    done = devkit("sbom", str(legacy), "--offline", "--with-vulns", db=db)
    assert done.returncode == 0, done.stderr  # findings do not fail the SBOM
    document = valid(done.stdout)
    idna = next(c for c in document["components"] if c["name"] == "idna")
    assert idna["version"] == "3.4"
    found = {v["id"]: v for v in document["vulnerabilities"]}
    flaw = found["PYSEC-2024-60"]
    assert flaw["affects"] == [{"ref": idna["bom-ref"]}]
    assert "3.7" in flaw["recommendation"]
    assert {r["id"] for r in flaw.get("references", [])} >= {"CVE-2024-3651"}


def test_no_project_or_an_unwritable_file_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert devkit("sbom", str(empty), "--offline", db=tmp_path / "db.sqlite3").returncode == 2
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "requirements.txt").write_text("idna==3.4\n")
    done = devkit("sbom", str(tmp_path / "p"), "--offline", "--output", str(tmp_path / "no" / "x"),
                  db=tmp_path / "db.sqlite3")  # fmt: skip
    assert done.returncode == 2 and "cannot write" in done.stderr
