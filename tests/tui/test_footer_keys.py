"""The footer follows the keys that apply, and recomposes only when they change:
moving in a table or re-announcing the same bindings leaves it alone."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tests.tui.conftest import make_app, wait_for_inventory, wait_until
from widgets.key_footer import KeyFooter


def keys_in(footer: KeyFooter) -> set[str]:
    return {key.key for key in footer.query(FooterKey)}


async def test_footer_shows_each_panes_keys_and_stays_put_otherwise(
    demo_workspace: Path, tmp_path: Path
) -> None:
    app = make_app(demo_workspace, tmp_path / "db.sqlite3")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_inventory(pilot)
        footer = app.screen.query_one(KeyFooter)
        await wait_until(pilot, lambda: "u" in keys_in(footer))
        assert "U" not in keys_in(footer)
        composed = []
        original = footer.compose

        def counting_compose():  # type: ignore[no-untyped-def]
            composed.append(1)
            return original()

        footer.compose = counting_compose  # type: ignore[method-assign]
        for _ in range(3):
            await pilot.press("down")
        app.screen.refresh_bindings()  # the same keys, announced again
        await pilot.pause()
        assert composed == []
        await pilot.press("5")  # the audit pane: `U` instead of `u`
        await wait_until(pilot, lambda: "U" in keys_in(footer))
        assert "u" not in keys_in(footer)
        assert len(composed) >= 1
