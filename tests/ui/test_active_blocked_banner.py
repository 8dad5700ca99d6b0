"""Active mode blocked: the banner names the listing command the console shows (the
demo server is sent MLSD), not a LIST the client never sent."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer
from client.engine.settings import TransferMode

from .inspector.test_diagnose_wizard_window import window  # noqa: F401 - the fixture
from .test_blocked_listing_banners import _settings

pytestmark = pytest.mark.gui


def test_active_blocked_banner_names_the_command_sent(qtbot, window) -> None:  # noqa: F811
    # the server gives up dialling first and answers the listing command with 425
    with DemoServer("active-blocked", give_up_after=1.0) as server:
        task = window.spawn(window.connect_to(_settings(server, TransferMode.PASSIVE, 8.0)),
                            pane=window.remote_pane, doing="Connecting")
        qtbot.waitUntil(task.done, timeout=30_000)
        assert window.remote_pane.model.rowCount() > 0  # passive mode lists
        qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
        assert window.quick.mode is TransferMode.ACTIVE
        qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=30_000)
        window.bridge.flush()
        sent = [line.text.split(" ", 1)[0] for line in window.console.model.lines()
                if line.kind.value == "command"]
        listing = next(verb for verb in reversed(sent) if verb in ("MLSD", "LIST", "NLST"))
        assert listing == "MLSD"  # the demo server offers MLSD
        assert "answered MLSD with 425" in banner.message.text(), banner.message.text()
