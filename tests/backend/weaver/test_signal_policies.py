"""The shared signal policies: stability ordering, metric namespace collisions and
names, each broken once, and the exceptions a signal declares for itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from backend.weaver.check import check_registry
from tests.support.registries import write_registry

MODEL = """groups:
  - id: entity.shop.store
    type: entity
    name: shop.store
    stability: development
    brief: A store.
    attributes:
      - ref: shop.cart
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.cart
        type: string
        stability: development
        brief: The cart.
        examples: ["c1"]
      - id: shop.total
        type: int
        stability: stable
        brief: The total.
      - id: Shop.Bad
        type: int
        stability: stable
        brief: Upper case.
      - id: nonamespace
        type: int
        stability: stable
        brief: No namespace.
      - id: shop.state
        type:
          members:
            - {id: Open, value: open, stability: stable}
        stability: stable
        brief: State.
  - id: metric.shop.orders
    type: metric
    metric_name: shop.orders
    instrument: counter
    unit: "1"
    stability: stable
    brief: Orders.
    attributes:
      - ref: shop.cart
        requirement_level: required
      - ref: shop.total
  - id: metric.shop.orders.failed
    type: metric
    entity_associations: [shop.store, no.such.entity]
    metric_name: shop.orders.failed
    instrument: counter
    unit: "1"
    stability: development
    brief: Failed orders.
    attributes:
      - ref: shop.cart
        requirement_level: opt_in
"""


def test_each_signal_policy_broken_once(tmp_path: Path) -> None:
    found = {
        (f.id, f.group, f.attribute)
        for f in check_registry(write_registry(tmp_path / "registry", MODEL)).findings
    }
    assert (
        "stability_metric_lower_stability_attribute",
        "metric.shop.orders",
        "shop.cart",
    ) in found
    # opt_in lets a development attribute into a metric; equal stability is fine
    assert not any(
        f[0].startswith("stability_") and f[1] == "metric.shop.orders.failed" for f in found
    )
    assert ("naming_conventions_metric_namespace_collision", "metric.shop.orders", None) in found
    unknown = {f[1] for f in found if f[0] == "entity_association_violation"}
    assert unknown == {"metric.shop.orders.failed"}
    names = {f[2] for f in found if f[0] == "yaml_schema_violation"}
    assert names == {"Shop.Bad", "nonamespace", "shop.state"}


def test_declared_exceptions_are_honoured(tmp_path: Path) -> None:
    excepted = MODEL.replace(
        "    metric_name: shop.orders\n",
        "    metric_name: shop.orders\n    annotations:\n"
        "      stability: {policy_exceptions: [metric_lower_stability_attribute]}\n"
        "      naming_conventions: {policy_exceptions: [metric_namespace_collision]}\n",
        1,
    )
    ids = {f.id for f in check_registry(write_registry(tmp_path / "registry", excepted)).findings}
    assert "stability_metric_lower_stability_attribute" not in ids
    assert "naming_conventions_metric_namespace_collision" not in ids


def test_semantic_conventions_rely_on_their_exceptions(
    shared_projects: Path, tmp_path: Path
) -> None:
    """v1.44.0 is clean only because hw.temperature and friends declare exceptions."""
    copy = tmp_path / "semconv"
    shutil.copytree(shared_projects.parent / "semconv-v1.44.0", copy)
    metrics = copy / "hardware" / "temperature-metrics.yaml"
    metrics.write_text(metrics.read_text().replace("- metric_namespace_collision", "- none"))
    found = check_registry(copy).findings
    assert {f.signal_name for f in found} == {"hw.temperature"}
    assert {f.id for f in found} == {"naming_conventions_metric_namespace_collision"}
