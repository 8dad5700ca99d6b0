"""The Demo menu of a window started with --demo, as a newcomer uses it: the menu lists
every fault scenario with what it breaks; choosing "stall" opens a new tab on a stalling
demo server (the first tab stays on the healthy one), whose listing soon shows the
hung-listing banner. Before, the scenarios were reachable only by restarting with
--scenario, and nothing in the window said they existed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu

from client.demo import SCENARIOS, DemoServer
from client.engine.settings import ConnectionSettings
from client.ui.app import open_demo
from client.ui.demo_menu import DemoMenu

from .helpers import connect

pytestmark = pytest.mark.gui


def quick_server(name: str) -> DemoServer:
    return DemoServer(name, give_up_after=1.0).start()


def open_with_short_timeouts(window, server: DemoServer) -> object:
    """As open_demo, with a data timeout that fails the stalled listing at once."""
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                  password=server.password, data_timeout=1.0,
                                  control_timeout=5.0)
    return window.spawn(window.connect_to(settings), pane=window.remote_pane)


def test_the_demo_menu_opens_a_fault_scenario_in_a_new_tab(window, qtbot, demo) -> None:
    menu = DemoMenu(window, quick_server, open_with_short_timeouts)
    try:
        connect(window, qtbot, demo)
        first = window.current_tab
        bar_menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
        shown = next(m for m in bar_menus if m.objectName() == "demoMenu")
        assert isinstance(shown, QMenu) and bar_menus[-1] is not shown  # Help stays last
        listed = {a.text(): a for a in shown.actions() if a.isEnabled()}
        assert set(listed) == set(SCENARIOS)
        assert "no bytes ever" in listed["stall"].toolTip()
        listed["stall"].trigger()
        assert len(window.tabs.tabs()) == 2 and window.current_tab is not first
        stalled = window.current_tab
        banner = window.hung_listing.banner
        qtbot.waitUntil(lambda: banner.isVisible() and not stalled.connection.busy,
                        timeout=20_000)
        assert stalled.connection.settings.port == menu.servers[0].port
        assert first.connection.settings.port == demo.port and first.connection.is_connected
    finally:
        menu.stop_all()


def test_the_window_started_with_demo_connects_with_open_demo(window, qtbot) -> None:
    """The menu's real opener is the one --demo uses (it fills in the password)."""
    menu = DemoMenu(window, quick_server, open_demo)
    try:
        menu.actions["healthy"].trigger()
        qtbot.waitUntil(lambda: window.connection.is_connected
                        and window.remote_pane.model.rowCount() > 0, timeout=15_000)
        assert window.connection.settings.port == menu.servers[0].port
    finally:
        menu.stop_all()


def test_help_names_every_scenario(child_env) -> None:
    """``ftp-inspector --help`` named two scenarios and "…"; a newcomer could not find
    stall or nat-misconfigured there."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "client", "--help"], env=child_env,
                            capture_output=True, text=True, timeout=60)
    flat = " ".join(result.stdout.split())
    assert all(name in flat for name in SCENARIOS), flat
