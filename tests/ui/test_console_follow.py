"""The console keeps following the newest line through a burst of listings (F5 pressed
again and again after a search) while Follow is checked; scrolling up pauses it and the
Follow button says so; scrolling back to the end resumes it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from client.engine.settings import TransferMode

from .helpers import press_f5
from .test_main_window import connect_quick

pytestmark = pytest.mark.gui


def _at_end(console) -> bool:
    scroll = console.view.verticalScrollBar()
    return scroll.value() == scroll.maximum()


def _wheel_up(view) -> None:
    viewport = view.viewport()
    centre = QPointF(viewport.rect().center())
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 360), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def test_console_follows_a_burst_of_refreshes_after_a_search(window, qtbot, demo) -> None:
    console = window.console
    window.resize(1366, 768)
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    qtbot.keyClicks(console.search, "PWD")
    qtbot.keyClick(console.search, Qt.Key.Key_Return)
    assert console.autoscroll_button.isChecked()
    # enough listings that the view lays its rows out in several batches
    while console.model.rowCount() < 1_200:
        press_f5(window, qtbot)
    # the view lays its rows out in batches between events: it ends at the last one
    qtbot.waitUntil(lambda: _at_end(console), timeout=15_000)
    assert console.autoscroll_button.isChecked()


def test_scrolling_up_pauses_follow_and_the_end_resumes_it(window, qtbot, demo) -> None:
    console = window.console
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    while console.model.rowCount() < 200:
        press_f5(window, qtbot)
    scroll = console.view.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0 and _at_end(console), timeout=15_000)
    _wheel_up(console.view)
    assert not console.autoscroll_button.isChecked()  # the button shows the pause
    shown, longest = scroll.value(), scroll.maximum()
    press_f5(window, qtbot)
    qtbot.waitUntil(lambda: scroll.maximum() > longest, timeout=15_000)  # rows laid out
    assert scroll.value() == shown  # the line the person scrolled to stays put
    scroll.triggerAction(scroll.SliderAction.SliderToMaximum)  # dragged to the end
    assert console.autoscroll_button.isChecked()
    press_f5(window, qtbot)
    qtbot.waitUntil(lambda: _at_end(console), timeout=15_000)
