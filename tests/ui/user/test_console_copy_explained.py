"""Click a 227 reply in the console and press Ctrl+C: the clipboard has the line and
the explanation the console shows under it (the address, and the p1*256+p2 port
arithmetic). Before, only the reply itself was copied: pasted into a mail or a ticket,
the decoded address was lost. Demo server, passive mode, PASV."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

from .helpers import run

pytestmark = pytest.mark.gui


def _click_row(window, qtbot, row: int) -> None:
    view = window.console.view
    index = window.console.model.index(row)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())


def test_ctrl_c_on_a_227_line_copies_its_explanation(window, qtbot) -> None:
    with DemoServer("healthy") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, use_epsv=False)
        run(qtbot, window.connect_to(settings))
        window.bridge.flush()
        model = window.console.model
        texts = [model.data(model.index(r)) for r in range(model.rowCount())]
        row = next(r for r, t in enumerate(texts) if "← 227 " in t)
        below = []
        for text in texts[row + 1:]:
            if "↳" not in text:
                break
            below.append(text.strip())
        assert any("256" in t for t in below), below  # the console explains the port
        QApplication.clipboard().setText("before")
        _click_row(window, qtbot, row)
        qtbot.keyClick(window.console.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        copied = QApplication.clipboard().text().splitlines()
        assert "← 227 " in copied[0]
        assert [line.strip() for line in copied[1:]] == below
