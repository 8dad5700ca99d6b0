"""The hung-listing banner with two tabs, as a person meets it: a listing that fails in a
tab not shown has its own explanation and buttons waiting there (not the plain red
"Connecting failed" line), a banner stays with its tab when another is looked at, and a
listing that succeeds in one tab does not take away the other tab's banner. One tab on
the healthy demo, one on the stalling demo (silent after 150)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings

from .helpers import connect
from .test_tabs import click_tab, ctrl

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def stalling() -> object:
    server = DemoServer("stall", host="127.0.0.3").start()
    yield server
    server.stop()


def open_stalling_tab(window, qtbot, server: DemoServer, data_timeout: float) -> object:
    """Ctrl+T, then a connection to the stalling server (its listing will fail)."""
    count = len(window.tabs.tabs())
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == count + 1)
    tab = window.current_tab
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                  password=server.password, data_timeout=data_timeout,
                                  control_timeout=5.0)
    window.spawn(window.connect_to(settings), pane=tab.remote_pane, doing="Listing /")
    qtbot.waitUntil(lambda: tab.connection.is_connected, timeout=10_000)
    return tab


def failed_quietly(tab) -> bool:
    return tab.connection.is_connected and not tab.connection.busy


def test_a_listing_that_fails_in_a_tab_not_shown_has_its_banner_there(window, qtbot, demo,
                                                                      stalling) -> None:
    connect(window, qtbot, demo)
    first = window.current_tab
    second = open_stalling_tab(window, qtbot, stalling, data_timeout=2.0)
    click_tab(window, qtbot, first)  # look at the first tab while the second one hangs
    qtbot.waitUntil(lambda: failed_quietly(second) and window.tabs.current is first,
                    timeout=20_000)
    window.bridge.flush()
    banner = window.hung_listing.banner
    assert not banner.isVisible()  # the first tab's listing is fine
    click_tab(window, qtbot, second)
    qtbot.waitUntil(banner.isVisible)
    assert banner.parent() is second.remote_pane
    assert banner.message.text().startswith("The directory listing did not arrive")
    assert RecoveryAction.DIAGNOSE in banner.visible_actions()
    assert not second.remote_pane.banner.isVisible()  # one explanation, not the raw error
    click_tab(window, qtbot, first)
    assert not banner.isVisible()


def test_the_banner_stays_with_its_tab(window, qtbot, demo, stalling) -> None:
    connect(window, qtbot, demo)
    first = window.current_tab
    second = open_stalling_tab(window, qtbot, stalling, data_timeout=1.0)
    banner = window.hung_listing.banner
    qtbot.waitUntil(lambda: banner.isVisible() and failed_quietly(second), timeout=20_000)
    shown = banner.message.text()
    click_tab(window, qtbot, first)
    assert not banner.isVisible()
    # F5 in the first tab lists there again: the second tab's failure is not its business
    window.remote_pane.view.setFocus()
    rows = window.console.model.rowCount()
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.connection.busy
                    and window.console.model.rowCount() > rows, timeout=15_000)
    click_tab(window, qtbot, second)
    qtbot.waitUntil(banner.isVisible)
    assert banner.message.text() == shown
    assert banner.parent() is second.remote_pane
    # dismissed with its x, it stays away when the person comes back
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    click_tab(window, qtbot, first)
    click_tab(window, qtbot, second)
    assert not banner.isVisible()
