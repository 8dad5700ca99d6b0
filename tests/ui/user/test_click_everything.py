"""Every menu action, toolbar button and window button, clicked once as a person would
(dialogs answered), with the window connected to the demo server: no exception may
reach Qt's event loop (the package's conftest turns one into a failure)."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QMenu, QToolBar, QToolButton

from .answer import answer_everything, open_windows, settle
from .helpers import connect

pytestmark = pytest.mark.gui


def menu_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        if action.menu() is not None:
            found += menu_actions(action.menu())
        elif not action.isSeparator():
            found.append(action)
    return found


def every_action(window) -> list[QAction]:
    """Menu bar actions (all menus), then toolbar actions, then the menus behind
    toolbar buttons; Quit is left out (a test of its own)."""
    actions: list[QAction] = []
    for top in window.menuBar().actions():
        if top.menu() is not None:
            actions += menu_actions(top.menu())
    for bar in window.findChildren(QToolBar):
        actions += [a for a in bar.actions() if not a.isSeparator() and a.menu() is None]
    for button in window.findChildren(QToolButton):
        if button.menu() is not None:
            actions += menu_actions(button.menu())
    unique: list[QAction] = []
    for action in actions:
        text = action.text().replace("&", "")
        if action not in unique and text and text != "Quit" and "toggleViewAction" not in text:
            unique.append(action)
    return unique


@pytest.fixture
def connected(window, qtbot, demo):
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    window.demo_for_test = demo
    return window


def test_every_menu_and_toolbar_action_once(connected, qtbot, tmp_path) -> None:
    window = connected
    actions = every_action(window)
    assert len(actions) >= 25, [a.text() for a in actions]
    answered: list[str] = []
    for action in actions:
        # a menu rebuilt by an earlier click (the inspector's connection menu after a
        # reconnect) has new actions; its old ones are gone, as for a person
        if not shiboken6.isValid(action) or not action.isEnabled():
            continue
        action.trigger()
        settle(qtbot, window)
        answered += answer_everything(tmp_path)
        settle(qtbot, window)
        answered += answer_everything(tmp_path)
        if not window.connection.is_connected:  # Disconnect was among them
            connect(window, qtbot, window.demo_for_test)
    assert not open_windows()
    assert any("Site Manager" in a or "SiteManager" in a for a in answered), answered
    assert any("QFileDialog" in a for a in answered), answered


def test_every_button_in_the_window_once(connected, qtbot, tmp_path) -> None:
    """Buttons with a menu open it (closed again by a timer, as Escape would); the rest
    are clicked; Disconnect comes last."""
    window = connected
    buttons = [b for b in window.findChildren(QAbstractButton)
               if b.isVisible() and b.isEnabled() and b is not window.quick.disconnect_button]
    assert len(buttons) >= 25
    for button in [*buttons, window.quick.disconnect_button]:
        if not (button.isVisible() and button.isEnabled()):
            continue
        menu = button.menu() if isinstance(button, QToolButton) else None
        if menu is not None:
            QTimer.singleShot(100, menu.close)
        button.click()
        settle(qtbot, window)
        answer_everything(tmp_path)
        settle(qtbot, window)
        answer_everything(tmp_path)
    qtbot.waitUntil(lambda: not window.connection.is_connected, timeout=10_000)
    assert not open_windows()


def test_quit_closes_the_window(connected, qtbot) -> None:
    window = connected
    quit_action = next(a for top in window.menuBar().actions() if top.menu() is not None
                       for a in menu_actions(top.menu()) if a.text().replace("&", "") == "Quit")
    with qtbot.waitSignal(window.closed, timeout=15_000):
        quit_action.trigger()
    assert not window.isVisible()
