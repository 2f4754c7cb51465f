"""Builders for real files used by several tests: environments and dist-info folders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def aged(root: Path) -> None:
    """Every path under `root` (or `root` itself, a file) last changed a minute ago:
    settled, so what is read from it is kept between runs."""
    past = time.time_ns() - 60_000_000_000
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            os.utime(Path(folder, name), ns=(past, past))
        os.utime(folder, ns=(past, past))
    if root.is_file():
        os.utime(root, ns=(past, past))


def make_venv(folder: Path, dists: dict[str, str], python: str = "3.11.7") -> Path:
    """A virtual environment folder with one dist-info per `name: version`."""
    (folder).mkdir(parents=True, exist_ok=True)
    (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion_info = {python}\n")
    site = folder / "lib" / f"python{'.'.join(python.split('.')[:2])}" / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    for name, version in dists.items():
        add_dist(site, name, version)
    return folder


def add_dist(
    site: Path,
    name: str,
    version: str,
    summary: str = "",
    requires: tuple[str, ...] = (),
    metadata: str | None = None,
) -> Path:
    """Write `<name>-<version>.dist-info` with METADATA, RECORD and INSTALLER."""
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    if metadata is None:
        lines = ["Metadata-Version: 2.3", f"Name: {name}", f"Version: {version}"]
        if summary:
            lines.append(f"Summary: {summary}")
        lines += [f"Requires-Dist: {r}" for r in requires]
        metadata = "\n".join(lines) + "\n\n"
    (dist / "METADATA").write_text(metadata, encoding="utf-8")
    (dist / "RECORD").write_text(
        f"{name}/__init__.py,sha256=abc,100\n{name}/core.py,sha256=def,250\n"
    )
    (dist / "INSTALLER").write_text("uv\n")
    return dist


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python*/site-packages"))


def start_serve(workspace: Path, db: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """`devkit-tui serve` on a free port; returns the process and its traces URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            str(workspace),
            "--otlp-port",
            "0",
            "--db",
            str(db),
            *extra,
        ],
        cwd=REPOSITORY,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            return process, found.group(1) + "/v1/traces"
    process.kill()
    raise AssertionError("serve exited before it said where it listens")


SPAN_BASE_NS = 29_833_333 * 60_000_000_000
"""A fixed start time on a minute boundary, so per-minute buckets line up."""


def span_records(
    name: str,
    durations: list[float],
    *,
    service: str = "svc",
    errors: set[int] | frozenset[int] = frozenset(),
    step_s: float = 6.0,
    first: int = 0,
    kind: int = 1,
    base_ns: int = SPAN_BASE_NS,
):  # type: ignore[no-untyped-def]
    """Spans of one operation with fixed ids and times, one every `step_s` seconds
    from `base_ns`; the spans at index `errors` have error status."""
    from backend.telemetry.model import ResourceRecord, ScopeRecord, SpanRecord

    resource, scope = ResourceRecord({"service.name": service}), ScopeRecord(service, "1")
    step_ns = int(step_s * 1e9)
    return [
        SpanRecord(
            trace_id=(sum(map(ord, name)) * 100_000 + i + 1).to_bytes(16, "big"),
            span_id=(i + 1).to_bytes(8, "big"),
            parent_span_id=None,
            name=name,
            kind=kind,
            start_ns=base_ns + i * step_ns,
            end_ns=base_ns + i * step_ns + int(d * 1e6),
            status_code=2 if i in errors else 0,
            status_message="",
            attributes={},
            events=[],
            links=[],
            resource=resource,
            scope=scope,
        )
        for i, d in enumerate(durations, start=first)
    ]
