"""Escape in a site's password question means "not now": the tab stays unconnected
quietly. It showed a red failure banner ("Connecting to Shop failed: site 'Shop' needs
a password for 'demo': it is set to ask for it, or the keyring holds none") for what
the person had just chosen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.ui.dialogs import PasswordDialog

from .helpers import save_demo_site

pytestmark = pytest.mark.gui


def test_escape_in_the_password_question_is_no_failure(window, qtbot, demo, no_keyring) -> None:
    window.resize(1366, 740)
    manager = save_demo_site(window, qtbot, demo, "Shop", logon="ask")
    qtbot.mouseClick(manager.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PasswordDialog)),
                    timeout=10_000)
    dialog = next(d for d in window.findChildren(PasswordDialog) if d.isVisible())
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: not window.runner.tasks, timeout=15_000)
    window.bridge.flush()
    pane = window.remote_pane
    assert not window.connection.is_connected
    assert not pane.banner.isVisible(), pane.banner.text
