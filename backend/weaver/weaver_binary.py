"""The real OpenTelemetry Weaver, when it is installed: `weaver registry check` with
JSON diagnostics, read into our findings, so users with Weaver get Weaver's verdict.

Found as `DEVKIT_WEAVER`, else `weaver` on PATH. Run as an argument list with a
time limit; if it cannot run or its output is not its JSON, that is an error the
caller reports (and falls back to devkit's own checker).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from backend.weaver.findings import Finding
from backend.weaver.weaver_json import from_weaver_json

TIMEOUT_S = 300


class WeaverFailed(RuntimeError):
    """Weaver could not give a verdict (not runnable, crashed, output not JSON)."""


def find_weaver(configured: str | None = None) -> str | None:
    """The configured Weaver (`Settings.weaver_path`, from `DEVKIT_WEAVER`), else PATH's."""
    return configured or shutil.which("weaver")


def weaver_check(weaver: str, registry: Path) -> list[Finding]:
    """Weaver's findings for the registry (a folder or its manifest). Weaver exits
    non-zero when it finds violations; its JSON on stdout is the verdict either way."""
    folder = registry.parent if registry.is_file() else registry
    command = [
        weaver, "--quiet", "registry", "check", "-r", str(folder),
        "--diagnostic-format", "json",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WeaverFailed(f"{weaver}: {exc}") from None
    text = done.stdout.strip()
    if not text:
        if done.returncode == 0:
            return []
        raise WeaverFailed(f"weaver exited {done.returncode}: {done.stderr.strip()[-500:]}")
    try:
        return from_weaver_json(json.loads(text))
    except ValueError as exc:
        raise WeaverFailed(f"weaver's output is not its JSON diagnostics: {exc}") from None
