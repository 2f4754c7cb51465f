"""Control limits kept in the store, so limits fixed from a baseline stay fixed
across restarts and are shared by the dashboard and `devkit-tui spc`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

from backend.spc.charts import ChartLimits, Limits
from backend.spc.series import SeriesOptions
from backend.store.database import Store


def _key(options: SeriesOptions) -> tuple[str, str, int]:
    scale = "proportion" if options.chart == "p" else ("log(ms)" if options.log else "ms")
    subgroup = options.subgroup if options.chart in ("xbar-r", "xbar-s") else 1
    return options.chart, scale, subgroup


async def load(store: Store, options: SeriesOptions) -> dict[str, ChartLimits]:
    """Every span's stored limits for this chart kind, scale and subgroup size."""
    chart, scale, subgroup = _key(options)
    rows = await store.query(
        "SELECT span, limits FROM spc_baselines WHERE chart = ? AND scale = ? AND subgroup = ?",
        (chart, scale, subgroup),
    )
    return {row[0]: _limits(json.loads(row[1])) for row in rows}


async def save(store: Store, span: str, options: SeriesOptions, limits: ChartLimits) -> None:
    chart, scale, subgroup = _key(options)
    await store.write(
        [
            (
                "INSERT OR REPLACE INTO spc_baselines"
                " (span, chart, scale, subgroup, limits, computed_ns) VALUES (?, ?, ?, ?, ?, ?)",
                [(span, chart, scale, subgroup, json.dumps(asdict(limits)), time.time_ns())],
            )
        ]
    )


def _limits(document: dict) -> ChartLimits:  # type: ignore[type-arg]
    spread = document.get("spread")
    return ChartLimits(
        kind=document["kind"],
        main=Limits(**document["main"]),
        spread=Limits(**spread) if spread else None,
        sigma_within=document["sigma_within"],
        subgroup_size=document.get("subgroup_size", 1),
    )
