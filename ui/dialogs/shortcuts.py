"""Help > Keyboard shortcuts: every shortcut of the window, the map's mouse and the
presentation keys, listed from the actions themselves so the list never goes stale;
Help > Glossary: the words of the app's numbers (:mod:`ui.logic.glossary`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from .text import TextDialog

MAP_GESTURES: tuple[tuple[str, str], ...] = (
    ("Click", "select a site and show its details"),
    ("Ctrl+click", "add a site to the selection (or remove it)"),
    ("Shift+drag, Ctrl+drag", "select the sites in a rectangle"),
    ("Drag, middle-drag", "pan"),
    ("Mouse wheel", "zoom around the pointer"),
    ("Double-click the background", "fit the whole network"),
)
PRESENTATION_KEYS: tuple[tuple[str, str], ...] = (
    ("Right, Left", "next, previous view"),
    ("Page Down, Page Up", "next, previous scenario with results"),
    ("Home, End", "first, last view"),
    ("F12", "save the view as a PNG and a one-slide PowerPoint deck"),
    ("Esc or F11", "leave presentation mode"),
)


def action_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for every action with a shortcut, in the order given."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k]
        if keys:
            text = action.text().replace("&", "").rstrip("…").rstrip(".")
            rows.append((", ".join(keys), text))
    return rows


def _section(title: str, rows: Sequence[tuple[str, str]]) -> str:
    head = (
        f"<tr><td colspan='2' style='padding:12px 0 4px 0; font-size:large'>"
        f"<b>{escape(title)}</b></td></tr>"
    )
    return head + "".join(
        f"<tr><td style='padding:3px 18px 3px 0'><b>{escape(k)}</b></td>"
        f"<td style='padding:3px 0'>{escape(v)}</td></tr>"
        for k, v in rows
    )


def shortcuts_html(actions: Iterable[QAction]) -> str:
    """One table, so the key column lines up across the sections."""
    return (
        "<table cellspacing='0'>"
        + _section("Window", action_rows(actions))
        + _section("Network map", MAP_GESTURES)
        + _section("Presentation mode (F11)", PRESENTATION_KEYS)
        + "</table>"
    )


class ShortcutsDialog(TextDialog):
    """A non-modal list of the shortcuts."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__("Keyboard shortcuts", shortcuts_html(actions), (560, 640), parent)


class GlossaryDialog(TextDialog):
    """Help > Glossary: every word of the app's numbers with its meaning (non-modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from ..logic.glossary import glossary_html

        super().__init__("Glossary", glossary_html(), (640, 680), parent)
