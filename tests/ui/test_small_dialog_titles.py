"""Small dialogs are wide enough for their whole title bar text: the Create folder
question opened from the local pane showed "Create f… nspector"."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog

pytestmark = pytest.mark.gui


def test_create_folder_dialog_shows_its_whole_title(window, qtbot) -> None:
    QGuiApplication.setApplicationDisplayName("FTP Inspector")
    window.local_pane.mkdir_requested.emit()  # the pane's "Create folder…" entry
    qtbot.waitUntil(lambda: any(isinstance(w, QInputDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QInputDialog) and w.isVisible())
    assert dialog.windowTitle() == "Create folder"
    font = QFont(QApplication.font())
    font.setBold(True)
    shown = QFontMetrics(font).horizontalAdvance("Create folder \u2014 FTP Inspector")
    assert dialog.width() >= shown + 100, (dialog.width(), shown)  # + icon and buttons
    dialog.reject()
