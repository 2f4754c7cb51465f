"""Policy bundles: each kind of rule against a constructed inventory, licences judged on
the SPDX expression (OR: any branch; AND: every one), scopes, `extend`, and bad bundles
named by file, line and key."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage
from backend.parsers.licenses import License
from backend.policy.bundle import BundleError, load_bundle
from backend.policy.check import violations


def usage(project: str, version: str, license: str | None = None, **extra: object) -> Usage:
    found = Usage(project, [], [version], version, True, **extra)  # type: ignore[arg-type]
    found.license = License(license, "License-Expression") if license else License()
    return found


def inventory(*rows: tuple[str, list[Usage]]) -> Inventory:
    packages = {name: PackageRow(name, usages, set()) for name, usages in rows}
    projects = [ProjectInfo(Path(f"/w/{n}"), n, "uv", [], None, []) for n in ("api", "tools")]
    return Inventory([Path("/w")], projects, packages)


def check(tmp_path: Path, text: str, found: Inventory, **options: object) -> set[tuple[str, ...]]:
    (tmp_path / "bundle.toml").write_text(text)
    return {
        (v.rule, v.severity, v.project, v.package)
        for v in violations(load_bundle(tmp_path / "bundle.toml"), found, **options)
    }  # type: ignore[arg-type]


def test_deny_minimum_allow_and_only(tmp_path: Path) -> None:
    found = inventory(
        ("requests", [usage("api", "2.31.0"), usage("tools", "2.32.3")]),
        ("urllib3", [usage("api", "1.26.20"), usage("tools", "2.2.2")]),
        ("rich", [usage("api", "12.6.0")]),
        ("leftpad", [usage("tools", "1.0")]),
    )
    bundle = """
only = true
[[deny]]
name = "Requests"
versions = "<2.32"
reason = "CVE-2024-35195"
[[minimum]]
id = "security-floor"
name = "urllib3"
version = "2.2.2"
severity = "warning"
[[allow]]
name = "rich"
versions = ">=13"
[[allow]]
name = "requests"
[[allow]]
name = "urllib3"
"""
    assert check(tmp_path, bundle, found) == {
        ("deny:requests", "error", "api", "requests"),
        ("security-floor", "warning", "api", "urllib3"),
        ("allow:rich", "error", "api", "rich"),
        ("only:leftpad", "error", "tools", "leftpad"),
    }


def test_licences_on_the_expression_with_exceptions(tmp_path: Path) -> None:
    found = inventory(
        ("dual", [usage("api", "1", "MIT OR GPL-3.0-only")]),
        ("both", [usage("api", "1", "MIT AND GPL-3.0-only")]),
        ("odd", [usage("api", "1", "MPL-2.0")]),
        ("excused", [usage("api", "1", "GPL-3.0-only")]),
        ("expired", [usage("api", "1", "GPL-3.0-only")]),
        ("mystery", [usage("api", "1")]),
    )
    bundle = """
[licenses]
allow = ["MIT", "Apache-2.0"]
deny = ["GPL-3.0-only"]
exceptions = [
  {name = "excused", reason = "vendored, legal said yes", expires = 2030-01-01},
  {name = "expired", reason = "was fine", expires = 2020-01-01},
]
"""
    got = check(tmp_path, bundle, found, today=datetime.date(2026, 12, 2))
    assert got == {
        ("licenses:GPL-3.0-only", "error", "api", "both"),  # AND: every branch must pass
        ("licenses:MPL-2.0", "error", "api", "odd"),  # not in the allow list
        ("licenses:GPL-3.0-only", "error", "api", "expired"),
        ("licenses:unknown", "warning", "api", "mystery"),
    }  # "dual" passes: OR needs one allowed branch


def test_states_and_scope(tmp_path: Path) -> None:
    yanked = usage("api", "1.1.0", flags={"yanked"}, notes={"yanked": "1.1.0 yanked: broken"})
    vulnerable = usage("tools", "3.4", flags={"vulnerable"}, severity="high")
    low = usage("api", "3.4", flags={"vulnerable"}, severity="low")
    found = inventory(
        ("gamma", [yanked]), ("idna", [vulnerable, low]), ("rich", [usage("tools", "1")])
    )
    bundle = """
[states]
yanked = "warning"
vulnerable-high = "error"
[[deny]]
name = "rich"
scope = {projects = ["api"]}
[[deny]]
name = "gamma"
scope = {environment = "prod"}
"""
    assert check(tmp_path, bundle, found) == {
        ("states:yanked", "warning", "api", "gamma"),
        ("states:vulnerable-high", "error", "tools", "idna"),  # low is not high or worse
    }
    assert ("deny:gamma", "error", "api", "gamma") in check(
        tmp_path, bundle, found, environment="prod"
    )


def test_extend_reads_the_base_first(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "base.toml").write_text('[[deny]]\nname = "leftpad"\n')
    found = inventory(("leftpad", [usage("api", "1")]), ("rich", [usage("api", "1")]))
    bundle = 'extend = ["team/base.toml"]\n[[deny]]\nname = "rich"\nseverity = "warning"\n'
    assert check(tmp_path, bundle, found) == {
        ("deny:leftpad", "error", "api", "leftpad"),
        ("deny:rich", "warning", "api", "rich"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[deny]]\nname = "x"\nversions = "nope"\n', "bundle.toml:3: deny.0.versions"),
        (
            '[[deny]]\nname = "x"\nsevere = "yes"\n',
            "bundle.toml:3: deny.0.severe: not a bundle key",
        ),
        ('[[minimum]]\nname = "x"\nversion = "one"\n', "bundle.toml:3: minimum.0.version"),
        ('[states]\nyanked = "fatal"\n', "bundle.toml:2: states.yanked"),
        ('extend = ["missing.toml"]\n', "extend: "),
        ('extend = ["bundle.toml"]\n', "a bundle extends itself"),
        ("[[deny]\n", "bundle.toml:1: invalid TOML"),
    ],
)
def test_a_bad_bundle_is_named_by_file_line_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "bundle.toml").write_text(text)
    with pytest.raises(BundleError) as caught:
        load_bundle(tmp_path / "bundle.toml")
    assert message in str(caught.value)


def test_a_release_not_installed_is_judged_by_the_index_licence(tmp_path: Path) -> None:
    locked = Usage("api", [], ["1.0"], None, True)
    found = inventory(("gamma", [locked]))
    bundle = '[licenses]\nallow = ["MIT"]\n'
    assert check(tmp_path, bundle, found) == set()  # nothing known: not judged
    read = {("gamma", "1.0"): License("ISC", "Classifier")}
    assert check(tmp_path, bundle, found, licenses=read) == {
        ("licenses:ISC", "error", "api", "gamma")
    }
