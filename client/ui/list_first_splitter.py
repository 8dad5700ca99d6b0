"""The folder tree above the file list, split so that a smaller window takes its room
from the tree first.

A QSplitter gives all of a shrink to the widget with the stretch (the list), so at
1024x600 the list showed one row under a tree of six. Here, when the split gets
shorter and the list has fewer than :data:`LIST_ROWS` rows, the tree gives way down to
its minimum; a split the person set in a bigger window is otherwise kept.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

__all__ = ["ListFirstSplitter", "LIST_ROWS"]

#: rows (plus the header) the list keeps before the tree may stay taller than its minimum
LIST_ROWS = 6


class ListFirstSplitter(QSplitter):
    """Vertical: ``tree`` on top, ``view`` below (both added here)."""

    def __init__(self, tree: QWidget, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.addWidget(tree)
        self.addWidget(view)
        self.setStretchFactor(1, 3)
        self._tree, self._view = tree, view

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.size().height() >= event.oldSize().height() or event.oldSize().height() < 0:
            return
        tree, view = self.sizes()
        wanted = self._view.fontMetrics().height() * (LIST_ROWS + 1)
        spare = tree - self._tree.minimumHeight()
        if view < wanted and spare > 0:
            moved = min(wanted - view, spare)
            self.setSizes([tree - moved, view + moved])
