"""Full collections moved to quiet moments: a settle reclaims the garbage made so far,
frozen objects included, and freezes the survivors; it is due again only after as
much activity as CPython lets pass before walking everything itself."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from backend.collector import SettledCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the suite runs with nothing frozen


def test_a_disabled_collector_is_never_due() -> None:
    collector = SettledCollector(enabled=False)
    for _ in range(20):
        gc.collect(1)
    assert not collector.due()


def test_a_settle_frees_cycles_frozen_before_and_freezes_what_survives() -> None:
    collector = SettledCollector(enabled=True)
    assert collector.due()  # never settled: due at the first quiet moment
    garbage = Node()
    gone = weakref.ref(garbage)
    gc.freeze()  # as the start-up does: the cycle is frozen while still alive
    del garbage
    kept = Node()
    collector.settle()
    assert gone() is None  # thawed and collected
    walked = (o for g in range(3) for o in gc.get_objects(generation=g))
    assert gc.get_freeze_count() > 0 and all(o is not kept for o in walked)  # frozen
    assert collector.settled == 1


def test_it_is_due_again_only_after_the_middle_generation_ran_its_count() -> None:
    collector = SettledCollector(enabled=True, every=3)
    collector.settle()
    assert not collector.due()  # nothing has happened since
    for _ in range(2):
        gc.collect(1)
    assert not collector.due()
    gc.collect(1)
    assert collector.due()
