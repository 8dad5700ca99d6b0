"""What a person sees of a dialog: does it fit the screen, and is any text cut?

Text is measured with the widget's own font (QFontMetrics / heightForWidth) against the
room the widget got, so a label squeezed by its layout or a button narrower than its
text is found whatever the style draws."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QPushButton,
    QWidget,
)


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text[:50]!r}"


def shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.isVisible()


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    room = label.contentsRect()
    margin = 2 * label.margin()
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height() + 1:
            return f"{_name(label)}: needs {needed} px of height, has {label.height()}"
        return None
    hint = label.sizeHint()
    fm = label.fontMetrics()
    if label.textFormat().name == "PlainText" or "<" not in text:
        lines = text.replace("&&", "\0").replace("&", "").replace("\0", "&").split("\n")
        width = max(fm.horizontalAdvance(line) for line in lines) + margin
        height = fm.height() * len(lines) + margin
    else:
        width, height = hint.width(), hint.height()
    if width > room.width() + 1 or height > room.height() + 1:
        return (f"{_name(label)}: text needs {width}x{height} px, has "
                f"{room.width()}x{room.height()}")
    return None


def button_problem(button: QPushButton) -> str | None:
    if not button.text().strip():
        return None
    hint = button.sizeHint()
    if button.width() + 1 < hint.width() or button.height() + 1 < button.minimumSizeHint().height():
        return f"{_name(button)}: needs {hint.width()}x{hint.height()} px, has " \
               f"{button.width()}x{button.height()}"
    return None


def text_problems(top: QWidget) -> list[str]:
    """Visible QLabel and QPushButton texts under ``top`` that do not fit their widget."""
    problems: list[str] = []
    for label in top.findChildren(QLabel):
        if shown(label, top):
            found = label_problem(label)
            if found:
                problems.append(found)
    for button in top.findChildren(QPushButton):
        if shown(button, top):
            found = button_problem(button)
            if found:
                problems.append(found)
    return problems


def fit_problems(top: QWidget) -> list[str]:
    """``top`` (a window) and each of its visible buttons inside the available screen."""
    screen = top.screen().availableGeometry()
    frame = top.frameGeometry()
    problems: list[str] = []
    if not screen.contains(frame):
        problems.append(f"{type(top).__name__} {top.objectName()!r}: window {_rect(frame)} "
                        f"does not fit the screen {_rect(screen)}")
    minimum = top.minimumSizeHint().expandedTo(top.minimumSize())
    if minimum.width() > screen.width() or minimum.height() > screen.height():
        problems.append(f"{type(top).__name__} {top.objectName()!r}: cannot be smaller than "
                        f"{minimum.width()}x{minimum.height()}")
    for button in top.findChildren(QAbstractButton):
        if in_scroll_area(button, top):
            continue  # reached by scrolling; the scroll area itself is inside the window
        if shown(button, top) and button.text().strip():
            corner = button.mapToGlobal(button.rect().bottomRight())
            inside = top.rect().contains(top.mapFromGlobal(corner))
            if not screen.contains(corner) or not inside:
                problems.append(f"{_name(button)} is off the screen or outside its window")
    return problems


def in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    """Whether ``widget`` sits in a scroll area's content under ``top``."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _rect(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()}+{rect.x()}+{rect.y()}"
