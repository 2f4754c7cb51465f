"""OSV matching that is right: the shared PyPA advisories give the expected ids for each
sample `name==version`, in both export layouts, and each tricky case has its own test."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from backend.security.advisories import advisories_for, import_export
from backend.security.lookup import PackageAdvisories
from backend.security.matching import findings_of
from backend.security.osv import advisory_from
from backend.store.database import Store

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "advisories"


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = Store(tmp_path / "db.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


def samples() -> dict[str, list[str]]:
    if not SHARED.is_dir():
        pytest.skip("the shared advisories are not beside the repository")
    return json.loads((SHARED / "sample_matches.json").read_text())


async def matched_ids(store: Store) -> dict[str, set[str]]:
    wanted = samples()
    names = {key.split("==")[0] for key in wanted}
    found = await advisories_for(store, names)
    out = {}
    for key in wanted:
        name, version = key.split("==")
        findings = findings_of(found[name], version) if name in found else []
        out[key] = {i for f in findings for i in f.ids}
    return out


async def test_the_shared_samples_match_from_the_folder_layout(store: Store) -> None:
    result = await import_export(store, SHARED / "vulns")
    assert (result.read, result.written, result.skipped) == (335, 335, [])
    got = await matched_ids(store)
    assert got == {key: set(ids) for key, ids in samples().items()}
    again = await import_export(store, SHARED / "vulns")
    assert again.written == 0  # nothing modified: nothing written


async def test_the_zip_layout_reads_the_same(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as out:  # as osv.dev publishes: JSON at the root
        for file in sorted((SHARED / "vulns").rglob("*.yaml")):
            record = yaml.safe_load(file.read_text())
            out.writestr(f"{record['id']}.json", json.dumps(record, default=str))
    result = await import_export(store, archive)
    assert (result.read, result.written) == (335, 335)
    assert await matched_ids(store) == {key: set(ids) for key, ids in samples().items()}


def record(id_: str, events: list[dict[str, str]], **extra: object) -> dict[str, object]:
    return {
        "id": id_, "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": extra.pop("name", "Demo_Pkg")},
                      "ranges": [{"type": "ECOSYSTEM", "events": events}],
                      "versions": extra.pop("versions", [])}],
        **extra,
    }  # fmt: skip


def affects(data: dict[str, object], version: str) -> bool:
    """Through the form the store keeps and the index matching uses."""
    return bool(PackageAdvisories.of("demo-pkg", [advisory_from(data)]).hits(version))


def test_last_affected_is_included_and_fixed_excluded() -> None:
    last = record("A", [{"introduced": "1.0"}, {"last_affected": "1.4"}])
    assert affects(last, "1.4") and not affects(last, "1.4.1") and not affects(last, "0.9")
    fixed = record("B", [{"introduced": "0"}, {"fixed": "2.0"}])
    assert affects(fixed, "1.9") and not affects(fixed, "2.0")


def test_an_ecosystem_range_after_a_git_range_still_counts() -> None:
    data = record("C", [])
    data["affected"][0]["ranges"] = [  # type: ignore[index]
        {"type": "GIT", "repo": "https://example.invalid/x", "events": [{"introduced": "abc123"}]},
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0"}]},
    ]
    assert affects(data, "2.5") and not affects(data, "3.0")


def test_listed_versions_compare_as_versions_and_names_are_normalised() -> None:
    data = record("D", [], versions=["2.0"], name="Demo_Pkg")
    assert advisory_from(data).affected[0].name == "demo-pkg"
    assert affects(data, "2.0.0") and affects(data, "2")  # 2.0 == 2.0.0 == 2
    assert not affects(data, "2.0.1")


def test_aliases_chain_into_one_finding() -> None:
    events = [{"introduced": "0"}, {"fixed": "1.5"}]
    chained = [
        advisory_from(record("PYSEC-1", events, aliases=["CVE-1"])),
        advisory_from(
            record(
                "GHSA-1",
                [{"introduced": "0"}, {"fixed": "1.6"}],
                aliases=["CVE-1"],
                database_specific={"severity": "MODERATE"},
            )
        ),
        advisory_from(record("PYSEC-2", events, aliases=["GHSA-1"])),  # only through GHSA-1
        advisory_from(record("PYSEC-3", events)),  # a flaw of its own
    ]
    findings = findings_of(PackageAdvisories.of("demo-pkg", chained), "1.0")
    assert [f.ids for f in findings] == [("GHSA-1", "PYSEC-1", "PYSEC-2"), ("PYSEC-3",)]
    assert findings[0].aliases == ("CVE-1",) and findings[0].severity == "medium"
    assert findings[0].fixed == "1.6"  # the fix of every record of the flaw


async def test_withdrawn_and_malformed_records(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "vulns"
    folder.mkdir()
    events = [{"introduced": "0"}, {"fixed": "9"}]
    (folder / "w.json").write_text(json.dumps(record("W", events, withdrawn="2024-02-01")))
    (folder / "ok.json").write_text(json.dumps(record("OK", events)))
    (folder / "bad.json").write_text(json.dumps(record("BAD", [{"introduced": "not a version!"}])))
    (folder / "broken.yaml").write_text("id: [unclosed\n")
    result = await import_export(store, folder)
    skipped = {(s.id, Path(s.file).name) for s in result.skipped}
    assert skipped == {("BAD", "bad.json"), (None, "broken.yaml")}
    assert any("not a version" in s.reason for s in result.skipped)
    found = await advisories_for(store, {"demo-pkg"})
    assert [e.record.id for e in found["demo-pkg"].entries] == [
        "OK"
    ]  # the withdrawn one is kept out


def test_severity_comes_from_the_cvss_vector_else_ghsa_else_unknown() -> None:
    vector = {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}
    scored = advisory_from(record("V", [], severity=[vector]))
    assert (scored.severity, scored.score) == ("high", 7.5)
    worded = advisory_from(record("G", [], database_specific={"severity": "MODERATE"}))
    assert (worded.severity, worded.score) == ("medium", None)
    bad = advisory_from(record("B", [], severity=[{"type": "CVSS_V3", "score": "nonsense"}]))
    assert (bad.severity, bad.score) == ("unknown", None)


def test_the_bisect_index_agrees_with_each_interval_checked_one_by_one() -> None:
    """Overlapping, nested, touching and open intervals of many records: the slot a
    version falls in must name exactly the records whose intervals hold it."""
    import random

    from backend.security.osv import parsed_version

    rng = random.Random(17)
    points = [f"{major}.{minor}" for major in range(4) for minor in range(5)]
    records = []
    for number in range(40):
        events: list[dict[str, str]] = []
        for _ in range(rng.randint(1, 3)):
            low, high = sorted(rng.sample(points, 2), key=parsed_version)
            end = rng.choice(["fixed", "last_affected", None])
            events.append({"introduced": rng.choice(["0", low])})
            if end:
                events.append({end: high})
        records.append(advisory_from(record(f"R{number}", events)))
    package = PackageAdvisories.of("demo-pkg", records)
    asked = [*points, *(f"{p}.1" for p in points), "0.0.0a1", "9.9", "1.2.0"]
    for version in asked:
        parsed = parsed_version(version)
        expected = {
            a.id
            for a in records
            for x in a.affected
            if any(i.contains(parsed) for i in x.intervals)
        }
        assert {e.record.id for e in package.hits(version)} == expected, version


def test_listed_versions_outside_the_ranges_and_text_that_is_no_version() -> None:
    data = record(
        "L", [{"introduced": "1.0"}, {"fixed": "1.2"}], versions=["1.1", "0.5", "nightly"]
    )
    assert affects(data, "1.1") and affects(data, "0.5.0") and affects(data, "nightly")
    assert not affects(data, "0.6") and not affects(data, "Nightly")


async def test_rows_imported_before_the_matching_columns_are_indexed_on_first_read(
    store: Store,
) -> None:
    await import_export(store, SHARED / "vulns")
    expected = await matched_ids(store)
    await store.write(
        [
            ("UPDATE advisories SET aliases = NULL, severity = NULL, summary = NULL", [()]),
            ("UPDATE advisory_packages SET ranges = NULL", [()]),
        ]
    )
    assert await matched_ids(store) == expected
    rows = await store.query("SELECT COUNT(*) FROM advisories WHERE aliases IS NULL")
    assert rows[0][0] == 0
