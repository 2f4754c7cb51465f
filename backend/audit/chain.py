"""The audit log: every operation devkit performs, append-only and hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
canonical JSON (sorted keys, no spaces, UTF-8; every field but `hash`), so a
changed field, a removed row or rows put in another order break the chain where
it happened. Appending reads the last hash and inserts inside one write
transaction, so two processes writing to one database keep one valid chain.

A hash chain cannot show that the newest entries were cut off (nothing comes
after them to disagree); keep exports if that matters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

GENESIS = "0" * 64
"""The `prev_hash` of the first entry."""


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def hashed_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """What the hash covers, from a stored row or an exported entry alike."""
    return {
        "seq": entry["seq"],
        "timestamp_ns": entry["timestamp_ns"],
        "user": entry["user"],
        "host": entry["host"],
        "os": entry["os"],
        "action": entry["action"],
        "project": entry["project"],
        "packages": entry["packages"],
        "details": entry["details"],
        "result": entry["result"],
        "duration_ms": entry["duration_ms"],
        "trace_id": entry["trace_id"],
        "prev_hash": entry["prev_hash"],
    }


def entry_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((fields["prev_hash"] + canonical).encode("utf-8")).hexdigest()


def verify_entries(entries: Iterable[dict[str, Any]]) -> Verification:
    """Walk the chain in `seq` order (stored rows or an export read back) and name the
    first entry that was changed, removed, or inserted out of order."""
    expected_seq, expected_prev, count = 1, GENESIS, 0
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            problem = (
                f"entry {expected_seq} is missing (the next one stored is {seq})"
                if seq > expected_seq
                else f"entry {seq} appears again after entry {expected_seq - 1}"
            )
            return Verification(False, count, expected_seq, problem)
        if entry["prev_hash"] != expected_prev:
            problem = (
                f"entry {seq} does not follow entry {seq - 1}: it was inserted or moved,"
                " or the one before it was replaced"
                if seq > 1
                else "entry 1 does not start the chain"
            )
            return Verification(False, count, seq, problem)
        if entry_hash(hashed_fields(entry)) != entry["hash"]:
            return Verification(False, count, seq, f"entry {seq} was changed after it was written")
        expected_seq, expected_prev, count = seq + 1, entry["hash"], count + 1
    return Verification(True, count)
