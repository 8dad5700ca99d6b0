"""The "file exists" question for a short path was as narrow as its text, and the title
bar cut its title to "The target file ... FTP Inspector"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication

from client.demo import UPLOAD_FOLDER

from .helpers import connect

pytestmark = pytest.mark.gui


def test_the_exists_question_shows_its_whole_title(window, qtbot, demo) -> None:
    QGuiApplication.setApplicationDisplayName("FTP Inspector")
    (demo.root / UPLOAD_FOLDER / "a.txt").write_text("there")
    connect(window, qtbot, demo)
    pane = window.remote_pane
    pane.path_bar.lineEdit().setText(f"/{UPLOAD_FOLDER}")
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == f"/{UPLOAD_FOLDER}"
                    and not window.connection.busy, timeout=15_000)
    local = window.local_pane
    (local.current / "a.txt").write_text("mine")
    view = local.view
    qtbot.waitUntil(lambda: any(view.model().index(r, 0, view.rootIndex()).data() == "a.txt"
                                for r in range(view.model().rowCount(view.rootIndex()))))
    row = next(r for r in range(view.model().rowCount(view.rootIndex()))
               if view.model().index(r, 0, view.rootIndex()).data() == "a.txt")
    index = view.model().index(row, 0, view.rootIndex())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.keyClick(view, Qt.Key.Key_Return)  # upload
    qtbot.waitUntil(lambda: window.exists_asker.current is not None, timeout=15_000)
    dialog = window.exists_asker.current
    qtbot.waitExposed(dialog)
    font = QFont(QApplication.font())
    font.setBold(True)
    title = f"{dialog.windowTitle()} \u2014 FTP Inspector"
    shown = QFontMetrics(font).horizontalAdvance(title)
    assert dialog.width() >= shown + 100, (dialog.width(), shown)  # + icon and buttons
    dialog.reject()
