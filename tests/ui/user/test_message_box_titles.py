"""Question boxes are wide enough for their whole title: under openbox at 1366x768,
Ctrl+W on a connected tab asked in a box titled "Close tab … Inspector" (the title bar
cut "Close tab — FTP Inspector" to fit a box as narrow as its two-line text)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from client.ui.dialogs import TITLE_BAR_ROOM

from .helpers import connect

pytestmark = pytest.mark.gui


def test_the_close_tab_question_shows_its_whole_title(window, qtbot, demo) -> None:
    QGuiApplication.setApplicationDisplayName("FTP Inspector")
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.isVisible())
    assert box.windowTitle() == "Close tab"
    font = QFont(QApplication.font())
    font.setBold(True)
    title = QFontMetrics(font).horizontalAdvance("Close tab \u2014 FTP Inspector")
    assert box.width() >= title + TITLE_BAR_ROOM, (box.width(), title)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.connection.is_connected
