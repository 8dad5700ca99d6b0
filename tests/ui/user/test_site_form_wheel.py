"""Scrolling the Site Manager's form with the mouse wheel scrolls the form: under openbox
at 1366x768 a few wheel turns over the long form went through the lists and the number
fields passing under the pointer, and the site's Commands changed from Classic to
Extended (and the keep-alive, the connection limit…) without the person noticing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

pytestmark = pytest.mark.gui


def _wheel_down_over(widget) -> None:
    """One notch of the wheel turned towards the person, the pointer on ``widget``."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_the_form_scrolls_it_and_changes_no_field(window, qtbot) -> None:
    window.resize(1366, 740)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    manager.resize(846, 540)
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    form = manager.form
    scroll = next(a for a in manager.findChildren(QScrollArea) if a.widget() is form)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the form is longer than the dialog: it scrolls
    before = (form.commands.currentIndex(), form.mode.currentIndex(),
              form.keepalive.value(), form.limit.value())
    start = bar.value()
    for field in (form.commands, form.mode, form.keepalive, form.limit):
        _wheel_down_over(field)
    assert (form.commands.currentIndex(), form.mode.currentIndex(),
            form.keepalive.value(), form.limit.value()) == before
    assert bar.value() > start  # the turns went to the form
    # a field the person clicked into does take the wheel, as everywhere else
    form.limit.setFocus()
    qtbot.waitUntil(form.limit.hasFocus)
    _wheel_down_over(form.limit)
    assert form.limit.value() == before[3] - 1
    manager.close()
