"""A policy bundle, as pydantic v2 models: what packages, versions, licences and
package states a team allows, and where each rule applies. The keys are a contract
(scripts write bundles with them); `devkit-tui policy --schema` prints the JSON Schema.
Imported only when a bundle is read.
"""

from __future__ import annotations

import datetime
from typing import Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["error", "warning"]
StateLevel = Literal["error", "warning", "ignore"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Scope(_Strict):
    """Where a rule applies: projects by name or path glob, and an environment name
    (`dev`, `staging`, `prod`); absent means everywhere."""

    projects: list[str] = Field(default_factory=list, description="names or path globs")
    environment: str | None = None


class _Rule(_Strict):
    id: str | None = Field(None, description="absent: named KIND:NAME")
    severity: Severity = "error"
    scope: Scope | None = None


class _PackageRule(_Rule):
    name: str

    @field_validator("name")
    @classmethod
    def _canonical(cls, value: str) -> str:
        return canonicalize_name(value)


class _Versions(_PackageRule):
    versions: str | None = Field(None, description="a PEP 440 specifier; absent: every version")

    @field_validator("versions")
    @classmethod
    def _specifier(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                SpecifierSet(value)
            except InvalidSpecifier:
                raise ValueError(f"not a PEP 440 specifier: {value!r}") from None
        return value


class Deny(_Versions):
    """A package, or some of its versions, nobody may use."""

    reason: str = ""


class Allow(_Versions):
    """A package allowed (in the versions given); with `only = true` at the top level,
    nothing else is."""


class Minimum(_PackageRule):
    """A floor, for example a security fix."""

    version: str

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion:
            raise ValueError(f"not a PEP 440 version: {value!r}") from None
        return value


class LicenseException(_Strict):
    """A package let through the licence rules, with why and until when."""

    name: str
    reason: str
    expires: datetime.date | None = None

    @field_validator("name")
    @classmethod
    def _canonical(cls, value: str) -> str:
        return canonicalize_name(value)


class Licenses(_Rule):
    """SPDX ids allowed or denied, judged on each package's licence expression."""

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    exceptions: list[LicenseException] = Field(default_factory=list)
    unknown: StateLevel = Field("warning", description="a package whose licence is unknown")


class States(_Strict):
    """What the index or the advisories say of a package: `vulnerable-SEVERITY` means
    vulnerable at that severity or worse."""

    yanked: StateLevel = "ignore"
    archived: StateLevel = "ignore"
    quarantined: StateLevel = "ignore"
    deprecated: StateLevel = "ignore"
    vulnerable_critical: StateLevel = Field("ignore", alias="vulnerable-critical")
    vulnerable_high: StateLevel = Field("ignore", alias="vulnerable-high")
    vulnerable_medium: StateLevel = Field("ignore", alias="vulnerable-medium")
    vulnerable_low: StateLevel = Field("ignore", alias="vulnerable-low")
    vulnerable: StateLevel = Field("ignore", description="vulnerable at any severity")


class Bundle(_Strict):
    """`devkit-bundle.toml`: the team's rules, checked in every project."""

    extend: list[str] = Field(default_factory=list, description="bundle files, by path")
    only: bool = Field(False, description="nothing but the `allow` packages")
    deny: list[Deny] = Field(default_factory=list)
    allow: list[Allow] = Field(default_factory=list)
    minimum: list[Minimum] = Field(default_factory=list)
    licenses: Licenses | None = None
    states: States | None = None
