"""The early hung-listing banner and the diagram's amber arrow tell the same wait. The
banner is refreshed once a second; with milliseconds in it ("waiting 4.090 s") it
always disagreed with the arrow beside it ("WAITING 4.933 s"). It says whole seconds,
the ones the arrow's timer has reached. Demo server, stall scenario."""

from __future__ import annotations

import re

import pytest

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_the_banner_counts_whole_seconds_as_the_arrow_does(window, qtbot) -> None:
    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=60.0,
                                      control_timeout=5.0)
        task = window.spawn(window.connect_to(settings), pane=window.remote_pane)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        ladder = window.inspector_dock.ladder
        for later in (0.4, 1.7, 6.95):
            now = ladder.now() + later
            window.hung_listing.refresh_waiting(now=now)
            told = re.search(r"waiting (\S+) s", banner.message.text())
            assert told, banner.message.text()
            arrow = window.inspector_dock.model.data_arrows()[-1]
            shown = re.search(r"WAITING ([0-9.]+) s", arrow.status_text(now))
            assert shown, arrow.status_text(now)
            assert told.group(1) == str(int(float(shown.group(1))))
        task.cancel()
