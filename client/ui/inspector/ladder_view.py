"""The live ladder diagram widget.

A QAbstractScrollArea that paints only the items in view (see
:class:`~client.ui.inspector.geometry.LadderGeometry`), pins the lifeline header to
the top, zooms (and zooms to fit), follows the live end of the session, animates data
connections that are still connecting with a running timer, and cross-selects with the
protocol console: clicking an arrow emits the console row it came from, and
:meth:`LadderView.highlight_console_row` selects the arrow of a console row.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget
from shiboken6 import isValid

from client.engine.ladder import ControlArrow, DataArrow, LadderModel
from client.ui.inspector.geometry import HEADER_HEIGHT, LadderGeometry
from client.ui.inspector.ladder_colours import LadderColours
from client.ui.inspector.ladder_painter import MIN_DIAGRAM_WIDTH, TEXT_MIN_SCALE, LadderPainter

__all__ = ["LadderView"]

_MIN_ZOOM = 0.05
_MAX_ZOOM = 4.0
_TICK_MS = 100


class LadderView(QAbstractScrollArea):
    """Draws a :class:`LadderModel`. ``clock`` returns the engine's "now" (seconds on
    the bus's clock, e.g. ``bus.now``); without one, the view extrapolates from the
    time of the last event it saw."""

    #: the index of the item the user clicked
    item_selected = Signal(int)
    #: the console row (event index) of the item the user clicked
    console_row_selected = Signal(int)
    #: following the live end was turned on or off (by the user's scrolling, or a call)
    follow_live_changed = Signal(bool)

    def __init__(self, model: LadderModel | None = None, parent: QWidget | None = None, *,
                 clock: Callable[[], float] | None = None,
                 colours: LadderColours | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ladderView")
        self.setAccessibleName(self.tr("Ladder diagram of the control and data connections"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.model = model if model is not None else LadderModel()
        self.geometry_ = LadderGeometry(self.model)
        self._fixed_colours = colours
        self.painter_ = LadderPainter(self.model, self.geometry_,
                                      colours or self.palette_colours(), self.font())
        self.zoom = 1.0
        self.follow_live = True
        self.selected: int | None = None
        self._clock = clock
        self._last_arrival = time.monotonic()
        self._events_seen = self.model.events_seen
        self._animation_origin = time.monotonic()
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._remove_listener = self.model.add_listener(self._on_model_change)
        self.destroyed.connect(self._remove_listener)  # the model may outlive the view
        # user scrolling (dragging, arrows, page clicks): leave the live end, or come
        # back to it. Judged from the slider's new position at once: a later check lost
        # to a layout that, following, had already moved the view back to the end.
        self.verticalScrollBar().actionTriggered.connect(self._user_scrolled)
        self._sync()

    # -- model changes -------------------------------------------------------------------

    def _on_model_change(self, kind: str, index: int) -> None:
        if not isValid(self):
            return
        if kind == "cleared":
            self.geometry_.reset()
            self.selected = None
        if self.model.events_seen != self._events_seen:  # a new event, not our refresh
            self._events_seen = self.model.events_seen
            self._last_arrival = time.monotonic()
        if not self._dirty:
            self._dirty = True
            QTimer.singleShot(0, self, self._sync)

    def _sync(self) -> None:
        """Lay out new items, update scroll ranges, follow the live end, repaint."""
        self._dirty = False
        self.geometry_.sync()
        self._update_scrollbars()
        if self.follow_live:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
        if self.model.has_open_channels and not self._timer.isActive():
            self._timer.start()
        self.viewport().update()

    def palette_colours(self) -> LadderColours:
        """Light or dark colours, following the window palette."""
        window = self.palette().color(QPalette.ColorRole.Window)
        return LadderColours.dark() if window.lightness() < 128 else LadderColours()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange and self._fixed_colours is None:
            self.painter_ = LadderPainter(self.model, self.geometry_, self.palette_colours(),
                                          self.font())
            self.viewport().update()
        super().changeEvent(event)

    def set_clock(self, clock: Callable[[], float] | None) -> None:
        self._clock = clock

    def now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return self.model.last_t + (time.monotonic() - self._last_arrival)

    def _tick(self) -> None:
        if not self.model.has_open_channels:
            self._timer.stop()
        self.model.refresh(self.now())
        self.viewport().update()

    # -- geometry and scrolling ----------------------------------------------------------

    @property
    def x_zoom(self) -> float:
        """Horizontal scale: the zoom while texts are drawn; in the overview (zoomed out
        below ``TEXT_MIN_SCALE``) the diagram keeps the window's width and only the time
        axis is squeezed."""
        return self.zoom if self.zoom >= TEXT_MIN_SCALE else 1.0

    @property
    def header_pixels(self) -> float:
        """Height on screen of the pinned lifeline header."""
        return HEADER_HEIGHT * (self.zoom if self.zoom >= TEXT_MIN_SCALE else 1.0)

    @property
    def y_offset(self) -> float:
        """Pixels the content is shifted down so that no item starts under the pinned
        header: zero while the header scales with the content, more in the overview,
        where the header keeps its full height."""
        return self.header_pixels - HEADER_HEIGHT * self.zoom

    def content_width(self) -> float:
        return max(self.viewport().width() / self.x_zoom, MIN_DIAGRAM_WIDTH)

    def _update_scrollbars(self) -> None:
        view = self.viewport()
        height = self.geometry_.content_height * self.zoom + self.y_offset
        width = self.content_width() * self.x_zoom
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(0, int(height - view.height())))
        vbar.setPageStep(view.height())
        vbar.setSingleStep(20)
        hbar.setRange(0, max(0, int(width - view.width())))
        hbar.setPageStep(view.width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_scrollbars()

    def set_zoom(self, zoom: float) -> None:
        zoom = min(_MAX_ZOOM, max(_MIN_ZOOM, zoom))
        if abs(zoom - self.zoom) < 1e-6:
            return
        centre = (self.verticalScrollBar().value() + self.viewport().height() / 2) / self.zoom
        self.zoom = zoom
        self._update_scrollbars()
        self.verticalScrollBar().setValue(int(centre * zoom - self.viewport().height() / 2))
        self.viewport().update()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.25)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def zoom_to_fit(self) -> None:
        """Scale so the whole session fits in the window (never larger than 100 %)."""
        height = self.geometry_.content_height
        view = self.viewport().height()
        fit = min(1.0, view / max(1, height))
        if fit < TEXT_MIN_SCALE:  # the overview's header keeps its full height
            fit = (view - HEADER_HEIGHT) / max(1, height - HEADER_HEIGHT)
        self.set_zoom(fit)
        self.verticalScrollBar().setValue(0)

    def _set_follow_flag(self, on: bool) -> None:
        if on != self.follow_live:
            self.follow_live = on
            self.follow_live_changed.emit(on)

    def set_follow_live(self, on: bool) -> None:
        self._set_follow_flag(on)
        if on:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_in() if event.angleDelta().y() > 0 else self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)
        self._leave_live_end()

    def _leave_live_end(self) -> None:
        bar = self.verticalScrollBar()
        if bar.value() < bar.maximum():
            self._set_follow_flag(False)

    def _user_scrolled(self, _action: int) -> None:
        bar = self.verticalScrollBar()
        self._set_follow_flag(bar.sliderPosition() >= bar.maximum())

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self.viewport())
        try:
            zoom = self.zoom
            y0 = self.verticalScrollBar().value() / zoom
            y1 = y0 + self.viewport().height() / zoom
            overview = zoom < TEXT_MIN_SCALE
            painter.translate(-self.horizontalScrollBar().value(), self.y_offset)
            painter.scale(self.x_zoom, zoom)
            painter.translate(0, -y0)
            self.painter_.paint(painter, self.content_width(), y0, y1 + 1,
                                selected=self.selected, now=self.now(),
                                animation=time.monotonic() - self._animation_origin,
                                header_at=y0, header=not overview)
            if overview:
                painter.resetTransform()
                painter.translate(-self.horizontalScrollBar().value(), 0)
                self.painter_.paint_header(painter, self.content_width(), 0.0)
        finally:
            painter.end()

    # -- selection -----------------------------------------------------------------------

    def item_at(self, pos: QPoint) -> int | None:
        if pos.y() < self.header_pixels:
            return None  # the pinned header covers the items under it
        y = pos.y() - self.y_offset + self.verticalScrollBar().value()
        return self.geometry_.item_at(y / self.zoom)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        index = self.item_at(event.position().toPoint())
        if index is not None:
            self.select_item(index, scroll=False)
            self._set_follow_flag(False)
            self.item_selected.emit(index)
            self.console_row_selected.emit(self.model.event_for_item(index))
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """↑/↓ move the selection, Home/End jump to the first/last exchange."""
        count = len(self.geometry_)
        key = event.key()
        if count and key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Home, Qt.Key.Key_End):
            if key == Qt.Key.Key_Home:
                index = 0
            elif key == Qt.Key.Key_End:
                index = count - 1
            else:
                step = 1 if key == Qt.Key.Key_Down else -1
                start = self.selected if self.selected is not None else (
                    -1 if step > 0 else count)
                index = min(count - 1, max(0, start + step))
            self.select_item(index)
            self._set_follow_flag(False)
            self.item_selected.emit(index)
            self.console_row_selected.emit(self.model.event_for_item(index))
            return
        super().keyPressEvent(event)

    def select_item(self, index: int | None, *, scroll: bool = True) -> None:
        """Highlight item ``index`` (None clears) and scroll it into view."""
        self.geometry_.sync()
        if index is not None and not 0 <= index < len(self.geometry_):
            index = None
        self.selected = index
        # screen readers cannot see painted arrows: describe the selected one
        self.setAccessibleDescription(self.tooltip_for(index) if index is not None else "")
        if index is not None and scroll:
            top = (self.geometry_.top(index) - HEADER_HEIGHT) * self.zoom
            bottom = self.geometry_.bottom(index) * self.zoom + self.y_offset
            bar = self.verticalScrollBar()
            view = self.viewport().height()
            if top < bar.value() or bottom > bar.value() + view:
                bar.setValue(int(top - view / 3))
        self.viewport().update()

    def highlight_console_row(self, row: int) -> bool:
        """Select the arrow drawn for console row ``row``; False when it has none."""
        index = self.model.item_for_event(row)
        if index is None:
            return False
        self._set_follow_flag(False)
        self.select_item(index)
        return True

    def select_channel(self, channel: int) -> bool:
        """Select the arrow of data connection ``channel`` (from the table)."""
        index = self.model.index_of_channel(channel)
        if index is None:
            return False
        self._set_follow_flag(False)
        self.select_item(index)
        return True

    # -- tooltips ------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            pos = event.pos()
            index = self.item_at(pos)
            text = self.tooltip_for(index) if index is not None else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_for(self, index: int) -> str:
        item = self.model.items[index]
        if isinstance(item, ControlArrow):
            decoded = tuple("⇒ " + line for line in item.decoded
                            if not any(line in note for note in item.annotations))
            return "\n".join((item.label,) + decoded + item.annotations)
        if isinstance(item, DataArrow):
            lines = [f"data #{item.channel} {item.command}: {item.endpoints_label}",
                     item.status_text(self.now())]
            if item.waiting_for:
                lines.append(f"waiting for {item.waiting_for}")
            if item.address_note:
                lines.append(item.address_note)
            if item.reason:
                lines.append(item.reason)
            return "\n".join(lines)
        return getattr(item, "text", "")

    def shown_texts(self, index: int) -> tuple[str, ...]:
        """What an arrow's texts read at the present width: a command or reply and its
        decoded lines; a data connection's title and set-up line."""
        item = self.model.items[index]
        cx, sx = self.painter_.lifeline_x(self.content_width())
        prefix = f"[{item.connection}] " if len(self.model.lifelines) > 1 else ""
        if isinstance(item, DataArrow):
            return self.painter_.data_texts(item, cx, sx, prefix)
        if not isinstance(item, ControlArrow):
            return ()
        return self.painter_.control_texts(item, cx, sx, prefix)

    def closeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        self._remove_listener()
        super().closeEvent(event)  # type: ignore[arg-type]
