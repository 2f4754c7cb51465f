"""The advisory database at size: import of an OSV export of at least 15,000 records
(the shared PyPA ones repeated under other package names and ids), a second import with
nothing changed, and the offline match of 10,000 (name, version) pairs.

    uv run python tests/bench/bench_vulns.py [--copies 46]

Goals (issue 17): match under 1 s, import under 30 s, a second import under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.inventory.model import Inventory, PackageRow, ProjectInfo, Usage  # noqa: E402
from backend.security.advisories import advisories_for, import_export  # noqa: E402
from backend.security.matching import match_inventory  # noqa: E402
from backend.store.database import Store  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "advisories"


def build_export(target: Path, copies: int) -> tuple[int, list[tuple[str, str]]]:
    """A zip of JSON records; returns the count and (name, version) pairs to match."""
    records = [yaml.safe_load(p.read_text()) for p in sorted((SHARED / "vulns").rglob("*.yaml"))]
    pairs: list[tuple[str, str]] = []
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for copy in range(copies):
            for record in records:
                clone = json.loads(json.dumps(record, default=str))
                clone["id"] = f"{record['id']}-{copy}"
                clone["aliases"] = [f"{a}-{copy}" for a in record.get("aliases", [])]
                for affected in clone.get("affected", []):
                    name = f"{affected['package']['name']}-copy{copy}"
                    affected["package"]["name"] = name
                    versions = affected.get("versions") or ["1.0"]
                    pairs.append((name.lower(), versions[len(versions) // 2]))
                out.writestr(f"{clone['id']}.json", json.dumps(clone))
                count += 1
    return count, pairs


def inventory_of(pairs: list[tuple[str, str]]) -> Inventory:
    """One row per package name; each pair a usage of it in a project of its own."""
    packages: dict[str, PackageRow] = {}
    for index, (name, version) in enumerate(pairs):
        usage = Usage(f"p{index}", [], [version], None, True)
        packages.setdefault(name, PackageRow(name, [], set())).usages.append(usage)
    projects = [ProjectInfo(Path(f"/bench/p{i}"), f"p{i}", "pyproject", [], None, [])
                for i in range(len(pairs))]  # fmt: skip
    return Inventory([Path("/bench")], projects, packages)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=46, help="335 records each")
    copies = parser.parse_args().copies
    work = Path(tempfile.mkdtemp(prefix="devkit-vulns-"))
    export = work / "all.zip"
    count, pairs = build_export(export, copies)
    pairs = (pairs * (10_000 // len(pairs) + 1))[:10_000]
    store = Store(work / "db.sqlite3")
    await store.open()
    started = time.perf_counter()
    first = await import_export(store, export)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    again = await import_export(store, export)
    reimported = time.perf_counter() - started
    inventory = inventory_of(pairs)
    started = time.perf_counter()
    found = await advisories_for(store, set(inventory.packages))
    results = match_inventory(inventory, found, covered=True)
    matched = time.perf_counter() - started
    await store.close()
    vulnerable = sum(r.state == "vulnerable" for r in results)
    print(f"export: {count:,} records ({export.stat().st_size / 1e6:.1f} MB zip)")
    print(f"  import               {imported:7.2f} s  ({first.written:,} written; goal < 30 s)")
    print(f"  import again         {reimported:7.2f} s  ({again.written} written; goal < 2 s)")
    print(
        f"  match {len(results):,} pairs   {matched:7.2f} s  ({vulnerable:,} vulnerable; goal < 1 s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
