"""The diagram keeps following the live end when focus moves around the window without
the person choosing a line: Tab into the data-connection table or the console, a
dialog (Diagnose) opened and closed; and a reconnection starts a fresh diagram that
follows the new session."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.engine.settings import TransferMode

from .helpers import press_f5
from .test_main_window import connect_quick

pytestmark = pytest.mark.gui


def _refresh(window, qtbot) -> None:
    press_f5(window, qtbot)
    window.inspector_dock.panel.flush()


def _at_live_end(ladder) -> bool:
    bar = ladder.verticalScrollBar()
    return ladder.follow_live and bar.value() == bar.maximum()


def _tab_to(qtbot, widget) -> None:
    """Focus arrives in ``widget`` as Tab brings it (whatever the window's Tab order)."""
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


@pytest.mark.parametrize("target", ["table", "console"])
def test_tab_into_a_list_keeps_the_diagram_following(window, qtbot, demo, target) -> None:
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    for _ in range(6):  # a diagram taller than the view
        _refresh(window, qtbot)
    ladder = window.inspector_dock.ladder
    qtbot.waitUntil(lambda: _at_live_end(ladder))
    panel = window.inspector_dock.panel
    _tab_to(qtbot, panel.table if target == "table" else window.console.view)
    assert ladder.follow_live and window.console.autoscroll_button.isChecked()
    _refresh(window, qtbot)
    qtbot.waitUntil(lambda: _at_live_end(ladder))


def test_a_dialog_closing_keeps_the_diagram_following(window, qtbot, demo) -> None:
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    panel = window.inspector_dock.panel
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton)  # empty table
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    for _ in range(6):
        _refresh(window, qtbot)
    ladder = window.inspector_dock.ladder
    qtbot.waitUntil(lambda: _at_live_end(ladder))
    window.diagnose_action.trigger()
    wizard = window.diagnose_wizard
    qtbot.waitUntil(wizard.isVisible)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert ladder.follow_live
    _refresh(window, qtbot)
    qtbot.waitUntil(lambda: _at_live_end(ladder))


def test_reconnecting_starts_a_fresh_diagram_that_follows(window, qtbot, demo) -> None:
    window.resize(1366, 768)
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    for _ in range(6):
        _refresh(window, qtbot)
    ladder = window.inspector_dock.ladder
    ladder.verticalScrollBar().triggerAction(ladder.verticalScrollBar().SliderAction.SliderToMinimum)
    qtbot.waitUntil(lambda: not ladder.follow_live)  # the person scrolled up to look
    first_login = len(window.inspector_dock.model.items)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        window.reconnect()
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=15_000)
    window.bridge.flush()
    window.inspector_dock.panel.flush()
    items = window.inspector_dock.model.items
    assert 0 < len(items) < first_login  # the new session only
    qtbot.waitUntil(lambda: _at_live_end(ladder))


def test_the_data_channel_table_shows_its_newest_row(window, qtbot, demo) -> None:
    """Listing after listing, the table under the diagram keeps its newest data
    connection in view while the diagram follows the live end."""
    window.resize(1366, 740)
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    for _ in range(12):
        _refresh(window, qtbot)
    table = window.inspector_dock.panel.table
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() >= 12, timeout=10_000)
    QApplication.processEvents()
    last = model.index(model.rowCount() - 1, 0)
    assert table.viewport().rect().intersects(table.visualRect(last))
