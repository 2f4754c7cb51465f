"""The inventory crosses from the scan process as a pickle made by each class's own
`__init__`: it must come back field for field, every flag, note and usage in place,
and the collector pause it is made under must leave the collector as it found it."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import pytest

from backend.collector import collector_paused
from backend.inventory.build import build_inventory
from backend.inventory.model import Inventory
from backend.workspace.scan_process import full_scan, read_child_scan
from backend.workspace.scanner import Scanner


@pytest.fixture
def inventory(shared_projects: Path) -> Inventory:
    return build_inventory([shared_projects], Scanner().scan_all([shared_projects]))


def test_a_pickled_inventory_comes_back_equal(inventory: Inventory) -> None:
    usage = next(u for row in inventory.packages.values() for u in row.usages if u.declarations)
    usage.notes["yanked"] = "a reason"  # fields past the first few, set after the build
    usage.latest, usage.severity = "99.0", "high"
    again = pickle.loads(pickle.dumps(inventory, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == inventory
    row = again.packages[next(iter(inventory.packages))]
    assert type(row.usages[0].flags) is set and isinstance(row.name, str)
    same = next(u for r in again.packages.values() for u in r.usages if u.notes)
    assert (same.notes, same.latest, same.severity) == ({"yanked": "a reason"}, "99.0", "high")


def test_the_scan_process_result_reads_back_as_made(shared_projects: Path) -> None:
    data = full_scan([shared_projects], 8, None, derive=build_inventory)
    result = read_child_scan(data)
    direct = Scanner().scan_all([shared_projects])
    assert [s.path for s in result.scans] == [s.path for s in direct]
    assert result.derived is not None
    assert result.derived[0].packages == build_inventory([shared_projects], direct).packages


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was_found(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("work that fails")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
