"""Quickconnect from the keyboard: Host, Tab, User, Tab, Password, Tab, Port and Enter
connects, wherever the person pressed Enter (the Port field did nothing)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_enter_in_the_port_field_connects(window, qtbot, demo) -> None:
    window.resize(1366, 740)
    quick = window.quick
    quick.host.setFocus()
    qtbot.keyClicks(quick.host, demo.host)
    qtbot.keyClick(quick.host, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.user, demo.user)
    qtbot.keyClick(quick.user, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.password, demo.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.port, str(demo.port))
    assert quick.port.value() == demo.port
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        qtbot.keyClick(quick.port, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
