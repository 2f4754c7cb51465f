"""Backward compatibility against a baseline registry (`check --baseline-registry`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from backend.weaver.check import check_registry
from tests.helpers import REPOSITORY
from tests.support.registries import write_registry

BASE = """groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.cart
        type: string
        stability: stable
        brief: Cart.
        examples: ["c"]
      - id: shop.total
        type: int
        stability: stable
        brief: Total.
      - id: shop.note
        type: string
        stability: development
        brief: Note.
        examples: ["n"]
      - id: shop.state
        type:
          members:
            - {id: open, value: open, stability: stable}
            - {id: closed, value: closed, stability: stable}
        stability: stable
        brief: State.
  - id: metric.shop.orders
    type: metric
    metric_name: shop.orders
    instrument: counter
    unit: "{order}"
    stability: stable
    brief: Orders.
    attributes:
      - ref: shop.cart
"""


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.message for f in result.findings if f.id == "backward_compatibility")


def test_breaking_changes_are_named(tmp_path: Path) -> None:
    base = write_registry(tmp_path / "base", BASE)
    nxt = (
        BASE.replace("      - id: shop.note\n        type: string\n        stability: development\n"
                     "        brief: Note.\n        examples: [\"n\"]\n", "")
        .replace("shop.total\n        type: int", "shop.total\n        type: double")
        .replace("            - {id: closed, value: closed, stability: stable}\n", "")
        .replace("value: open,", "value: opened,")
        .replace('unit: "{order}"', 'unit: "1"')
    )  # fmt: skip
    current = write_registry(tmp_path / "next", nxt)
    assert messages(check_registry(current, baseline=base)) == [
        "Attribute 'shop.note' no longer exists in the attribute registry",
        "Attribute 'shop.total' was 'int', but has new type 'double'",
        "Enum 'shop.state' had member 'closed', but is no longer defined",
        "Enum 'shop.state' had stable value 'open', but is now 'opened'",
        "Metric 'shop.orders' cannot change unit (was '{order}', now: '1')",
    ]
    assert messages(check_registry(base, baseline=base)) == []


def test_weaver_baseline_pair_and_semconv_against_itself(shared_projects: Path) -> None:
    pair = shared_projects.parent / "weaver-cases" / "tests" / "v2_check_baseline"
    breaks = messages(check_registry(pair / "next", baseline=pair / "base"))
    assert breaks == [
        "Metric 'my.metric' cannot remove required/recommended attributes (missing '['my.attr']')"
    ]  # the next release dropped my.attr from the stable metric
    semconv = shared_projects.parent / "semconv-v1.44.0"
    assert check_registry(semconv, baseline=semconv).findings == []


def test_cli_flag(tmp_path: Path) -> None:
    base = write_registry(tmp_path / "base", BASE)
    current = write_registry(tmp_path / "next", BASE.replace('unit: "{order}"', 'unit: "1"'))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "check", "--registry", str(current),
         "--baseline-registry", str(base), "--json", "--engine", "devkit",
         "--db", str(tmp_path / "db.sqlite3")],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert json.loads(done.stdout)["statistics"]["by_id"] == {"backward_compatibility": 1}
    missing = subprocess.run(
        [sys.executable, "-m", "app.cli", "check", "--baseline-registry", str(tmp_path / "nope")],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "no such baseline registry" in missing.stderr
