"""One project's SBOM end to end: read the project alone, find each release's licence
(installed, else the index's core metadata or its cache), match the advisories when
asked, and build the CycloneDX document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backend.index.licenses import license_rows
from backend.inventory.one_project import read_one_project
from backend.parsers.licenses import License
from backend.sbom.cyclonedx import sbom_json
from backend.sbom.project import project_contents
from backend.security.advisories import advisories_for, database_info
from backend.security.matching import PackageResult, match_inventory
from backend.store.database import Store
from backend.version import __version__


@dataclass(slots=True)
class SbomResult:
    project: str
    text: str
    """The CycloneDX 1.6 JSON document."""
    packages: int
    vulnerabilities: int = 0
    problems: list[str] = field(default_factory=list)
    """What could not be read or matched; the SBOM is written without it."""


async def project_sbom(
    folder: Path,
    store: Store | None,
    with_vulns: bool,
    environment: Path | None = None,
    cache_dir: Path | None = None,
    offline: bool = False,
    explicit_index: str | None = None,
) -> SbomResult | None:
    one = read_one_project(folder, environment, cache_dir)
    if one is None:
        return None
    rows = await license_rows(one.inventory, store, {one.scan.name: one.scan.index_url},
                              explicit_index, offline)  # fmt: skip
    licenses: dict[tuple[str, str], License] = {}
    for row in rows:
        if row.version is not None and row.license.known:
            licenses.setdefault((row.name, row.version), row.license)
    contents = project_contents(one, licenses)
    problems = list(contents.problems)
    findings: list[PackageResult] = []
    if with_vulns:
        if store is None:
            problems.append("no store: no advisory database to match")
        else:
            info = await database_info(store)
            if info.records == 0:
                problems.append("no advisory database imported (devkit-tui vulns --import)")
            found = await advisories_for(store, set(one.inventory.packages))
            results = match_inventory(one.inventory, found, covered=info.records > 0)
            findings = [r for r in results if r.state == "vulnerable"]
    text = sbom_json(contents.name, contents.version, contents.releases, contents.edges,
                     findings, __version__)  # fmt: skip
    flaws = {f.ids[0] for r in findings for f in r.findings}
    return SbomResult(contents.name, text, len(contents.releases), len(flaws), problems)
