"""Registry loading, resolution and the live check, against the semantic conventions
and Weaver's own test data in ../shared/data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backend.weaver.check import check_registry
from backend.weaver.live_check import LiveCheck
from backend.weaver.registries import OWN_REGISTRY
from tests.helpers import REPOSITORY
from tests.support.registries import write_registry

OTEL_URL = "https://opentelemetry.io/schemas/1.44.0"


@pytest.fixture
def semconv(shared_projects: Path) -> Path:
    return shared_projects.parent / "semconv-v1.44.0"


@pytest.fixture
def resolver_cases(shared_projects: Path) -> Path:
    return shared_projects.parent / "weaver-cases" / "crates" / "weaver_resolver" / "data"


def test_semantic_conventions_check_clean(semconv: Path) -> None:
    result = check_registry(semconv)
    assert result.findings == []  # Weaver checks v1.44.0 with no violations
    registry = result.registry
    assert len(registry.groups) > 900 and len(registry.attributes) > 850
    method = registry.attributes["http.request.method"]
    assert method.type == "enum" and "GET" in method.members and method.line
    assert registry.attribute_for("http.request.header.content-type").name == "http.request.header"  # type: ignore[union-attr]
    # A span group inherits through `extends`.
    assert "url.full" in registry.groups["span.http.client"].attributes


EXPECTED_KEYS = {
    "DuplicateGroupId": "group_id",
    "DuplicateAttributeId": "attribute_id",
    "DuplicateMetricName": "metric_name",
    "EntityRefinementChangedIdentity": "attribute_id",
}


def expected_errors(path: Path) -> set[tuple[str, str]]:
    document = json.loads(path.read_text())
    errors = document.get("CompoundError", [document])
    return {
        (kind, detail[EXPECTED_KEYS[kind]]) for error in errors for kind, detail in error.items()
    }


@pytest.mark.parametrize(
    "case",
    [
        "registry-test-10-duplicate-attr-name",
        "registry-test-12-duplicate-group-id",
        "registry-test-13-duplicate-metric-name",
        "registry-test-16-attr-conflict",
        "registry-test-v2-6-identity-demote",
        "registry-test-v2-7-identity-promote",
        "registry-test-v2-8-identity-add",
    ],
)
def test_resolution_errors_match_weaver(resolver_cases: Path, case: str) -> None:
    result = check_registry(resolver_cases / case / "registry", policies=False)
    ours = set()
    for finding in [f for f in result.findings if f.level == "violation"]:
        subject = {
            "DuplicateGroupId": finding.group,
            "DuplicateAttributeId": finding.attribute,
            "DuplicateMetricName": finding.signal_name,
            "EntityRefinementChangedIdentity": finding.attribute,
        }[finding.id]
        ours.add((finding.id, subject))
        assert finding.level == "violation" and finding.file and finding.line
    assert ours == expected_errors(resolver_cases / case / "expected-errors.json")


def test_valid_weaver_registries_resolve_without_violations(resolver_cases: Path) -> None:
    checked = 0
    for case in sorted(resolver_cases.iterdir()):
        if (case / "registry").is_dir() and not (case / "expected-errors.json").exists():
            result = check_registry(case / "registry", policies=False)
            assert result.violations == 0, (case.name, result.findings[:3])
            checked += 1
    assert checked > 20


def test_own_registry_passes(semconv: Path) -> None:
    offline = check_registry(OWN_REGISTRY)
    assert offline.violations == 0
    assert {f.id for f in offline.findings} == {"unverified_dependency_ref"}
    full = check_registry(OWN_REGISTRY, {OTEL_URL: semconv})
    assert full.findings == []
    assert full.registry.attributes["error.type"].type == "enum"  # from the dependency


def span(name: str, attributes: dict, resource: dict | None = None) -> dict:  # type: ignore[type-arg]
    return {"name": name, "span_id": "00000000000000a1", "attributes": attributes,
            "resource": resource or {}}  # fmt: skip


def test_live_check_advice(semconv: Path) -> None:
    registry = check_registry(semconv).registry
    live = LiveCheck(registry)
    live.check(
        [
            span(
                "GET /",
                {
                    "http.request.method": "FETCH",  # not a member
                    "http.response.status_code": "200",  # a string for an int
                    "http.request.header.accept": ["*/*"],  # a template instance
                    "my.own.thing": 1,
                    "http.method": "GET",  # deprecated, renamed
                },
            )
        ]
    )
    found = {(f.id, f.attribute): f for f in live.findings}
    assert found[("undefined_enum_variant", "http.request.method")].level == "information"
    assert found[("type_mismatch", "http.response.status_code")].level == "violation"
    assert found[("template_attribute", "http.request.header.accept")].level == "information"
    assert found[("missing_attribute", "my.own.thing")].level == "violation"
    assert found[("deprecated", "http.method")].level == "violation"
    assert live.samples == 1 and live.coverage()["attributes_seen"] == 3  # templates apart


def test_requirement_levels_on_devkit_spans(semconv: Path) -> None:
    registry = check_registry(OWN_REGISTRY, {OTEL_URL: semconv}).registry
    live = LiveCheck(registry)
    live.check([span("devkit.parse", {"devkit.file.path": "uv.lock"})])
    found = {(f.id, f.attribute): f.level for f in live.findings}
    assert found[("required_attribute_not_present", "devkit.file.format")] == "violation"
    assert found[("conditionally_required_attribute_not_present", "error.type")] == "information"
    assert found[("not_stable", "devkit.file.path")] == "improvement"


def test_bad_input_is_a_finding(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "manifest.yaml").write_text("name: broken\n")
    (registry / "notyaml.yaml").write_text("groups:\n  - id: [unclosed\n")
    (registry / "list.yaml").write_text("- just\n- a list\n")
    (registry / "groups.yaml").write_text(
        "groups:\n  - 42\n"
        "  - id: a\n    type: span\n    extends: b\n    attributes: []\n"
        "  - id: b\n    type: span\n    extends: a\n    attributes: []\n"
        "  - id: c\n    type: attribute_group\n    attributes:\n"
        "      - id: c.bad\n        type: complex\n        brief: x\n"
    )
    (registry / "huge.yaml").write_bytes(b"#" * (11 * 1024 * 1024))
    result = check_registry(registry)
    messages = {(f.id, Path(f.file or "").name): f for f in result.findings}
    assert (messages[("invalid_semconv_spec", "notyaml.yaml")].line or 0) >= 2
    assert ("invalid_semconv_spec", "list.yaml") in messages
    assert "not a mapping" in messages[("invalid_semconv_spec", "groups.yaml")].message
    assert ("ExtendsLoop", "groups.yaml") in messages
    assert ("InvalidAttributeType", "groups.yaml") in messages
    assert "larger than" in messages[("invalid_semconv_spec", "huge.yaml")].message


def test_cli_contract_and_exit_codes(resolver_cases: Path, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "check", "--db", str(tmp_path / "db"), *args],
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
            timeout=120,
        )

    bad = cli("--registry", str(resolver_cases / "registry-test-10-duplicate-attr-name"), "--json")
    assert bad.returncode == 1
    document = json.loads(bad.stdout)
    assert document["schema"] == "devkit.check/1" and document["engine"] == "devkit"
    finding = document["findings"][0]
    assert set(finding) >= {
        "id", "level", "message", "file", "line", "group", "attribute",
        "signal_type", "signal_name", "span_id",
    }  # fmt: skip
    assert document["statistics"]["by_id"]["DuplicateAttributeId"] == 1
    assert {"total", "by_level", "by_id", "samples", "coverage"} <= set(document["statistics"])
    assert cli("--registry", str(tmp_path / "nowhere")).returncode == 2
    assert cli().returncode == 0  # devkit's own registry, offline
    audit = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "--json", "--action", "check", "--db",
         str(tmp_path / "db")],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=60,
    )  # fmt: skip
    entries = json.loads(audit.stdout)["entries"]
    assert [e["result"] for e in entries] == ["failure", "success"]
    assert entries[0]["details"]["statistics"]["by_id"]["DuplicateAttributeId"] == 1


async def test_devkit_own_spans_have_no_violation(
    demo_workspace: Path, semconv: Path, tmp_path: Path
) -> None:
    from backend.service import Backend
    from backend.settings import Settings

    backend = Backend(
        Settings(roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False)
    )
    await backend.start(scan=False)
    await backend.ready()
    await backend.scan()
    await backend.stop()  # flushes our own spans into the store
    backend = Backend(
        Settings(
            roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False, trace_self=False
        )
    )
    await backend.start(scan=False)
    await backend.ready()
    try:
        spans = await backend.spans.query(limit=10_000)
    finally:
        await backend.stop()
    assert {"devkit.scan", "devkit.parse", "devkit.project.read"} <= {s["name"] for s in spans}
    live = LiveCheck(check_registry(OWN_REGISTRY, {OTEL_URL: semconv}).registry)
    live.check(spans)
    violations = [f for f in live.findings if f.level == "violation"]
    assert violations == []
    assert live.coverage()["span_groups_seen"]


def test_weaver_live_check_sample(semconv: Path, shared_projects: Path) -> None:
    """Weaver's own live-check sample (`span.json`) against semconv v1.44.0: the advice
    its advisors and default policy give for each attribute."""
    data = shared_projects.parent / "weaver-cases" / "crates" / "weaver_live_check" / "data"
    live = LiveCheck(check_registry(semconv).registry)
    for item in json.loads((data / "span.json").read_text()):
        if "span" in item:
            attributes = {a["name"]: a.get("value") for a in item["span"].get("attributes", [])}
            live.check([span(item["span"].get("name", "span"), attributes)])
    advice = {(f.id, f.attribute, f.level) for f in live.findings}
    assert {
        ("type_mismatch", "http.response.status_code", "violation"),
        ("not_stable", "aws.s3.bucket", "improvement"),
        ("illegal_namespace", "aws.s3.bucket.name", "violation"),
        ("missing_attribute", "task.id", "violation"),
        ("missing_namespace", "TaskId", "improvement"),
        ("invalid_format", "TaskId", "violation"),
        ("extends_namespace", "aws.s3.extension.name", "information"),
    } <= advice
    assert not any(a == "http.request.method" for _, a, _ in advice)  # valid and stable


def test_semantic_convention_policies(tmp_path: Path) -> None:
    """The policies the semantic conventions hold themselves to, each broken once."""
    registry = write_registry(
        tmp_path / "registry",
        """groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.cart
        type: string
        stability: stable
        brief: The cart.
      - id: shop.cart.size
        type: int
        stability: stable
        brief: Items in the cart.
      - id: shop.old
        type: string
        stability: stable
        brief: Old.
        deprecated: {reason: renamed, renamed_to: shop.new}
      - id: shop.quiet
        type: string
        stability: stable
        brief: ""
      - ref: shop.cart
  - id: registry.shop.spans
    type: span
    brief: Not an attribute group.
    attributes: []
  - id: span.shop.checkout
    type: span
    brief: ""
    attributes:
      - id: checkout.local
        type: string
        brief: Defined outside the registry.
      - ref: shop.cart
      - ref: shop.cart
""",
        name="policies",
    )
    found = {(f.id, f.attribute or f.group) for f in check_registry(registry).findings}
    assert {
        ("attribute_registry_can_only_contain_attribute_groups", "registry.shop.spans"),
        ("attributes_must_be_defined_in_attribute_registry", "checkout.local"),
        ("attributes_in_registry_cannot_reference_each_other", "shop.cart"),
        ("naming_collision", "shop.cart"),
        ("brief_required", "shop.quiet"),
        ("brief_required", "span.shop.checkout"),
        ("deprecation_violation", "shop.old"),
    } <= found
    assert check_registry(registry, policies=False).violations < len(found)
