"""Small dialogs are wide enough for their whole title bar text: Server → Create
folder… in the server's root folder showed "Create f… nspector"."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog

from client.demo import DemoServer
from client.engine.settings import TransferMode

from .test_main_window import connect_quick

pytestmark = pytest.mark.gui


def test_create_folder_dialog_shows_its_whole_title(window, qtbot) -> None:
    QGuiApplication.setApplicationDisplayName("FTP Inspector")
    with DemoServer("healthy", give_up_after=2.0) as demo:
        connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
        assert window.remote_pane.current_path == "/"
        window.mkdir_action.trigger()  # Server → Create folder…
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
