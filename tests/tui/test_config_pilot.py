"""The configuration file in the dashboard: a remapped key works, `?` shows it with its
binding id, an unknown binding id or theme is named in a notice, and the rest applies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.tui import DevkitApp
from backend.settings import Settings
from screens.dashboard import DashboardScreen
from screens.help import HelpScreen
from screens.monitor import MonitorScreen
from tests.tui.conftest import wait_for_inventory, wait_until


def configured_app(root: Path, db: Path, **values: object) -> DevkitApp:
    settings = Settings(
        roots=[root], db_path=db, watch=False, trace_self=False,
        config_file=root / "config.toml", **values,  # type: ignore[arg-type]
    )  # fmt: skip
    return recording(DevkitApp(settings))


def recording(app: DevkitApp) -> DevkitApp:
    """Every notice the app raises, kept for `notices`: Textual drops a notice once its
    timeout (5 s) has passed, which a loaded machine can let happen before the test
    gets to look."""
    raised: list[str] = []
    notify = app.notify

    def kept(message: str, *args: Any, **options: Any) -> None:
        raised.append(str(message))
        notify(message, *args, **options)

    app.notify = kept  # type: ignore[method-assign]
    app.raised = raised  # type: ignore[attr-defined]
    return app


def notices(app: DevkitApp) -> list[str]:
    return list(app.raised)  # type: ignore[attr-defined]


async def test_a_remapped_key_works_and_help_shows_it(demo_workspace: Path, tmp_path: Path) -> None:
    keymap = {"app.monitor": "M", "no.such.binding": "x"}
    app = configured_app(demo_workspace, tmp_path / "db.sqlite3", keymap=keymap, theme="nord")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        assert app.theme == "nord"
        assert any("config.toml: keymap: no binding 'no.such.binding'" in n for n in notices(app))
        await pilot.press("m")  # no longer the monitor's key
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MonitorScreen))
        await pilot.press("m")  # the monitor's own key back is not remapped
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = {binding_id: key for key, _, binding_id in app.screen.keys}  # type: ignore[attr-defined]
        assert keys["app.monitor"] == "M" and keys["app.rescan"] == "r"
        shown = str(app.screen.query_one("Static").render())
        assert "app.monitor" in shown


async def test_an_unknown_theme_is_named_and_the_default_kept(
    demo_workspace: Path, tmp_path: Path
) -> None:
    app = configured_app(demo_workspace, tmp_path / "db.sqlite3", theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_inventory(pilot)
        assert app.theme == "textual-dark"
        assert any("theme: no theme 'no-such-theme'" in n for n in notices(app))


async def test_an_edited_file_applies_live_and_a_bad_edit_keeps_the_settings(
    demo_workspace: Path, tmp_path: Path
) -> None:
    import os

    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n')
    settings = Settings(
        roots=[demo_workspace], db_path=tmp_path / "db.sqlite3", watch=False,
        trace_self=False, config_file=config, theme="nord",
    )  # fmt: skip
    app = recording(DevkitApp(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_inventory(pilot)
        assert app.theme == "nord"

        def edit(text: str) -> None:  # a new size or time, saved whole as editors do
            draft = config.with_suffix(".draft")
            draft.write_text(text)
            stamp = config.stat().st_mtime_ns + 1_000_000_000
            os.utime(draft, ns=(stamp, stamp))
            os.replace(draft, config)  # never seen half written

        edit(
            'theme = "gruvbox"\nbell = true\ndatabase = "/elsewhere.db"\n'
            '[keymap]\n"app.monitor" = "M"\n'
        )
        await wait_until(pilot, lambda: app.config_watch.reloads == 1)
        assert app.theme == "gruvbox" and app.settings.bell
        assert any("restart to apply database" in n for n in notices(app))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MonitorScreen))
        await pilot.press("m")

        app.clear_notifications()
        edit("theme = 7\n")
        await wait_until(
            pilot, lambda: any("not reloaded" in (n.title or "") for n in app._notifications)
        )
        (notice,) = [n for n in app._notifications if "not reloaded" in (n.title or "")]
        assert f"{config}:1: theme: Input should be a valid string" in notice.message
        assert app.theme == "gruvbox" and app.config_watch.reloads == 1  # nothing changed
