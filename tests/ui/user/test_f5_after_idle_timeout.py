"""The server dropped the idle connection (vsftpd's idle timeout, "421 Timeout."), the
person comes back and presses F5, as in FileZilla: the folder is listed again on a new
connection. F5 answered "Refresh failed: the control connection is no longer open;
reconnect" and waited for a click on Reconnect."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer

from .helpers import connect

pytestmark = pytest.mark.gui


def test_f5_reconnects_after_the_server_dropped_the_idle_connection(window, qtbot) -> None:
    first = DemoServer("healthy").start()
    port, password = first.port, first.password
    try:
        connect(window, qtbot, first)
        pane = window.remote_pane
        pane.path_bar.lineEdit().setText("/docs")
        qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: pane.current_path == "/docs" and not window.connection.busy,
                        timeout=15_000)
    finally:
        first.stop()  # the idle connection is closed by the server
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Failed", timeout=15_000)
    with DemoServer("healthy", port=port, password=password):  # back for the next login
        old_session = window.connection.session
        pane.view.setFocus()
        qtbot.keyClick(pane.view, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: window.connection.session is not old_session
                        and window.status.state_label.text() == "Ready"
                        and not window.connection.busy, timeout=15_000)
        window.bridge.flush()
        assert pane.current_path == "/docs"
        assert pane.model.row_of_name("guide.txt") is not None
        assert not pane.banner.isVisible(), pane.banner.text
