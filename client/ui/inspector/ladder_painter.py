"""Paints ladder items with a QPainter: one routine for the live view, PNG and SVG.

Coordinates are unscaled content pixels (the view applies zoom and scrolling with the
painter's transform). Only the items in the requested vertical range are drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPen,
    QPolygonF,
)

from client.engine.ladder import (
    ControlArrow,
    DataArrow,
    DataState,
    LadderModel,
    NoteMark,
    ProxyMark,
    Side,
    format_time_axis,
)
from client.protocol.annotate import Severity
from client.ui.inspector.geometry import (
    CONTROL_HEIGHT,
    DECODED_HEIGHT,
    HEADER_HEIGHT,
    LadderGeometry,
)
from client.ui.inspector.label_fit import fit_control_label, fit_data_title, fit_decoded_line
from client.ui.inspector.ladder_colours import LadderColours, severity_colour, state_colour, tint
from client.ui.inspector.ladder_proxy_marks import ProxyMarkPainter

__all__ = ["LadderPainter", "LadderColours", "TIME_GUTTER", "MIN_DIAGRAM_WIDTH", "state_colour"]

TIME_GUTTER = 72  # the time axis, left of the client lifeline (wide layout)
_LIFELINE_MARGIN = 56
_COMPACT_BELOW = 520  # narrower than this (a dock at the side): smaller gutter and margins
MIN_DIAGRAM_WIDTH = 320
_TIME_PAD = 12  # a time box (gutter - 10 px) keeps 2 px of room left of the widest time
TEXT_MIN_SCALE = 0.35  # below this zoom, arrows without their labels


class LadderPainter:
    """Draws a :class:`LadderModel` laid out by a :class:`LadderGeometry`."""

    def __init__(self, model: LadderModel, geometry: LadderGeometry,
                 colours: LadderColours | None = None, font: QFont | None = None) -> None:
        self.model = model
        self.geometry = geometry
        self.colours = (colours or LadderColours()).qt()
        self.font = QFont(font) if font is not None else QFont()
        if self.font.pointSizeF() <= 0 or self.font.pointSizeF() > 10:
            self.font.setPointSizeF(9.0)
        self.small = QFont(self.font)
        self.small.setPointSizeF(self.font.pointSizeF() - 1)
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        self.mono = QFont("DejaVu Sans Mono")
        self.mono.setStyleHint(QFont.StyleHint.Monospace)
        self.mono.setPointSizeF(self.small.pointSizeF())
        # the widest time the axis shows (at most 8 characters), measured in its font:
        # a fixed pixel width cut the leading digits once a session passed 100 s
        metrics = QFontMetricsF(self.mono)
        self._time_width = max(metrics.horizontalAdvance(format_time_axis(t))
                               for t in (999.999, 99_999.9, 999_999.0))
        self._gutter, self._margin = self.gutter_and_margin(float(_COMPACT_BELOW))
        self._overview = False
        self.marks = ProxyMarkPainter(self)

    def pen(self, colour: QColor, width: float = 1.0,
             style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        """A pen; in the overview (no texts, squeezed vertically) a cosmetic one, so
        lines keep one device pixel whatever the scale."""
        pen = QPen(colour, width, style)
        if self._overview:
            pen.setWidthF(1.0 if width < 3 else 3.0)
            pen.setCosmetic(True)
        return pen

    # -- geometry ----------------------------------------------------------------------

    def gutter_and_margin(self, width: float) -> tuple[float, float]:
        """The time axis' width (never narrower than its widest time plus the room
        before the axis line) and the room outside each lifeline, for ``width``."""
        gutter, margin = (56.0, 20.0) if width < _COMPACT_BELOW else \
            (float(TIME_GUTTER), float(_LIFELINE_MARGIN))
        return max(gutter, self._time_width + _TIME_PAD), margin

    def lifeline_x(self, width: float) -> tuple[float, float]:
        width = max(width, MIN_DIAGRAM_WIDTH)
        gutter, margin = self.gutter_and_margin(width)
        return gutter + margin, width - margin

    # -- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter, width: float, y0: float, y1: float, *,
              selected: int | None = None, now: float | None = None,
              animation: float = 0.0, header_at: float | None = None,
              several: bool | None = None, header: bool = True) -> None:
        """Paint content rows [y0, y1) for a diagram ``width`` pixels wide.

        ``header_at`` draws the lifeline header at that content y (the view pins it to
        the top of the viewport); None draws it at the top of the content.
        ``animation`` (seconds) moves the dashes of connecting arrows.
        """
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        # level of detail: below this scale text is unreadable and costs most of the
        # time (zoom to fit on a long session), so only the arrows are drawn
        texts = abs(painter.worldTransform().m22()) >= TEXT_MIN_SCALE
        self._overview = not texts
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, texts)
        cx, sx = self.lifeline_x(width)
        self._gutter, self._margin = self.gutter_and_margin(max(width, MIN_DIAGRAM_WIDTH))
        painter.fillRect(QRectF(0, y0, max(width, MIN_DIAGRAM_WIDTH), y1 - y0),
                         self.colours.background)
        if several is None:
            several = len(self.model.lifelines) > 1
        # time axis and lifelines under everything
        painter.setPen(self.pen(self.colours.lifeline, 1, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(self._gutter - 6, max(y0, HEADER_HEIGHT)),
                         QPointF(self._gutter - 6, y1))
        painter.setPen(self.pen(self.colours.lifeline, 2))
        px = self.proxy_x(cx, sx)
        for x in (cx, sx) if px is None else (cx, px, sx):
            painter.drawLine(QPointF(x, max(y0, HEADER_HEIGHT)), QPointF(x, y1))
        for index in self.geometry.visible(y0, y1):
            item = self.model.items[index]
            top = self.geometry.top(index)
            if index == selected:
                painter.fillRect(QRectF(0, top, max(width, MIN_DIAGRAM_WIDTH),
                                        self.geometry.height_of(item)),
                                 tint(self.colours.selection, self.colours.background,
                                       self.colours.selection.alphaF()))
            if texts:
                if isinstance(item, DataArrow):
                    self._time_label(painter, item.t, top + 26)
                elif isinstance(item, ControlArrow):
                    self._time_label(painter, item.t, top + CONTROL_HEIGHT - 6)
                else:
                    self._time_label(painter, item.t, top + 11)
            prefix = f"[{item.connection}] " if several else ""
            if isinstance(item, ControlArrow):
                self.control(painter, item, top, cx, sx, prefix, texts)
                if px is not None:
                    self.marks.relay(painter, px, top + CONTROL_HEIGHT - 6)
            elif isinstance(item, DataArrow):
                self._data(painter, item, top, cx, sx, prefix, now, animation, texts)
                if px is not None and item.via_proxy:
                    self.marks.relay(painter, px, top + 26)
            elif isinstance(item, ProxyMark):
                self.marks.paint(painter, item, top, cx,
                                 px if px is not None else (cx + sx) / 2, sx, prefix, texts)
            else:
                self._note(painter, item, top, cx, sx, prefix, texts)
        self._overview = False
        if header:
            self._header(painter, width, y0 if header_at is None else header_at)

    def paint_header(self, painter: QPainter, width: float, y: float = 0.0) -> None:
        """The lifeline header alone (the view draws it unscaled over the overview)."""
        self._overview = False
        self._header(painter, width, y)

    def _time_label(self, painter: QPainter, t: float, y: float) -> None:
        """The time of an item on the time axis, level with its arrow at ``y``."""
        painter.setFont(self.mono)
        painter.setPen(self.colours.muted)
        painter.drawText(QRectF(0, y - 7, self._gutter - 10, 14),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         format_time_axis(self.model.axis_time(t)))

    def proxy_x(self, cx: float, sx: float) -> float | None:
        """The proxy's lifeline, half way between client and server, when the diagram's
        connection went through a proxy."""
        return (cx + sx) / 2 if self.model.primary_lifelines().proxy is not None else None

    def header_boxes(self, width: float, y: float = 0.0) -> list[tuple[QRectF, str]]:
        """The lifeline labels' boxes (client, proxy when there is one, server) and their
        texts, side by side and never overlapping: the side boxes stay inside the
        diagram, the proxy's box takes the room left between them (labels elided in
        the middle)."""
        width = max(width, MIN_DIAGRAM_WIDTH)
        cx, sx = self.lifeline_x(width)
        lifelines = self.model.primary_lifelines()
        metrics = QFontMetrics(self.bold)
        px = self.proxy_x(cx, sx)
        middle = lifelines.proxy_label if px is not None else None
        room = (width / 2 - 8) if middle is None else (sx - cx) / 2 - 28

        def box(label: str, limit: float) -> tuple[str, float]:
            text = metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, int(max(limit, 1)))
            return text, metrics.horizontalAdvance(text) + 16

        client_text, client_w = box(lifelines.client_label, room)
        server_text, server_w = box(lifelines.server_label, room)
        client_left = min(max(cx - client_w / 2, 2), width - client_w - 2)
        server_left = min(max(sx - server_w / 2, 2), width - server_w - 2)
        boxes = [(QRectF(client_left, y + 8, client_w, 24), client_text)]
        if middle is not None and px is not None:
            low, high = client_left + client_w + 4, server_left - 4
            text, w = box(middle, min(room, high - low - 16))
            left = min(max(px - w / 2, low), high - w)
            boxes.append((QRectF(left, y + 8, w, 24), text))
        boxes.append((QRectF(server_left, y + 8, server_w, 24), server_text))
        return boxes

    def _header(self, painter: QPainter, width: float, y: float) -> None:
        width = max(width, MIN_DIAGRAM_WIDTH)
        painter.fillRect(QRectF(0, y, width, HEADER_HEIGHT), self.colours.background)
        painter.setFont(self.bold)
        boxes = self.header_boxes(width, y)
        for box, text in boxes:
            painter.setPen(QPen(self.colours.lifeline, 1))
            painter.setBrush(QBrush(self.colours.header))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(self.colours.text)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setFont(self.small)
        painter.setPen(self.colours.muted)
        painter.drawText(QRectF(0, y + 34, self._gutter - 8, 14),
                         int(Qt.AlignmentFlag.AlignRight), "time")
        painter.setPen(QPen(self.colours.lifeline, 2))
        cx, sx = self.lifeline_x(width)
        px = self.proxy_x(cx, sx)
        for x in (cx, sx) if px is None else (cx, px, sx):
            painter.drawLine(QPointF(x, y + 32), QPointF(x, y + HEADER_HEIGHT))

    def arrowhead(self, painter: QPainter, tip: QPointF, direction: float, size: float,
                   colour: QColor) -> None:
        back = tip.x() - direction * size
        polygon = QPolygonF([tip, QPointF(back, tip.y() - size / 2),
                             QPointF(back, tip.y() + size / 2)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(polygon)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def control(self, painter: QPainter, arrow: ControlArrow, top: float, cx: float,
                 sx: float, prefix: str, texts: bool = True) -> None:
        normal = self.colours.command if arrow.is_command else self.colours.reply
        colour = severity_colour(arrow.severity, normal, self.colours)
        y = top + CONTROL_HEIGHT - 6
        start, end = (cx, sx) if arrow.is_command else (sx, cx)
        direction = 1.0 if end > start else -1.0
        if not texts:  # overview: control traffic recedes, data connections stand out
            painter.setPen(self.pen(tint(colour, self.colours.background, 0.3), 1.0))
            painter.drawLine(QPointF(start, y), QPointF(end, y))
            return
        painter.setPen(self.pen(colour, 1.5))
        painter.drawLine(QPointF(start, y), QPointF(end - direction * 8, y))
        self.arrowhead(painter, QPointF(end, y), direction, 8, colour)
        painter.setFont(self.font)
        text, *decoded = self.control_texts(arrow, cx, sx, prefix)
        painter.setPen(colour if arrow.severity is not Severity.INFO else self.colours.text)
        align = Qt.AlignmentFlag.AlignLeft if arrow.is_command else Qt.AlignmentFlag.AlignRight
        painter.drawText(QRectF(cx + 12, top + 2, sx - cx - 24, CONTROL_HEIGHT - 10),
                         int(align | Qt.AlignmentFlag.AlignBottom), text)
        painter.setFont(self.small)
        for n, line in enumerate(decoded):
            line_top = top + CONTROL_HEIGHT + n * DECODED_HEIGHT - 2
            painter.setPen(colour if n == 0 else self.colours.warning)
            painter.drawText(QRectF(cx + 24, line_top, sx - cx - 36, DECODED_HEIGHT),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             line)

    def control_texts(self, arrow: ControlArrow, cx: float, sx: float,
                      prefix: str = "") -> tuple[str, ...]:
        """The label and the decoded lines as drawn between lifelines at ``cx`` and
        ``sx``: shortened to fit, keeping the reply code and the address and port."""
        label = prefix + arrow.label
        if arrow.extra_lines:
            label += f"  (+{arrow.extra_lines} lines)"
        text = fit_control_label(label, QFontMetrics(self.font), int(sx - cx - 24))
        small = QFontMetrics(self.small)
        return (text,) + tuple(fit_decoded_line("⇒ " + line, small, int(sx - cx - 36))
                               for line in arrow.decoded)

    def _data_title(self, arrow: DataArrow, prefix: str, width: int) -> tuple[str, QFont]:
        return fit_data_title(
            (f"{prefix}data #{arrow.channel} {arrow.command}   {arrow.endpoints_label}",
             f"{prefix}#{arrow.channel} {arrow.endpoints_label}",
             f"#{arrow.channel} {arrow.endpoints_label}"),
            arrow.endpoints_label, (self.bold, self.font, self.small), width)

    def data_texts(self, arrow: DataArrow, cx: float, sx: float,
                   prefix: str = "") -> tuple[str, str]:
        """A data arrow's title and set-up line as drawn between ``cx`` and ``sx``: when
        narrow the endpoints come first (the command, then the connection tag give way)
        and the set-up line keeps its end, the port it computes."""
        width = int(sx - cx - 24)
        title = self._data_title(arrow, prefix, width)[0]
        who = "client dials (passive)" if arrow.source is Side.CLIENT else "server dials (active)"
        setup = f" · {arrow.method}" if arrow.method else " · control connection"
        if arrow.setup:
            setup += f" port {arrow.setup}"
        if arrow.advertised is not None and arrow.source is Side.CLIENT and (
                arrow.server_end is not None and arrow.advertised != arrow.server_end):
            setup += f" · advertised {arrow.advertised}"
        return title, fit_decoded_line(who + setup, QFontMetrics(self.small), width)

    def _data(self, painter: QPainter, arrow: DataArrow, top: float, cx: float, sx: float,
              prefix: str, now: float | None, animation: float, texts: bool = True) -> None:
        colour = state_colour(arrow.state, self.colours)
        start, end = (cx, sx) if arrow.source is Side.CLIENT else (sx, cx)
        direction = 1.0 if end > start else -1.0
        y = top + 26
        reach = 1.0
        if arrow.state is DataState.FAILED:
            reach = 0.72
        elif arrow.state in (DataState.SETUP, DataState.CONNECTING, DataState.WAITING):
            reach = 0.86
        tip_x = start + (end - start) * reach
        pen = self.pen(colour, 4)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if arrow.state in (DataState.SETUP, DataState.CONNECTING, DataState.WAITING):
            pen.setStyle(Qt.PenStyle.CustomDashLine)
            pen.setDashPattern([3.0, 2.0])
            pen.setDashOffset(-animation * 10.0 if arrow.state is not DataState.WAITING else 0)
        painter.setPen(pen)
        painter.drawLine(QPointF(start, y), QPointF(tip_x - direction * 10, y))
        if arrow.state is DataState.FAILED:
            painter.setPen(self.pen(colour, 3))
            painter.drawLine(QPointF(tip_x - 7, y - 7), QPointF(tip_x + 7, y + 7))
            painter.drawLine(QPointF(tip_x - 7, y + 7), QPointF(tip_x + 7, y - 7))
        else:
            self.arrowhead(painter, QPointF(tip_x, y), direction, 13, colour)
        if not texts:
            return
        # label above: which connection, endpoints, the arithmetic that set it up
        width = sx - cx - 24
        title, setup = self.data_texts(arrow, cx, sx, prefix)
        painter.setFont(self._data_title(arrow, prefix, int(width))[1])
        painter.setPen(self.colours.text)
        painter.drawText(QRectF(cx + 12, top + 2, width, 16),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                         title)
        painter.setFont(self.small)
        painter.setPen(self.colours.muted)
        painter.drawText(QRectF(cx + 12, top + 34, width, 14),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                         setup)
        status = arrow.status_text(now)
        if arrow.state is DataState.FAILED and arrow.reason:
            status += f" — {arrow.reason}"
        if arrow.tls_detail:
            status += f" · TLS {arrow.tls_detail}"
        painter.setFont(self.bold if arrow.state in (DataState.FAILED, DataState.WAITING)
                        else self.small)
        status_metrics = QFontMetrics(painter.font())
        painter.setPen(colour)
        painter.drawText(QRectF(cx + 12, top + 47, width, 15),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                         status_metrics.elidedText(status, Qt.TextElideMode.ElideRight,
                                                   int(width)))

    def _note(self, painter: QPainter, note: NoteMark, top: float, cx: float, sx: float,
              prefix: str, texts: bool = True) -> None:
        colour = severity_colour(note.severity, self.colours.muted, self.colours)
        if not texts:
            painter.fillRect(QRectF((cx + sx) / 2 - 40, top + 3, 80, 16),
                             tint(colour, self.colours.background, 0.35))
            return
        painter.setFont(self.small)
        metrics = QFontMetrics(self.small)
        text = metrics.elidedText(prefix + note.text, Qt.TextElideMode.ElideRight,
                                  int(sx - cx - 24))
        box_w = metrics.horizontalAdvance(text) + 14
        box = QRectF((cx + sx) / 2 - box_w / 2, top + 3, box_w, 16)
        fill = tint(colour, self.colours.background, 0.11)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(box, 3, 3)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(colour if note.severity is not Severity.INFO else self.colours.text)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
