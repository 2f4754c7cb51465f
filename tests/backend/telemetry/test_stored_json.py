"""The JSON spans are stored as: quick to write, and every attribute value read back
as it came, NaN, infinities and integers past 64 bits included."""

from __future__ import annotations

import json
import math

from backend.telemetry.model import dumps


def test_values_read_back_as_they_came() -> None:
    attributes = {
        "http.route": "/items/{id}",
        "server.port": 8080,
        "ratio": 0.1,
        "big": 2**63 - 1,
        "ok": True,
        "tags": ["a", "ü", "日本"],
        "nested": {"k": [1, 2.5, {"deep": "x"}]},
        "hostile": "\x1b[31mred\x1b[0m [bold]markup[/bold]",
    }
    text = dumps(attributes)
    assert json.loads(text) == attributes
    assert "\x1b" not in text  # control characters are escaped, never raw in the store
    assert " " not in dumps({"a": [1, 2], "b": {"c": 3}})  # compact


def test_non_finite_doubles_and_huge_integers_are_kept() -> None:
    """orjson alone would store NaN and infinities as null and refuse 2**70."""
    back = json.loads(dumps({"nan": math.nan, "up": math.inf, "down": -math.inf}))
    assert math.isnan(back["nan"]) and back["up"] == math.inf and back["down"] == -math.inf
    assert json.loads(dumps({"huge": 2**70}))["huge"] == 2**70
    assert (
        json.loads(dumps([{"time_unix_nano": 2**64 + 1, "attributes": {}}]))[0]["time_unix_nano"]
        == 2**64 + 1
    )
    assert json.loads(dumps({"empty": None})) == {"empty": None}


def test_empty_values_are_the_empty_shapes() -> None:
    assert dumps({}) == "{}" and dumps([]) == "[]"
