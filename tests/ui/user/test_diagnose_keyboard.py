"""Diagnose by keyboard: Enter runs, Enter shows the verdict, Enter finishes. On the
verdict page Enter pressed "Apply to this site" (the page's first button had the focus
and was the dialog's default), changing the connection's mode when the person only
wanted to close the wizard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.demo import DemoServer
from client.engine.settings import TransferMode
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

pytestmark = pytest.mark.gui


def _enter(qtbot, wizard) -> None:
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    target = QApplication.focusWidget() or wizard
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_enter_on_the_verdict_finishes_without_applying(window, qtbot) -> None:
    with DemoServer("nat-misconfigured", give_up_after=2.0) as demo:
        window.quick.host.setText(demo.url)
        with qtbot.waitSignal(window.connection.connected, timeout=15_000):
            window.quick.connect_button.click()
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
        first_session = window.connection.session
        window.diagnose_action.trigger()
        wizard = window.diagnose_wizard
        qtbot.waitUntil(wizard.isVisible)
        wizard.plan_page.timeout_box.setValue(1.0)
        applied: list[str] = []
        wizard.applied.connect(applied.append)
        _enter(qtbot, wizard)  # Run
        qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
        _enter(qtbot, wizard)  # Show verdict
        qtbot.waitUntil(lambda: wizard.currentId() == DiagnoseWizard.VERDICT_PAGE)
        assert wizard.verdict_page.apply_button.isVisible()  # there is something to apply
        _enter(qtbot, wizard)  # Finish
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=15_000)
        assert applied == []
        assert window.connection.session is first_session
        assert window.connection.settings.mode is TransferMode.PASSIVE
