"""A layout that lines its widgets up left to right and wraps them onto further rows
when the width runs out (spare width on a row goes to what expands horizontally), so a row of buttons never makes its container wider than its
widest button (a banner's buttons in a box layout forced the pane, and with it the
whole window, to their combined width)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem

__all__ = ["FlowLayout"]


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # -- the items ---------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - Qt naming
        """Put ``widget`` at ``index`` (moved there when it is already in this layout)."""
        current = self.indexOf(widget)
        if current >= 0:
            item = self._items.pop(current)
        else:
            self.addChildWidget(widget)
            item = QWidgetItem(widget)
        self._items.insert(max(0, min(index, len(self._items))), item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes -------------------------------------------------------------------------
    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt API
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Everything on one row."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self.spacing() * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return self._with_margins(QSize(width, height))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        """One item per row: as narrow as the widest item."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return self._with_margins(size)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    # -- placing -----------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _with_margins(self, size: QSize) -> QSize:
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in ``rect`` (only measure unless ``place``); the height used.
        A row's spare width goes to its items that expand horizontally (a search field)."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap = self.spacing()
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0
        for item in self._shown():
            hint = item.sizeHint().boundedTo(QSize(max(1, area.width()), item.sizeHint().height()))
            if rows[-1] and used + gap + hint.width() > area.width():
                rows.append([])
                used = 0
            used += (gap if rows[-1] else 0) + hint.width()
            rows[-1].append((item, hint))
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(hint.height() for _, hint in row)
            if place:
                self._place_row(row, area, y, height)
            y += height + gap
        return max(0, y - gap - rect.y()) + margins.bottom()

    def _place_row(self, row: list[tuple[QLayoutItem, QSize]], area: QRect, y: int,
                   height: int) -> None:
        gap = self.spacing()
        spare = area.width() - sum(h.width() for _, h in row) - gap * (len(row) - 1)
        growing = [item for item, _ in row
                   if item.expandingDirections() & Qt.Orientation.Horizontal]
        share = spare // len(growing) if growing and spare > 0 else 0
        x = area.x()
        for item, hint in row:
            width = hint.width() + (share if item in growing else 0)
            top = y + (height - hint.height()) // 2
            item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
            x += width + gap
