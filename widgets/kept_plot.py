"""A Plotext plot that is built again only when what it shows changed.

Textual renders a widget again whenever its region is laid out anew, a pane shown or
hidden beside it included, and a Plotext build is tens of milliseconds on the UI's
loop. Imported with the first chart, not before the first paint.
"""

from __future__ import annotations

from rich.console import RenderableType
from textual_plotext import PlotextPlot


class KeptPlot(PlotextPlot):
    """`redraw()` after changing `plt`; a render of the same data, size and theme
    hands back the last build."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.generation = 0
        """Moves on every change of the data: part of what a build is kept under."""
        self._kept: tuple[tuple[object, ...], RenderableType] | None = None

    def redraw(self) -> None:
        self.generation += 1
        self.refresh()

    def render(self) -> RenderableType:
        key = (self.size, self.app.theme, self.theme, self.generation)
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, super().render())
        return self._kept[1]
