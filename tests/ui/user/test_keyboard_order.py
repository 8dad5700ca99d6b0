"""Tab walks the window as it is read, and never gets stuck in a table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication

from .helpers import connect

pytestmark = pytest.mark.gui

ORDER = ["quickconnect", "mode switch", "console", "local pane", "remote pane", "queue",
         "inspector"]


def region_of(window, widget) -> str:
    q = window.quick
    if widget in (q.passive_button, q.active_button):
        return "mode switch"
    for name, container in (("quickconnect", q), ("console", window.console),
                            ("local pane", window.local_pane),
                            ("remote pane", window.remote_pane), ("queue", window.queue),
                            ("inspector", window.inspector_dock)):
        if container is widget or container.isAncestorOf(widget):
            return name
    return f"elsewhere ({type(widget).__name__} {widget.objectName()!r})"


def press(qtbot, key) -> object:
    focused = QApplication.focusWidget()
    qtbot.keyClick(focused, key)
    return QApplication.focusWidget()


def walk(window, qtbot, key, steps: int) -> list[object]:
    seen = [QApplication.focusWidget()]
    for _ in range(steps):
        seen.append(press(qtbot, key))
    return seen


def regions_in_order(window, widgets) -> list[str]:
    regions: list[str] = []
    for widget in widgets:
        name = region_of(window, widget)
        if not regions or regions[-1] != name:
            regions.append(name)
    return regions


@pytest.fixture
def connected(window, qtbot, demo):
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.quick.host.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.quick.host)
    return window


def test_tab_visits_the_regions_in_reading_order_and_comes_round(connected, qtbot) -> None:
    window = connected
    seen = walk(window, qtbot, Qt.Key.Key_Tab, 80)
    regions = regions_in_order(window, seen)
    assert regions[:len(ORDER) + 1] == ORDER + ["quickconnect"], regions
    # the remote pane's list is reached (connected), and the queue's list
    assert window.remote_pane.view in seen or any(
        window.remote_pane.isAncestorOf(w) and isinstance(w, QAbstractItemView) for w in seen)


def test_shift_tab_walks_back_in_the_reverse_order(connected, qtbot) -> None:
    window = connected
    seen = walk(window, qtbot, Qt.Key.Key_Backtab, 80)
    regions = regions_in_order(window, seen)
    assert regions[:len(ORDER) + 1] == ["quickconnect"] + ORDER[::-1], regions


def test_tab_leaves_every_table_and_list(connected, qtbot) -> None:
    window = connected
    views = [v for v in window.findChildren(QAbstractItemView)
             if v.isVisible() and v.isEnabled() and v.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(views) >= 5
    for view in views:
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        qtbot.waitUntil(view.hasFocus)
        after = press(qtbot, Qt.Key.Key_Tab)
        assert after is not view and not view.isAncestorOf(after), view.objectName()


def test_tabbing_into_the_data_channel_table_keeps_following(connected, qtbot) -> None:
    """Landing in the table by keyboard is not choosing a row: the console and the
    diagram keep following the session."""
    window = connected
    panel = window.inspector_dock.panel
    assert panel.table.model().rowCount() > 0
    panel.ladder.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.ladder.hasFocus)
    assert press(qtbot, Qt.Key.Key_Tab) is panel.table
    assert panel.table.selectionModel().selectedRows() == []
    assert window.console.autoscroll_button.isChecked() and window.console.autoscroll
    assert panel.ladder.follow_live
    window.console.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.console.view.hasFocus)
    assert window.console.view.selectionModel().selectedRows() == []
    assert window.console.autoscroll and panel.ladder.follow_live


def test_tab_leaves_the_diagnose_wizard_table(connected, qtbot) -> None:
    from client.ui.inspector.diagnose_install import open_diagnose

    wizard = open_diagnose(connected)
    wizard.plan_page.timeout_box.setValue(2.0)
    qtbot.waitExposed(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
    table = wizard.run_page.table
    wizard.activateWindow()
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(table.hasFocus)
    after = press(qtbot, Qt.Key.Key_Tab)
    assert after is not table and not table.isAncestorOf(after)
    wizard.reject()
