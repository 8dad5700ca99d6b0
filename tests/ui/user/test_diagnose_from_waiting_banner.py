"""Run Diagnose from the amber banner of a listing still waiting for its data: the
listing is stopped so the diagnosis has the server, but the banner stays and says so.
Before, it went away and left the remote pane empty with nothing to say why, while the
wizard ran beside it. Demo server, stall scenario."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_diagnose_from_the_waiting_banner_keeps_the_pane_explained(window, qtbot) -> None:
    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=60.0,
                                      control_timeout=5.0)
        window.spawn(window.connect_to(settings), pane=window.remote_pane)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        assert "waiting" in banner.message.text()
        qtbot.mouseClick(banner.buttons[RecoveryAction.DIAGNOSE], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.diagnose_wizard is not None
                        and window.diagnose_wizard.isVisible())
        wizard = window.diagnose_wizard
        # the hanging listing is stopped: the session is free for the person again
        qtbot.waitUntil(lambda: not window.connection.busy, timeout=10_000)
        assert window.remote_pane.model.rowCount() == 0
        assert banner.isVisible()
        assert banner.message.text().startswith("Listing stopped so that Diagnose can run.")
        assert "has not arrived" in banner.message.text()
        assert not banner.buttons[RecoveryAction.RETRY_ACTIVE].isHidden()
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton),
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not wizard.isVisible())
        assert banner.isVisible()
        assert banner.message.text().startswith("Listing stopped so that Diagnose can run.")
