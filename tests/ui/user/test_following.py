"""The console and the diagram keep following the session through a burst of listings
(F5 pressed quickly), and stay where the user scrolled to when the user scrolled up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider

from .answer import settle
from .helpers import connect

pytestmark = pytest.mark.gui


@pytest.fixture
def connected(window, qtbot, demo):
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    return window


def burst_of_listings(window, qtbot, presses: int = 30) -> None:
    window.remote_pane.view.setFocus()
    for _ in range(presses):
        qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
        qtbot.wait(5)  # a person's burst of key presses: the pace is the scenario
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=30_000)
    settle(qtbot, window, 300)


def at_end(bar) -> bool:
    return bar.value() == bar.maximum()


def test_console_and_diagram_follow_a_burst_of_listings(connected, qtbot) -> None:
    window = connected
    console_bar = window.console.view.verticalScrollBar()
    ladder = window.inspector_dock.panel.ladder
    ladder_bar = ladder.verticalScrollBar()
    rows_before = window.console.model.rowCount()
    burst_of_listings(window, qtbot)
    assert window.console.model.rowCount() > rows_before + 100
    assert window.console.autoscroll_button.isChecked()
    qtbot.waitUntil(lambda: console_bar.maximum() > 0 and at_end(console_bar), timeout=10_000)
    assert ladder.follow_live and ladder_bar.maximum() > 0
    qtbot.waitUntil(lambda: at_end(ladder_bar), timeout=10_000)


def test_the_console_stays_where_the_user_scrolled(connected, qtbot) -> None:
    window = connected
    burst_of_listings(window, qtbot, 10)
    bar = window.console.view.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # the user pages up
    settle(qtbot, window)
    kept = bar.value()
    assert kept < bar.maximum()
    burst_of_listings(window, qtbot, 10)
    assert bar.value() == kept


def test_the_diagram_stays_where_the_user_scrolled(connected, qtbot) -> None:
    window = connected
    ladder = window.inspector_dock.panel.ladder
    burst_of_listings(window, qtbot, 10)
    bar = ladder.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and at_end(bar), timeout=10_000)
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    # at once: a new event arriving before the next turn of the loop must not pull the
    # diagram back to the end
    assert not ladder.follow_live
    settle(qtbot, window)
    kept = bar.value()
    assert not ladder.follow_live and kept < bar.maximum()
    burst_of_listings(window, qtbot, 10)
    assert bar.value() == kept and not ladder.follow_live
