"""The hung-listing banner without a mouse: Tab from its buttons reaches "Why?" and
"Session log", and Enter on "Why?" selects the failing line in the console (the links
answered only to clicks, so a keyboard user could not ask why). Demo server, stall
scenario."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.demo import DemoServer
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_why_and_session_log_are_reached_and_used_with_the_keyboard(window, qtbot) -> None:
    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        window.spawn(window.connect_to(settings), pane=window.remote_pane)
        banner = window.hung_listing.banner
        qtbot.waitUntil(lambda: banner.isVisible() and not window.connection.busy,
                        timeout=20_000)
        window.bridge.flush()
        window.activateWindow()
        banner.buttons[RecoveryAction.RETRY_ACTIVE].setFocus()
        reached = []
        for _ in range(8):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            reached.append(QApplication.focusWidget())
            if reached[-1] is banner.why:
                break
        assert banner.why in reached, " | ".join(f"{type(w).__name__}:{w.objectName()}:{getattr(w, 'text', lambda: '')()}" for w in reached)
        console = window.console
        with qtbot.waitSignal(banner.why_requested):
            qtbot.keyClick(banner.why, Qt.Key.Key_Return)
        selected = console.view.selectionModel().selectedRows()
        assert selected and console.model.seq_of_row(selected[0].row()) == banner.console_row
        banner.why.setFocus()
        qtbot.keyClick(banner.why, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is banner.log_link
