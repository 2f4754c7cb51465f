"""The app's theme colours by name, for Rich styles built in code (cells, labels,
chart series), so they follow a theme change like the CSS does."""

from __future__ import annotations

from textual.dom import DOMNode


def theme_color(node: DOMNode, name: str, fallback: str = "") -> str:
    """The current theme's `name` colour (`accent`, `error`, `warning`, …), else
    `fallback` when the theme leaves it unset or names no such colour."""
    return str(getattr(node.app.current_theme, name, None) or fallback)
