"""The quickconnect history does not collect the embedded demo server's throwaway
ports: started with --demo, connecting (and connecting again with the Connect button)
records nothing; a server the person types is still recorded."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer

pytestmark = pytest.mark.gui


def connect_here(window, qtbot) -> None:
    """Connect pressed while the tab is connected: the window asks where; this tab."""
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible())
    box = window.tabs.where_box
    next(b for b in box.buttons() if "this tab" in b.text().replace("&", "")).click()


def test_demo_connections_stay_out_of_the_history(window, qtbot) -> None:
    from client.ui.app import open_demo

    with DemoServer("healthy", give_up_after=2.0) as demo, \
            DemoServer("healthy", give_up_after=2.0) as typed:
        task = open_demo(window, demo)  # what --demo does when the window opens
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.exception() is None
        with qtbot.waitSignal(window.connection.connected, timeout=15_000):
            connect_here(window, qtbot)
        assert all(item.port != demo.port for item in window.quick.history())
        window.quick.host.setText(f"ftp://{typed.host}:{typed.port}")
        window.quick.user.setText(typed.user)
        window.quick.password.setText(typed.password)
        with qtbot.waitSignal(window.connection.connected, timeout=15_000):
            connect_here(window, qtbot)
        assert [item.port for item in window.quick.history()] == [typed.port]
