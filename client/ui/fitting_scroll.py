"""A scroll area as tall as its content needs at its width (height for width), that
scrolls only when its container cannot give it that much: a banner in a short pane
shows a scroll bar instead of cutting off its last lines or buttons unseen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

__all__ = ["FittingScrollArea"]


class FittingScrollArea(QScrollArea):
    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # the content is sized here, at its height for the viewport's width: a resizable
        # widget would be squeezed to the viewport's height instead of scrolling
        self.setWidgetResizable(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAutoFillBackground(False)  # the container's colours show
        content.setAutoFillBackground(False)
        self.setWidget(content)
        content.installEventFilter(self)
        self.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if watched is self.widget() and kind == QEvent.Type.LayoutRequest:
            # new content (text, buttons shown): the container lays this area out again
            # (it caches the height it asked for at a width), and the content is refitted
            self.updateGeometry()
            self._fit_content()
        elif watched is self.viewport() and kind == QEvent.Type.Resize:
            self._fit_content()  # a scroll bar came or went
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_content()

    def _fit_content(self) -> None:
        content = self.widget()
        if content is None:
            return
        # the whole width when the content fits the area without scrolling (judged from
        # the area, not the viewport: a scroll bar shown a moment ago must not stay only
        # because it made the content narrower, hence taller); else the width beside it
        width = self.contentsRect().width()
        if self._content_height(width) > self.contentsRect().height():
            width -= self.verticalScrollBar().sizeHint().width()
        height = max(self._content_height(width), content.minimumSizeHint().height())
        if content.size() != QSize(width, height):
            content.resize(width, height)

    def _content_height(self, width: int) -> int:
        content = self.widget()
        if content is None:
            return 0
        return content.heightForWidth(width) if content.hasHeightForWidth() else \
            content.sizeHint().height()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return 0
        return max(self._content_height(width), content.minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize(0, 0)
        width = self.width() if self.width() > 0 else hint.width()
        return QSize(hint.width(), self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return QSize(0, 0)
        least = content.minimumSizeHint()
        # a few lines are always shown; the rest may scroll
        return QSize(least.width(), min(least.height(), self.fontMetrics().height() * 3))
