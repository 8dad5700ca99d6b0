"""What follows the tab shown, as a person switches tabs: the quickconnect fields show
the tab's own server (an empty tab: empty fields; a tab not connected yet: what was
typed there), so Connect never opens the other tab's server by mistake."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

# ruff: noqa: F401, F811 - the imported ``other`` and ``two_tabs`` fixtures are test parameters
from .test_tabs import click_tab, ctrl, other, two_tabs

pytestmark = pytest.mark.gui


def fields(window) -> tuple[str, str, int]:
    quick = window.quick
    return quick.host.text(), quick.user.text(), quick.port.value()


def test_quickconnect_shows_the_server_of_the_tab_shown(two_tabs, qtbot, demo, other) -> None:
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    assert fields(window) == ("127.0.0.1", demo.user, demo.port)
    click_tab(window, qtbot, second)
    assert fields(window) == ("127.0.0.2", other.user, other.port)
    # a new tab: empty fields; what the person types there stays with that tab
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 3)
    third = window.current_tab
    assert fields(window) == ("", "", 0) and window.quick.password.text() == ""
    qtbot.keyClicks(window.quick.host, "127.0.0.9")
    qtbot.keyClicks(window.quick.user, "alice")
    click_tab(window, qtbot, first)
    assert fields(window) == ("127.0.0.1", demo.user, demo.port)
    click_tab(window, qtbot, third)
    assert fields(window) == ("127.0.0.9", "alice", 0)


def test_connect_after_switching_opens_the_server_of_the_tab_shown(two_tabs, qtbot) -> None:
    """Tab 1 shown after tab 2; Connect, "In a new tab": a second connection to tab 1's
    server (the fields never carry tab 2's server into it)."""
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible())
    box = window.tabs.where_box
    assert "127.0.0.1" in box.text()
    new = next(b for b in box.findChildren(QPushButton) if "new tab" in b.text().replace("&", ""))
    qtbot.mouseClick(new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 3
                    and window.current_tab.connection.is_connected, timeout=15_000)
    assert window.current_tab.connection.settings.host == "127.0.0.1"
    assert fields(window)[0] == "127.0.0.1"
