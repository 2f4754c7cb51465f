"""Each subcommand loads only what it uses: its module and `--help` load neither the
UI nor the backend's machinery, and no headless command loads textual or rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.cli import COMMANDS
from tests.helpers import REPOSITORY

HEAVY = (
    "textual", "rich", "opentelemetry", "aiosqlite", "aiohttp", "yaml", "backend.service",
    "asyncio", "pydantic", "dataclasses",
)  # fmt: skip
HEADLESS = sorted(name for name in COMMANDS if name != "demo")  # demo opens the dashboard


def loaded_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running `code`."""
    probe = (
        f"import sys\n{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m for m in sys.modules for h in heavy if m == h or m.startswith(h + '.')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPOSITORY
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout.strip().splitlines()[-1])  # a printed list of names


@pytest.mark.parametrize("name", [*COMMANDS, None])
def test_help_loads_no_backend_and_no_ui(name: str | None) -> None:
    args = [name, "--help"] if name else ["--help"]
    code = (
        "import contextlib, io\nfrom app.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({args!r})"
    )
    assert loaded_after(code) == []


def test_every_headless_command_module_is_free_of_ui() -> None:
    imports = "\n".join(
        f"import {COMMANDS[name].module}; {COMMANDS[name].module}.run" for name in HEADLESS
    )
    imports += "\nfrom backend.service import Backend"  # and what their `run` opens
    loaded = loaded_after(imports)
    assert not [m for m in loaded if m.split(".")[0] in ("textual", "rich")], loaded


def test_the_dashboard_loads_no_pydantic_before_a_file_needs_it() -> None:
    """Configuration and policy files are pydantic models, loaded when such a file is
    read: the dashboard's modules, and the backend it opens, load none of it."""
    loaded = loaded_after("import app.tui\nfrom backend.service import Backend")
    assert not [m for m in loaded if m.split(".")[0] == "pydantic"], loaded
