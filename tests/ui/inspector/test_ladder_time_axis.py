"""The ladder's time axis shows every digit of a time in a narrow dock, long into a
session (``207.778s`` once showed as ``07.778s``)."""

from __future__ import annotations

import pytest
from ladder_scenarios import Script
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QImage, QPainter

from client.engine.ladder import LadderModel
from client.ui.inspector.geometry import LadderGeometry
from client.ui.inspector.ladder_painter import LadderPainter

pytestmark = pytest.mark.gui


class _RecordingPainter(QPainter):
    """Paints as usual and remembers each text drawn in a box, with its font."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[tuple[QRectF, str, QFontMetricsF]] = []

    def drawText(self, *args: object) -> None:  # noqa: N802 - Qt's name
        if len(args) == 3 and isinstance(args[0], QRectF):
            self.texts.append((QRectF(args[0]), str(args[2]), QFontMetricsF(self.font())))
        super().drawText(*args)


@pytest.mark.parametrize("width", [300, 420, 700])
@pytest.mark.parametrize("t", [7.5, 207.778, 4321.5, 123_456.0])
def test_times_fit_the_axis(qapp, width: int, t: float) -> None:
    model = LadderModel()
    model.feed_all(Script().send(t, "NOOP").reply(t + 0.001, "200 ok").events)
    geometry = LadderGeometry(model)
    geometry.sync()
    image = QImage(width, 300, QImage.Format.Format_ARGB32_Premultiplied)
    painter = _RecordingPainter(image)
    try:
        LadderPainter(model, geometry).paint(painter, width, 0.0, 300.0)
    finally:
        painter.end()
    times = [(box, text, m) for box, text, m in painter.texts if text.endswith("s")
             and text[:-1].replace(".", "").isdigit()]
    assert times, painter.texts
    for box, text, metrics in times:
        assert box.left() >= 0 and metrics.horizontalAdvance(text) <= box.width(), \
            (text, box, metrics.horizontalAdvance(text))
