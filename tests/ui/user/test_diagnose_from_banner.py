"""Run Diagnose from the banner of a failed listing, then close the wizard without
applying anything: the explanation of the failure is still in the remote pane (before,
it went away when the wizard opened, leaving an empty pane and nothing to say why).
The wizard lists the folder whose listing failed. Demo server, stall scenario."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def test_the_failure_stays_explained_while_and_after_diagnose_runs(window, qtbot) -> None:
    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        window.spawn(window.connect_to(settings), pane=window.remote_pane, doing="Listing /")
        banner = window.hung_listing.banner
        qtbot.waitUntil(lambda: banner.isVisible() and window.connection.is_connected
                        and not window.connection.busy, timeout=20_000)
        shown = banner.message.text()
        qtbot.mouseClick(banner.buttons[RecoveryAction.DIAGNOSE], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.diagnose_wizard is not None
                        and window.diagnose_wizard.isVisible())
        wizard = window.diagnose_wizard
        assert banner.isVisible() and banner.message.text() == shown
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton),
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not wizard.isVisible())
        assert banner.isVisible() and banner.message.text() == shown
        assert not window.remote_pane.banner.isVisible()
