"""The window when the server drops the idle browsing connection: the status bar stops
saying "Ready" and the remote pane says the connection was lost, with Reconnect, at
once (no click needed to find out). The status bar follows the browsing session only:
a queue worker's or Diagnose's session on the same bus does not change it."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.engine.events import SessionState, SessionStateChanged

pytestmark = pytest.mark.gui


def connect(window, qtbot, server: DemoServer) -> None:
    from PySide6.QtCore import Qt

    quick = window.quick
    quick.host.setText(f"ftp://{server.host}:{server.port}")
    quick.user.setText(server.user)
    quick.password.setText(server.password)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        qtbot.keyClick(quick.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Ready", timeout=15_000)


def test_server_closing_the_idle_connection_shows_at_once(window, qtbot) -> None:
    server = DemoServer("healthy").start()
    try:
        connect(window, qtbot, server)
        assert not window.remote_pane.banner.isVisible()
    finally:
        server.stop()  # closes every connection it has: ours sits idle
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Failed", timeout=15_000)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert "connection to the server was lost" in banner.text
    assert "closed" in banner.text
    assert banner.action_button.isVisible() and banner.action_button.text() == "Reconnect"


def test_status_bar_ignores_other_sessions_on_the_bus(window, qtbot) -> None:
    with DemoServer("healthy") as server:
        connect(window, qtbot, server)
        browsing = window.connection.connection_id
        for state in (SessionState.BUSY, SessionState.FAILED, SessionState.DISCONNECTED):
            window.bus.emit(SessionStateChanged(t=window.bus.now(), connection="c999",
                                                state=state))
        window.bridge.flush()
        assert window.status.state_label.text() == "Ready"
        assert not window.remote_pane.banner.isVisible()
        window.bus.emit(SessionStateChanged(t=window.bus.now(), connection=browsing,
                                            state=SessionState.BUSY))
        window.bridge.flush()
        assert window.status.state_label.text() == "Busy"
