"""Installed environments: dist-info metadata, sizes, editables, garbage."""

from __future__ import annotations

import json
from pathlib import Path

from backend.parsers.environment import find_environment, scan_environment
from tests.helpers import add_dist, make_venv, site_packages


def test_reads_name_version_requires_summary_size_installer(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / ".venv", {})
    site = site_packages(venv)
    dist = add_dist(
        site, "Foo_Bar", "1.2.3", summary="Does foo", requires=("idna>=3", "six ; extra == 'x'")
    )
    (dist / "direct_url.json").write_text(
        json.dumps({"url": "file:///src", "dir_info": {"editable": True}})
    )
    env = scan_environment(venv)
    assert env.python_version == "3.11.7"
    foo = env.dists["foo-bar"]
    assert (foo.version, foo.summary, foo.installer, foo.size, foo.editable) == (
        "1.2.3",
        "Does foo",
        "uv",
        350,
        True,
    )
    assert foo.requires_dist == ("idna>=3", "six ; extra == 'x'")
    assert find_environment(tmp_path) == venv


def test_folded_headers_and_license_expression(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / ".venv", {})
    add_dist(
        site_packages(venv),
        "x",
        "1",
        metadata=(
            "Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense: BSD\n  with a second line\n"
            "License-Expression: Apache-2.0\nSummary: s\n\nBody: not a header\n"
        ),
    )
    dist = scan_environment(venv).dists["x"]
    assert dist.license.expression == "Apache-2.0" and dist.summary == "s"
    assert dist.license.source == "License-Expression"


def test_garbage_metadata_is_an_error_and_others_survive(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / ".venv", {"good": "1.0"})
    site = site_packages(venv)
    add_dist(site, "garbage", "0", metadata="\x00\x01\x02 this is not metadata at all\n")
    add_dist(site, "badversion", "0", metadata="Name: badversion\nVersion: not.a.version!\n\n")
    (site / "nometa-1.0.dist-info").mkdir()
    env = scan_environment(venv)
    assert set(env.dists) == {"good", "badversion"}
    problems = {Path(e.file).parent.name: e for e in env.errors}
    assert "has no Name" in problems["garbage-0.dist-info"].message
    assert problems["badversion-0.dist-info"].line == 2
    assert "invalid version" in problems["badversion-0.dist-info"].message
    assert "cannot read" in problems["nometa-1.0.dist-info"].message


def test_control_characters_in_summary_are_reported(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / ".venv", {})
    add_dist(site_packages(venv), "evil", "1", summary="clear \x1b[2J screen")
    env = scan_environment(venv)
    assert env.dists["evil"].summary == "clear \x1b[2J screen"  # kept as data; escaped when shown
    (error,) = env.errors
    assert "control characters" in error.message and error.line == 4
