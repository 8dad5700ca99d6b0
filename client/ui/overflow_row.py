"""A row of controls that never wraps: a field first (it keeps its minimum width and
takes what room is left), then buttons; the buttons that do not fit hide behind a "»"
button whose menu offers them (check state, click, sub-menu) as they are.

A second row of buttons cost the console one of its few lines on a 600-pixel screen;
QToolBar's own "»" only opens inside a QMainWindow's toolbar area.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QMenu, QSizePolicy, QToolButton, QWidget

__all__ = ["OverflowRow"]

#: the field grows with the room up to this many times its minimum width
_FIELD_GROWTH = 2.0


class OverflowRow(QWidget):
    def __init__(self, field: QWidget, parent: QWidget | None = None, *,
                 spacing: int = 4, more_name: str = "") -> None:
        super().__init__(parent)
        self.field = field
        field.setParent(self)
        self.spacing = spacing
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.buttons: list[QAbstractButton] = []
        self.more = QToolButton(self)
        self.more.setObjectName("overflowButton")
        self.more.setText("»")
        self.more.setAutoRaise(True)
        self.more.setAccessibleName(more_name or self.tr("More buttons"))
        self.more.setToolTip(more_name or self.tr("More buttons"))
        self.menu = QMenu(self.more)
        self.more.clicked.connect(self._show_menu)
        self.more.hide()

    def add(self, button: QAbstractButton) -> None:
        button.setParent(self)
        self.buttons.append(button)
        self.updateGeometry()
        self._place()

    def hidden_buttons(self) -> list[QAbstractButton]:
        """The buttons behind "»" at the present width."""
        return [b for b in self.buttons if b.isHidden()]

    # -- sizes ---------------------------------------------------------------------------
    def _height(self) -> int:
        return max([self.field.sizeHint().height()]
                   + [b.sizeHint().height() for b in self.buttons])

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = self.field.minimumWidth() + sum(
            b.sizeHint().width() + self.spacing for b in self.buttons)
        return QSize(width, self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.field.minimumWidth() + self.spacing + self.more.sizeHint().width(),
                     self._height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        """Lay the row out for the present width: as many buttons as fit, in order."""
        room = self.width()
        height = self.height() or self._height()
        widths = [b.sizeHint().width() for b in self.buttons]
        field_min = self.field.minimumWidth()
        shown = len(self.buttons)
        if field_min + sum(w + self.spacing for w in widths) > room:
            room_left = room - field_min - self.spacing - self.more.sizeHint().width()
            shown, used = 0, 0
            for width in widths:
                if used + width + self.spacing > room_left:
                    break
                used += width + self.spacing
                shown += 1
        buttons_width = sum(w + self.spacing for w in widths[:shown])
        more_width = self.more.sizeHint().width() + self.spacing if shown < len(widths) else 0
        field_width = max(field_min, min(int(field_min * _FIELD_GROWTH),
                                         room - buttons_width - more_width))
        self.field.setGeometry(0, 0, field_width, height)
        x = field_width + self.spacing
        for index, (button, width) in enumerate(zip(self.buttons, widths, strict=True)):
            button.setVisible(index < shown)
            if index < shown:
                button.setGeometry(x, (height - button.sizeHint().height()) // 2, width,
                                   button.sizeHint().height())
                x += width + self.spacing
        self.more.setVisible(shown < len(widths))
        if shown < len(widths):
            self.more.setGeometry(x, (height - self.more.sizeHint().height()) // 2,
                                  self.more.sizeHint().width(), self.more.sizeHint().height())

    # -- the menu ------------------------------------------------------------------------
    def _show_menu(self) -> None:
        """The hidden buttons as menu entries, built now so they show today's state."""
        self.menu.clear()
        for button in self.hidden_buttons():
            own_menu = button.menu() if isinstance(button, QToolButton) else None
            if own_menu is not None:
                sub = self.menu.addMenu(button.text())
                sub.addActions(own_menu.actions())
                continue
            action = self.menu.addAction(button.text())
            action.setCheckable(button.isCheckable())
            action.setChecked(button.isChecked())
            action.triggered.connect(lambda _on=False, b=button: b.click())
        self.menu.popup(self.more.mapToGlobal(QPoint(0, self.more.height())))
