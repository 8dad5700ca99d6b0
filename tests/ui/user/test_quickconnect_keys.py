"""Quickconnect from the keyboard: Host, Tab, User, Tab, Password, Tab, Port and Enter
connects, wherever the person pressed Enter (the Port field did nothing)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_enter_in_the_port_field_connects(window, qtbot, demo) -> None:
    window.resize(1366, 740)
    quick = window.quick
    quick.host.setFocus()
    qtbot.keyClicks(quick.host, demo.host)
    qtbot.keyClick(quick.host, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.user, demo.user)
    qtbot.keyClick(quick.user, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.password, demo.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Tab)
    qtbot.keyClicks(quick.port, str(demo.port))
    assert quick.port.value() == demo.port
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        qtbot.keyClick(quick.port, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)


def test_home_and_end_go_to_the_first_and_last_file_of_the_remote_list(window, qtbot,
                                                                        demo) -> None:
    """As in the local list (and FileZilla): End selects the last entry, Home the first,
    Shift+End selects down to the last (End went to the row's last column, scrolling the
    list sideways)."""
    from .helpers import connect

    window.resize(1366, 740)
    connect(window, qtbot, demo)
    pane = window.remote_pane
    view = pane.view
    view.setFocus()
    cell = view.visualRect(pane.model.index(0, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    last = pane.model.rowCount() - 1
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == last and view.currentIndex().column() == 0
    assert [e.name for e in pane.selected_entries()] == [pane.model.entry(last).name]
    assert view.horizontalScrollBar().value() == 0
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.currentIndex().row() == 0
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert len(pane.selected_entries()) == last + 1
