"""The dashboard's footer: Textual's, recomposed only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Focus moves and pane changes announce new bindings many times at start-up and on
    every pane switch, mostly with the same keys to show; each recompose mounts and
    styles every key again (a tenth of the dashboard's first paint). This footer
    recomposes only when what it would show differs from what it shows."""

    _shown: tuple[object, ...] | None = None

    @staticmethod
    def keys_shown(screen: Screen[object]) -> tuple[object, ...]:
        """What a compose would show: each shown key, its label, whether enabled."""
        active = screen.active_bindings
        palette = active.get(screen.app.COMMAND_PALETTE_BINDING)
        return (
            *(
                (binding.key, binding.key_display, binding.description, enabled, tooltip)
                for _, binding, enabled, tooltip in active.values()
                if binding.show
            ),
            palette[2] if palette else None,
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self.keys_shown(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            keys = self.keys_shown(screen)
            if keys == self._shown:
                return
            if screen.app.app_focus:  # else Footer waits for the focus to come back
                self._shown = keys  # what the recompose this schedules will show
        super().bindings_changed(screen)
