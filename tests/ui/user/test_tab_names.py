"""Tabs say what they are, as FileZilla's do: a tab opened from the Site Manager is
titled with the site's name, a Demo-menu tab with its scenario. Both read "127.0.0.1"
(or "127.0.0.1:41101" beside another tab on the same host): a demo with four fault
scenarios open gave four tabs nobody could tell apart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer
from client.ui.demo_menu import DemoMenu

from .helpers import connect, save_demo_site

pytestmark = pytest.mark.gui


def test_a_demo_scenario_tab_is_titled_with_its_scenario(window, qtbot, demo) -> None:
    def open_server(win, server):
        win.quick.fill_from_url(server.url)
        settings, path = win.quick.build_settings()
        return win.spawn(win.connect_to(settings, path), pane=win.remote_pane)

    menu = DemoMenu(window, lambda name: DemoServer(name, give_up_after=1.0).start(), open_server)
    try:
        connect(window, qtbot, demo)
        menu.actions["nat-misconfigured"].trigger()
        tab = window.current_tab
        qtbot.waitUntil(lambda: tab.connection.is_connected and not tab.connection.busy,
                        timeout=15_000)
        assert tab.title == "nat-misconfigured"
        assert window.tabs.tabs()[0].title == demo.host  # the quickconnect one: its host
        # a quickconnect to another server in that tab: named by its host again
        window.quick.host.setText(demo.url)
        window.quick.connect_button.click()
        qtbot.waitUntil(lambda: window.tabs.where_box is not None
                        and window.tabs.where_box.isVisible())
        box = window.tabs.where_box
        here = next(b for b in box.buttons() if b.text().replace("&", "") == "In this tab")
        qtbot.mouseClick(here, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.connection.is_connected and not tab.connection.busy
                        and tab.title != "nat-misconfigured", timeout=15_000)
    finally:
        menu.stop_all()


def test_a_site_manager_tab_is_titled_with_the_site_name(window, qtbot, demo,
                                                        memory_keyring) -> None:
    window.resize(1366, 740)
    manager = save_demo_site(window, qtbot, demo, "Shop", logon="normal",
                             password=demo.password)
    qtbot.mouseClick(manager.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.connection.is_connected and not window.connection.busy,
                    timeout=15_000)
    assert window.current_tab.title == "Shop"
    assert "Shop" in window.windowTitle()
