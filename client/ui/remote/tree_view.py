"""The remote folder tree's view: while there is no folder to show (no connection yet,
or the connection ended) it says so in words instead of showing a bare "/" that
suggests a server with an empty root."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QTreeView, QWidget

__all__ = ["RemoteTreeView"]


class RemoteTreeView(QTreeView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = self.tr("Not connected")
        #: what the last paint wrote over the empty tree ("" when it showed folders)
        self.painted_placeholder = ""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(8, 4, -8, -4)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft),
                             self.placeholder)
            self.painted_placeholder = self.placeholder
        else:
            self.painted_placeholder = ""
