"""Diagnose with two tabs, as a person uses it: start Diagnose in the tab whose listing
failed, look at the other tab while it runs (the wizard is not modal), then press Apply
to this site. The recommendation goes to the tab that was diagnosed, which is shown
again; the other tab's connection and mode stay as they were (before, Apply changed
whichever tab was shown, and relisted it). One tab on a healthy demo server, one on a
server whose passive data connections are blocked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

from .helpers import connect
from .test_tabs import click_tab, ctrl

pytestmark = pytest.mark.gui


def test_apply_goes_to_the_tab_that_was_diagnosed(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    healthy = window.current_tab
    with DemoServer("passive-blocked", host="127.0.0.4", give_up_after=1.5) as blocked:
        ctrl(qtbot, window, Qt.Key.Key_T)
        qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
        diagnosed = window.current_tab
        settings = ConnectionSettings(host=blocked.host, port=blocked.port, user=blocked.user,
                                      password=blocked.password, data_timeout=1.0,
                                      control_timeout=10.0, tls=TlsMode.OFF)
        window.spawn(window.connect_to(settings), pane=diagnosed.remote_pane)
        qtbot.waitUntil(lambda: diagnosed.connection.is_connected
                        and not diagnosed.connection.busy, timeout=20_000)
        ctrl(qtbot, window, Qt.Key.Key_D, shift=True)  # Inspector → Diagnose…
        qtbot.waitUntil(lambda: window.diagnose_wizard is not None
                        and window.diagnose_wizard.isVisible())
        wizard = window.diagnose_wizard
        wizard.plan_page.timeout_box.setValue(1.0)
        wizard.button(QWizard.WizardButton.NextButton).click()
        click_tab(window, qtbot, healthy)  # meanwhile, the other tab
        qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
        wizard.button(QWizard.WizardButton.NextButton).click()
        assert wizard.diagnosis.verdict.key == "passive-blocked"
        with qtbot.waitSignal(wizard.applied, timeout=20_000):
            wizard.verdict_page.apply_button.click()
        assert window.current_tab is diagnosed
        assert diagnosed.connection.settings.mode is TransferMode.ACTIVE
        assert healthy.connection.settings.mode is TransferMode.PASSIVE
        assert healthy.connection.is_connected
        qtbot.waitUntil(lambda: diagnosed.remote_pane.model.rowCount() > 0
                        and not diagnosed.connection.busy, timeout=20_000)
        wizard.close()


def click_diagnose(window, qtbot) -> None:
    button = window.toolbar.widgetForAction(window.diagnose_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_diagnose_in_another_tab_opens_that_tabs_own_wizard(window, qtbot, demo) -> None:
    """Diagnose in tab 1, then the toolbar's Diagnose in tab 2: before, tab 1's wizard came to the
    front, listing tab 1's server, as if it were tab 2's. Each wizard names its server
    in its title."""
    connect(window, qtbot, demo)
    first = window.current_tab
    ctrl(qtbot, window, Qt.Key.Key_D, shift=True)
    qtbot.waitUntil(lambda: window.diagnose_wizard is not None
                    and window.diagnose_wizard.isVisible())
    first_wizard = window.diagnose_wizard
    assert f"{demo.host}:{demo.port}" in first_wizard.windowTitle()
    with DemoServer("healthy", host="127.0.0.5") as other:
        ctrl(qtbot, window, Qt.Key.Key_T)
        qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
        connect(window, qtbot, other)
        assert window.current_tab is not first
        click_diagnose(window, qtbot)  # the toolbar's Diagnose, in tab 2
        qtbot.waitUntil(lambda: window.diagnose_wizard is not first_wizard
                        and window.diagnose_wizard.isVisible())
        second_wizard = window.diagnose_wizard
        assert second_wizard.settings.host == other.host
        assert f"{other.host}:{other.port}" in second_wizard.windowTitle()
        assert first_wizard.isVisible()  # tab 1's wizard is still there, untouched
        click_diagnose(window, qtbot)  # again in tab 2: the same wizard
        assert window.diagnose_wizard is second_wizard
        second_wizard.close()
    first_wizard.close()
