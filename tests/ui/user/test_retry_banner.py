"""F5 after a failed listing is a retry: the banner of the last failure goes away while
the listing is tried again (it read as the outcome of the new attempt), and the new
attempt's own failure shows again when it fails too (demo server, stall scenario)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_f5_after_a_failed_listing_hides_the_old_failure_while_it_retries(window,
                                                                          qtbot) -> None:
    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        window.spawn(window.connect_to(settings), pane=window.remote_pane, doing="Listing /")
        # a stalled listing's failure is told by the hung-listing banner
        banner = window.hung_listing.banner
        qtbot.waitUntil(lambda: banner is not None and banner.isVisible()
                        and not window.connection.busy, timeout=20_000)
        window.remote_pane.view.setFocus()
        qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
        assert not banner.isVisible()  # retrying: the old failure is not this attempt's
        qtbot.waitUntil(lambda: window.connection.busy, timeout=15_000)
        qtbot.waitUntil(lambda: banner.isVisible() and not window.connection.busy,
                        timeout=20_000)
        assert not window.remote_pane.banner.isVisible()  # one banner, not two
