"""devkit's own spans follow devkit's own registry (assets/semconv)."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from backend.service import Backend
from backend.settings import Settings
from backend.telemetry import names

REGISTRY = Path(__file__).resolve().parents[3] / "assets" / "semconv"
SHARED_SEMCONV = Path(__file__).resolve().parents[4] / "shared" / "data" / "semconv-v1.44.0"


def load_groups() -> list[dict[str, Any]]:
    groups = []
    for path in sorted((REGISTRY / "model").rglob("*.yaml")):
        groups.extend(yaml.safe_load(path.read_text())["groups"])
    return groups


def attribute_types() -> dict[str, Any]:
    return {
        attribute["id"]: attribute["type"]
        for group in load_groups()
        if group["type"] == "attribute_group"
        for attribute in group["attributes"]
    }


def span_groups() -> dict[str, dict[str, Any]]:
    return {g["id"]: g for g in load_groups() if g["type"] == "span"}


def test_manifest_and_every_span_name_has_a_group() -> None:
    manifest = yaml.safe_load((REGISTRY / "registry_manifest.yaml").read_text())
    assert manifest["name"] == "devkit" and manifest["schema_url"]
    spans = span_groups()
    span_names = [
        value
        for key, value in vars(names).items()
        if key.isupper()
        and isinstance(value, str)
        and value.startswith("devkit.")
        and f"span.{value}" in spans
    ]
    assert len(span_names) == 25
    types = attribute_types()
    for group in spans.values():
        for ref in group["attributes"]:
            key = ref["ref"]
            assert key in types or key in ("http.response.status_code", "error.type"), key


def test_external_references_exist_in_the_otel_registry() -> None:
    if not SHARED_SEMCONV.is_dir():
        import pytest

        pytest.skip(f"OpenTelemetry registry not found at {SHARED_SEMCONV}")
    ids = set()
    for path in SHARED_SEMCONV.rglob("*.yaml"):
        document = yaml.safe_load(path.read_text()) or {}
        for group in document.get("groups", []):
            ids |= {a.get("id") for a in group.get("attributes", []) if "id" in a}
    assert {"http.response.status_code", "error.type"} <= ids


def _type_ok(declared: Any, value: Any) -> bool:
    if isinstance(declared, dict):  # an enum: one of its member values
        return value in {m["value"] for m in declared["members"]}
    return {"int": int, "string": str, "double": float, "boolean": bool}[declared] is type(value)


async def test_recorded_spans_use_only_registered_names_and_types(
    demo_workspace: Path, tmp_path: Path
) -> None:
    settings = Settings(
        roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False, otlp_port=0
    )
    backend = Backend(settings)
    await backend.start(scan=False)
    url = await backend.start_receiver()
    await backend.scan()
    request = urllib.request.Request(
        url + "/v1/traces", data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    await asyncio.to_thread(urllib.request.urlopen, request)
    await backend.stop()  # flushes our own spans

    backend = Backend(settings)
    await backend.start(scan=False)
    await backend.ready()
    rows = await backend.spans.query(service="devkit-tui", limit=10_000)
    await backend.stop()

    spans, types = span_groups(), attribute_types()
    seen = {row["name"] for row in rows}
    assert {
        names.SCAN,
        names.DISCOVER,
        names.PROJECT_READ,
        names.PARSE,
        names.INVENTORY_BUILD,
        names.SNAPSHOT_STORE,
        names.INGEST_OTLP,
    } <= seen
    for row in rows:
        group = spans[f"span.{row['name']}"]
        allowed = {ref["ref"] for ref in group["attributes"]}
        for key, value in row["attributes"].items():
            assert key in allowed, (row["name"], key)
            if key in types:
                assert _type_ok(types[key], value), (row["name"], key, value)
        required = {
            ref["ref"] for ref in group["attributes"] if ref["requirement_level"] == "required"
        }
        assert required <= set(row["attributes"]), (row["name"], required - set(row["attributes"]))
    parse_errors = [r for r in rows if r["name"] == names.PARSE and r["status"]["name"] == "error"]
    assert parse_errors and "broken-service" in parse_errors[0]["attributes"][names.FILE_PATH]
