"""Lists and number fields in a scrolling form take the wheel only once clicked into.

Qt lets a combo box or spin box under the pointer eat the wheel, so turning the wheel to
scroll a long form changed whichever field passed under the pointer. A guarded field
hands an unfocused wheel to the scroll area around it (which scrolls) and is focused by
a click or Tab, not by the wheel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

__all__ = ["guard_wheel"]


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class _WheelGuard(QObject):
    """Sends a wheel over an unfocused field to the scroll area instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget)
                or not isinstance(event, QWheelEvent) or watched.hasFocus()):
            return False
        area = _scroll_area_around(watched)
        if area is None:
            event.ignore()  # left to the parent widgets, as Qt does with an ignored wheel
            return True
        viewport = area.viewport()
        where = QPointF(viewport.mapFrom(watched, event.position().toPoint()))
        QApplication.sendEvent(viewport, QWheelEvent(
            where, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
            event.buttons(), event.modifiers(), event.phase(), event.inverted(),
            event.source()))
        event.accept()
        return True


def guard_wheel(form: QWidget) -> None:
    """Guard every combo box and spin box below ``form`` (see the module docstring)."""
    guard = _WheelGuard(form)
    for field in form.findChildren(QWidget):
        if isinstance(field, (QComboBox, QAbstractSpinBox)):
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            field.installEventFilter(guard)
