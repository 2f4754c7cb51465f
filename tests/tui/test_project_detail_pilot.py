"""`D` on an inventory row: its project's detail, with the environment manifests beside
it (label and package count, a broken one named) and the bundle's rules it breaks."""

from __future__ import annotations

from pathlib import Path

from screens.project_detail import ProjectDetailScreen
from tests.tui.conftest import make_app, wait_for_inventory, wait_until

PYLOCK = """\
lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "requests"
version = "2.31.0"
archive = {{ url = "https://example.invalid/requests.zip", hashes = {{ sha256 = "00" }} }}

[tool.devkit-tui]
name = "{name}"
"""


async def test_d_shows_the_project_with_its_manifests(demo_workspace: Path, tmp_path: Path) -> None:
    project = demo_workspace / "legacy-scripts"
    (project / "pylock.prod.toml").write_text(PYLOCK.format(name="prod"))
    (project / "pylock.broken.toml").write_text('lock-version = "9"\n')
    (demo_workspace / "devkit-bundle.toml").write_text(
        '[[deny]]\nname = "requests"\nversions = "<2.32"\n'
    )
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        await wait_until(pilot, lambda: "policy violations" in app.dashboard.sub_title)
        await pilot.press("slash", *"project:legacy-scripts requests", "enter", "v")
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ProjectDetailScreen))
        screen = app.screen
        assert isinstance(screen, ProjectDetailScreen)
        assert screen.project.name == "legacy-scripts"
        await wait_until(
            pilot,
            lambda: "prod · 1 packages" in str(screen.query_one("#project-manifests").render()),
        )
        manifests = str(screen.query_one("#project-manifests").render())
        assert "pylock.broken.toml  cannot be read" in manifests
        facts = str(screen.query_one("#project-facts").render())
        assert f"Folder      {project}" in facts
        assert "error deny:requests: requests 2.31.0" in facts
        assert "Charter     act at MEDIUM; allows relock" in facts
        assert "repaired: entropy < 0.3, no conflict" in facts
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ProjectDetailScreen))
