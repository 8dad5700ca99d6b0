"""The panes' path bars: editable combo boxes over the folders visited.

QComboBox completes inline from its items by default, and case-insensitively: at
``/docs``, typing ``/`` became ``/docs`` before Enter, and typing a parent of a folder
visited before opened that folder. Here the visited folders are offered in a popup
instead, matched exactly (paths are case-sensitive), so Enter opens what was typed
unless a suggestion is picked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter

__all__ = ["typed_path_wins"]


def typed_path_wins(combo: QComboBox) -> None:
    """Suggest in a popup what ``combo`` would have completed inline."""
    completer = combo.completer()
    if completer is None:
        return
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)
