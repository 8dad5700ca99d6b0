"""The row a person chose in an item view, told apart from the current index the view
moves on its own.

Focus arriving in a view (Tab, or the window becoming active again after a dialog)
makes its first row current without selecting it; rows removed under the current one
move it too. Neither is a choice, and a listener that follows the choice (the console
and the diagram cross-select) must not jump. A choice is the current index while it is
selected: a click sets the current index first and selects it after, the keyboard
selects first, so both signals are watched.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView

__all__ = ["on_index_chosen"]


def on_index_chosen(view: QAbstractItemView, slot: Callable[[QModelIndex], None]) -> None:
    """Call ``slot(index)`` whenever the person makes ``index`` the chosen row of
    ``view`` (current and selected); never for a current index nobody selected."""
    selection = view.selectionModel()

    def check(*_args: object) -> None:
        current = selection.currentIndex()
        if current.isValid() and selection.isSelected(current):
            slot(current)

    selection.currentChanged.connect(check)
    selection.selectionChanged.connect(check)
