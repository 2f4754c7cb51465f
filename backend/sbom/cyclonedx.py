"""A project's CycloneDX 1.6 SBOM, built with the CycloneDX project's own library: the
project as the BOM's subject, a component per locked release (else per installed one)
with its purl, licence and the files its lock records (each a `distribution` reference
with its hashes, as a release has several files), the dependency edges of the lock, and
optionally the findings of the advisory database as `vulnerabilities`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.tool import ToolRepository
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from backend.index.simple_api import DEFAULT_INDEX
from backend.parsers.artifacts import Artifact
from backend.parsers.licenses import License

if TYPE_CHECKING:
    from backend.security.matching import Finding, PackageResult

_ALGORITHMS = {
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
}
_SEVERITIES = {
    "critical": VulnerabilitySeverity.CRITICAL,
    "high": VulnerabilitySeverity.HIGH,
    "medium": VulnerabilitySeverity.MEDIUM,
    "low": VulnerabilitySeverity.LOW,
    "unknown": VulnerabilitySeverity.UNKNOWN,
}


@dataclass(slots=True)
class Release:
    """One package of the project, as the SBOM lists it."""

    name: str
    version: str
    source: str | None = None
    """Where the lock takes it from (`registry:URL`, `git:...`, `path:...`)."""
    license: License | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    local: bool = False
    """A workspace member or path package of the project's own."""

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


def sbom_json(
    project: str,
    project_version: str | None,
    releases: list[Release],
    edges: Iterable[tuple[str, str]],
    findings: list[PackageResult] | None = None,
    tool_version: str = "",
) -> str:
    """The SBOM as CycloneDX 1.6 JSON; `edges` are (parent ref, child ref), the project
    itself being `project@project_version`."""
    bom = Bom()
    subject = Component(
        name=project,
        version=project_version,
        type=ComponentType.APPLICATION,
        bom_ref=f"{project}@{project_version}",
    )
    bom.metadata.component = subject
    bom.metadata.tools = ToolRepository(
        components=[
            Component(
                name="devkit-tui", version=tool_version or None, type=ComponentType.APPLICATION
            )
        ]
    )
    components = {subject.bom_ref.value: subject}
    for release in releases:
        if release.ref in components:
            continue
        component = _component(release)
        components[release.ref] = component
        bom.components.add(component)
    children: dict[str, set[str]] = {}
    for parent, child in edges:
        if parent in components and child in components and parent != child:
            children.setdefault(parent, set()).add(child)
    for parent, below in children.items():
        bom.register_dependency(components[parent], [components[c] for c in sorted(below)])
    for vulnerability in _vulnerabilities(findings or [], components):
        bom.vulnerabilities.add(vulnerability)
    return JsonV1Dot6(bom).output_as_string(indent=2)


def _component(release: Release) -> Component:
    licenses = []
    if release.license is not None and release.license.known:
        licenses.append(LicenseFactory().make_from_string(release.license.expression))
    properties = []
    if release.license is not None and release.license.source:
        properties.append(Property(name="devkit:license-source", value=release.license.source))
    return Component(
        name=release.name,
        version=release.version,
        type=ComponentType.LIBRARY,
        bom_ref=release.ref,
        purl=None if release.local else _purl(release),
        licenses=licenses,
        external_references=[r for r in map(_reference, release.artifacts) if r is not None],
        properties=properties,
    )


def _purl(release: Release) -> PackageURL:
    """`pkg:pypi/NAME@VERSION`, with the index as `repository_url` when it is not PyPI
    and the repository as `vcs_url` for a git source (the purl spec's qualifiers)."""
    kind, _, where = (release.source or "").partition(":")
    qualifiers: dict[str, str] = {}
    if kind == "registry" and where.startswith("http") and where.rstrip("/") != DEFAULT_INDEX:
        qualifiers["repository_url"] = where
    elif kind == "git":
        qualifiers["vcs_url"] = f"git+{where}" if not where.startswith("git+") else where
    elif kind in ("url", "direct"):
        qualifiers["download_url"] = where
    return PackageURL("pypi", None, release.name, release.version, qualifiers or None)


def _reference(artifact: Artifact) -> ExternalReference | None:
    if not artifact.url.startswith(("http://", "https://")):
        return None
    hashes = [HashType(alg=_ALGORITHMS[a], content=d)
              for a, d in sorted(artifact.hashes.items()) if a in _ALGORITHMS]  # fmt: skip
    return ExternalReference(
        type=ExternalReferenceType.DISTRIBUTION,
        url=XsUri(artifact.url),
        comment=artifact.kind,
        hashes=hashes,
    )


def _vulnerabilities(
    results: list[PackageResult], components: dict[str, Component]
) -> list[Vulnerability]:
    """One vulnerability per flaw, affecting every component that carries it."""
    by_id: dict[str, tuple[Finding, set[str]]] = {}
    for result in results:
        ref = f"{result.name}@{result.version}"
        if ref not in components:
            continue
        for finding in result.findings:
            _, affected = by_id.setdefault(finding.ids[0], (finding, set()))
            affected.add(ref)
    out = []
    for flaw_id, (finding, affected) in sorted(by_id.items()):
        others = [*finding.ids[1:], *finding.aliases]
        score = finding.score
        rating = VulnerabilityRating(
            score=Decimal(str(score)) if score is not None else None,
            severity=_SEVERITIES.get(finding.severity),
        )
        fixed = finding.fixed
        out.append(
            Vulnerability(
                bom_ref=f"vulnerability:{flaw_id}",
                id=flaw_id,
                source=_source(flaw_id),
                references=[
                    VulnerabilityReference(id=o, source=_source(o))
                    for o in dict.fromkeys(others)
                    if o != flaw_id
                ],
                ratings=[rating],
                description=finding.summary or None,
                recommendation=f"Upgrade to {fixed} or later." if fixed else None,
                affects=[
                    BomTarget(ref=components[ref].bom_ref.value or ref) for ref in sorted(affected)
                ],
            )
        )
    return out


def _source(flaw_id: str) -> VulnerabilitySource:
    prefix = flaw_id.split("-", 1)[0].upper()
    name, page = _SOURCES.get(prefix, _SOURCES["OSV"])
    return VulnerabilitySource(name=name, url=XsUri(page + flaw_id))


_SOURCES = {
    "CVE": ("NVD", "https://nvd.nist.gov/vuln/detail/"),
    "GHSA": ("GitHub", "https://github.com/advisories/"),
    "OSV": ("OSV", "https://osv.dev/vulnerability/"),
}
