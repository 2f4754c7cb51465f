"""The user's keymap: which binding ids exist (so a typo in `[keymap]` is named, not
silently ignored), and the keymap checked against them."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

PACKAGES = ("app", "screens", "widgets")


def binding_ids() -> dict[str, str]:
    """Every binding id of our screens and widgets, with what it does. Screens that
    load on first use (the update plan) are imported here, so none is missed."""
    import screens
    import widgets

    for package in (screens, widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found: dict[str, str] = {}
    stack: list[type[DOMNode]] = [DOMNode]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith(PACKAGES):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding.tooltip or binding.description)
    return found


def checked_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries that name a binding, and the ids that name none."""
    known = binding_ids()
    unknown = sorted(set(keymap) - set(known))
    return {k: v for k, v in keymap.items() if k in known}, unknown
