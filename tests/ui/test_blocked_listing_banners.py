"""The hung-listing banner after a blocked listing, as the person meets it on the demo
server: passive blocked on loopback offers no "Use the control address" (the 227
address already is the control address); Diagnose → Apply to this site → Finish lists
the folder again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

from .inspector.test_diagnose_wizard_window import window  # noqa: F401 - the fixture

pytestmark = pytest.mark.gui


def _settings(server: DemoServer, mode: TransferMode,
              data_timeout: float = 1.0) -> ConnectionSettings:
    return ConnectionSettings(host=server.host, port=server.port, user=server.user,
                              password=server.password, data_timeout=data_timeout,
                              control_timeout=10.0, connect_timeout=10.0, tls=TlsMode.OFF,
                              mode=mode)


def _connect_and_fail(window, qtbot, server: DemoServer, mode: TransferMode,  # noqa: F811
                      data_timeout: float = 1.0):
    task = window.spawn(window.connect_to(_settings(server, mode, data_timeout)),
                        pane=window.remote_pane,
                        doing="Connecting")
    qtbot.waitUntil(task.done, timeout=30_000)
    banner = window.hung_listing.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    window.bridge.flush()
    return banner


def test_passive_blocked_on_the_control_address_offers_no_control_address(
        qtbot, window) -> None:  # noqa: F811
    with DemoServer("passive-blocked", give_up_after=1.5) as server:
        banner = _connect_and_fail(window, qtbot, server, TransferMode.PASSIVE)
        text = window.console.export_text("text")
        assert f"({server.host}," in text.replace(".", ",") or "227" in text
        assert RecoveryAction.USE_CONTROL_ADDRESS not in banner.visible_actions()
        assert not banner.buttons[RecoveryAction.USE_CONTROL_ADDRESS].isVisible()
        assert RecoveryAction.RETRY_ACTIVE in banner.visible_actions()


def test_apply_then_finish_lists_the_folder_again(qtbot, window) -> None:  # noqa: F811
    with DemoServer("passive-blocked", give_up_after=1.5) as server:
        banner = _connect_and_fail(window, qtbot, server, TransferMode.PASSIVE)
        assert window.remote_pane.model.rowCount() == 0
        qtbot.mouseClick(banner.buttons[RecoveryAction.DIAGNOSE], Qt.MouseButton.LeftButton)
        wizard = window.diagnose_wizard
        wizard.plan_page.timeout_box.setValue(1.0)
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(wizard.applied, timeout=20_000):
            qtbot.mouseClick(wizard.verdict_page.apply_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=20_000)
        assert window.quick.mode is TransferMode.ACTIVE
