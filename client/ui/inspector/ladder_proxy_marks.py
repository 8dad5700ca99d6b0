"""How the diagram draws a proxy: a connection opened through it (client → proxy, then
proxy → server, the failed leg crossed out) and the ring where an arrow passes through
its lifeline. The lifeline and its header box are the main painter's
(:mod:`client.ui.inspector.ladder_painter`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetrics, QPainter

from client.engine.ladder import ProxyMark

if TYPE_CHECKING:
    from client.ui.inspector.ladder_painter import LadderPainter

__all__ = ["ProxyMarkPainter"]


class ProxyMarkPainter:
    """Draws with the pens, fonts and colours of ``diagram``."""

    def __init__(self, diagram: LadderPainter) -> None:
        self.diagram = diagram

    def relay(self, painter: QPainter, x: float, y: float) -> None:
        """A ring where an arrow passes through the proxy (relayed, not answered there)."""
        painter.setPen(self.diagram.pen(self.diagram.colours.lifeline, 1.5))
        painter.setBrush(QBrush(self.diagram.colours.background))
        painter.drawEllipse(QPointF(x, y), 4, 4)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def paint(self, painter: QPainter, mark: ProxyMark, top: float, cx: float, px: float,
              sx: float, prefix: str, texts: bool = True) -> None:
        """Client → proxy (the request), then proxy → server (its dial); the leg that
        failed ends in a cross and says why."""
        ok = self.diagram.colours.command
        bad = self.diagram.colours.error
        first_failed = mark.failed_hop == "client-proxy"
        second_failed = mark.failed_hop == "proxy-server"
        why = mark.reason or mark.text
        legs = [(cx, px, top + 16, first_failed, f"{prefix}{mark.what}: {mark.request}")]
        if not first_failed:
            second = (f"{prefix}could not reach {mark.target}: {why}" if second_failed
                      else f"{mark.what}: proxy dials {mark.target}")
            legs.append((px, sx, top + 38, second_failed, second))
        for start, end, y, failed, label in legs:
            colour = bad if failed else ok
            tip = start + (end - start) * (0.72 if failed else 1.0)
            painter.setPen(self.diagram.pen(
                colour, 2 if not failed else 2.5,
                Qt.PenStyle.DashLine if not failed else Qt.PenStyle.SolidLine))
            painter.drawLine(QPointF(start, y), QPointF(tip - (0 if failed else 8), y))
            if failed:
                painter.setPen(self.diagram.pen(colour, 3))
                painter.drawLine(QPointF(tip - 6, y - 6), QPointF(tip + 6, y + 6))
                painter.drawLine(QPointF(tip - 6, y + 6), QPointF(tip + 6, y - 6))
            else:
                self.diagram.arrowhead(painter, QPointF(end, y), 1.0, 8, colour)
            if not texts:
                continue
            painter.setFont(self.diagram.small)
            metrics = QFontMetrics(self.diagram.small)
            painter.setPen(colour if failed else self.diagram.colours.text)
            if failed and start == px:  # the reason ends at the cross, on its row
                room = int(tip - cx - 20)
                painter.drawText(QRectF(cx + 8, y - 15, room, 13),
                                 int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                                 metrics.elidedText(label, Qt.TextElideMode.ElideRight, room))
                continue
            room = int(sx - start - 16)
            painter.drawText(QRectF(start + 8, y - 15, room, 13),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, room))
        if texts and first_failed:  # the reason, across the room the second leg would use
            painter.setFont(self.diagram.small)
            metrics = QFontMetrics(self.diagram.small)
            room = int(sx - cx - 16)
            painter.setPen(bad)
            painter.drawText(QRectF(cx + 8, top + 24, room, 13),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(why, Qt.TextElideMode.ElideRight, room))
