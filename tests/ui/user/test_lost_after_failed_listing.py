"""A listing failed (the hung-listing banner is up), then the server drops the idle
connection, as happens when nobody acts on the banner for a while. The pane says the
connection was lost, with Reconnect, and the listing banner goes: its buttons (retry in
active mode, STAT, …) needed that connection. Before, both banners stayed stacked, the
stale one squeezed behind a scroll bar. Demo server, stall scenario."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_a_lost_connection_replaces_the_listing_banner(window, qtbot) -> None:
    server = DemoServer("stall").start()
    try:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        window.spawn(window.connect_to(settings), pane=window.remote_pane)
        hung = window.hung_listing.banner
        qtbot.waitUntil(lambda: hung.isVisible() and not window.connection.busy,
                        timeout=20_000)
    finally:
        server.stop()  # closes the idle control connection
    lost = window.remote_pane.banner
    qtbot.waitUntil(lost.isVisible, timeout=15_000)
    assert "connection to the server was lost" in lost.text
    assert not hung.isVisible()
