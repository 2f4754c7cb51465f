"""Weaver's codegen-test registry: its 31 findings. Six come from the checks Weaver
makes while loading (legacy template examples, enum members without stability, a
`deprecated` string); 25 from that folder's Rego policies. Those policy files stay in
Weaver's repository, so the policies below are written here to the rules Weaver's test
describes: a deprecated attribute not marked deprecated (before resolution), and the
attributes `system.cpu.logical_number` and `http.request.method` refused after it."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from backend.weaver.check import check_registry
from backend.weaver.rego import policy_files

BEFORE = """package before_resolution

import rego.v1

# An attribute marked deprecated must have the deprecated stability.
deny contains finding("attr_stability_deprecated", group.id, attr.id) if {
    group := input.groups[_]
    attr := group.attributes[_]
    attr.deprecated
    attr.stability != "deprecated"
}

finding(kind, group_id, attr_id) := {
    "id": kind, "type": "semconv_attribute", "category": "attribute",
    "group": group_id, "attr": attr_id,
}
"""

AFTER_METRICS = """package after_resolution

import rego.v1

deny contains finding("invalid_metric_attr", group.id, attr.name) if {
    group := input.groups[_]
    attr := group.attributes[_]
    attr.name == "system.cpu.logical_number"
}

finding(kind, group_id, attr_id) := {"id": kind, "group": group_id, "attr": attr_id}
"""

# Old-style (Rego v0) syntax, as some of Weaver's own examples still are.
AFTER_HTTP = """package after_resolution

deny[http_finding("invalid_http_attr", group.id, attr.name)] {
    group := input.groups[_]
    attr := group.attributes[_]
    attr.name == "http.request.method"
}

http_finding(kind, group_id, attr_id) = f {
    f := {"id": kind, "level": "violation", "message": "http.request.method is refused",
          "context": {"group_id": group_id, "attribute_name": attr_id}}
}
"""


@pytest.fixture
def codegen(shared_projects: Path, tmp_path: Path) -> Path:
    source = shared_projects.parent / "weaver-cases/crates/weaver_codegen_test/semconv_registry"
    copy = tmp_path / "semconv_registry"
    shutil.copytree(source, copy)
    (copy / "before.rego").write_text(BEFORE)
    (copy / "metrics.rego").write_text(AFTER_METRICS)
    (copy / "http.rego").write_text(AFTER_HTTP)
    return copy


def test_the_31_findings_weaver_expects(codegen: Path) -> None:
    result = check_registry(codegen)
    counts = Counter(f.id for f in result.findings)
    assert counts == {
        "InvalidExampleWarning": 2,  # legacy template examples
        "InvalidAttributeWarning": 3,  # enum members without stability
        "UnstructuredDeprecatedProperty": 1,
        "attr_stability_deprecated": 13,
        "invalid_metric_attr": 3,
        "invalid_http_attr": 9,
    }
    assert len(result.findings) == 31
    templates = {f.attribute for f in result.findings if f.id == "InvalidExampleWarning"}
    assert templates == {"http.request.header", "http.response.header"}
    members = [f.message for f in result.findings if f.id == "InvalidAttributeWarning"]
    assert all("Missing stability field on enum member" in m for m in members)
    metric = [f for f in result.findings if f.id == "invalid_metric_attr"]
    assert {f.attribute for f in metric} == {"system.cpu.logical_number"}
    assert all(f.group and f.file and f.line for f in metric)  # the group's file and line
    http = [f for f in result.findings if f.id == "invalid_http_attr"]
    assert {f.attribute for f in http} == {"http.request.method"}
    assert len({f.group for f in http}) == 9
    deprecated = [f for f in result.findings if f.id == "attr_stability_deprecated"]
    assert all(f.file and f.file.endswith("network.yaml") for f in deprecated)


def test_without_its_policies_only_the_built_in_checks_remain(codegen: Path) -> None:
    for path in policy_files(codegen):
        path.unlink()
    assert len(check_registry(codegen).findings) == 6


def test_a_broken_policy_is_a_finding_not_a_crash(codegen: Path) -> None:
    (codegen / "broken.rego").write_text("package after_resolution\ndeny[ {\n")
    result = check_registry(codegen)
    broken = [f for f in result.findings if f.id == "invalid_policy_file"]
    assert len(broken) == 1 and "broken.rego" in broken[0].message
    assert Counter(f.id for f in result.findings)["invalid_http_attr"] == 9  # the rest ran
