"""Paints comparison marks on a file list without touching its model: the row's
background, a tag after the name, and the reason as the row's tooltip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QHelpEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from client.ui.compare.marks import Mark

__all__ = ["ComparisonDelegate"]

Index = QModelIndex | QPersistentModelIndex


class ComparisonDelegate(QStyledItemDelegate):
    """``mark_of(index)`` says how a row is marked (None: as usual)."""

    def __init__(self, mark_of: Callable[[Index], Mark | None], parent: QWidget) -> None:
        super().__init__(parent)
        self.mark_of = mark_of

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        mark = self.mark_of(index)
        if mark is None:
            return
        option.backgroundBrush = QBrush(mark.colour)
        # dark text on the light mark whatever the theme (readable in dark mode too)
        option.palette.setColor(QPalette.ColorRole.Text, "#000000")
        if index.column() == 0:
            option.text = f"{option.text}  [{mark.tag}]"

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,  # noqa: N802
                  option: QStyleOptionViewItem, index: Index) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            mark = self.mark_of(index)
            if mark is not None:
                QToolTip.showText(event.globalPos(), mark.tooltip, view)
                return True
        return super().helpEvent(event, view, option, index)
