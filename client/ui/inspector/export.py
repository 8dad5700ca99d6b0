"""Exports of the inspector: the diagram as PNG, SVG and ASCII text; the data-channel
table as CSV.

PNG and SVG are painted by the same :class:`LadderPainter` as the live view, at 100 %
zoom. A very long session is cut to its most recent part (the part a bug report is
about) so that an image stays a size image viewers and ticket systems accept; the cut
is said in the header note.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from client.engine.ladder import LadderModel, channel_rows, rows_to_csv
from client.engine.ladder_ascii import render_ladder
from client.ui.inspector.geometry import FOOTER_HEIGHT, HEADER_HEIGHT, LadderGeometry
from client.ui.inspector.ladder_colours import LadderColours
from client.ui.inspector.ladder_painter import MIN_DIAGRAM_WIDTH, LadderPainter

__all__ = [
    "DEFAULT_EXPORT_WIDTH",
    "MAX_PNG_HEIGHT",
    "MAX_SVG_HEIGHT",
    "diagram_size",
    "render_image",
    "export_png",
    "export_svg",
    "export_text",
    "export_csv",
]

DEFAULT_EXPORT_WIDTH = 960
MAX_PNG_HEIGHT = 30_000  # pixels; QImage and most viewers cope, ~115 MB at 32 bpp
MAX_SVG_HEIGHT = 300_000


def _layout(model: LadderModel) -> LadderGeometry:
    geometry = LadderGeometry(model)
    geometry.sync()
    return geometry


def _first_item(geometry: LadderGeometry, max_height: int) -> int:
    """The first item to export so that the image is at most ``max_height`` high."""
    count = len(geometry)
    if count == 0 or geometry.content_height <= max_height:
        return 0
    budget = max_height - HEADER_HEIGHT - FOOTER_HEIGHT
    end = geometry.bottom(count - 1)
    first = count - 1
    while first > 0 and end - geometry.top(first - 1) <= budget:
        first -= 1
    return first


def _span(geometry: LadderGeometry, first: int) -> tuple[float, float]:
    """Content y of the exported band's top (where the header goes) and its height."""
    if len(geometry) == 0:
        return 0.0, float(geometry.content_height)
    start = geometry.top(first) - HEADER_HEIGHT
    return float(start), float(geometry.content_height - start)


def diagram_size(model: LadderModel, *, width: int = DEFAULT_EXPORT_WIDTH,
                 max_height: int = MAX_PNG_HEIGHT) -> QSize:
    """The pixel size an export of ``model`` will have."""
    geometry = _layout(model)
    _, height = _span(geometry, _first_item(geometry, max_height))
    return QSize(max(width, MIN_DIAGRAM_WIDTH), int(height))


def _paint(painter: QPainter, model: LadderModel, geometry: LadderGeometry, width: int,
           first: int, colours: LadderColours | None, now: float | None) -> None:
    start, height = _span(geometry, first)
    diagram = LadderPainter(model, geometry, colours)
    painter.translate(0, -start)
    diagram.paint(painter, width, start, start + height, now=now, header_at=start)


def render_image(model: LadderModel, *, width: int = DEFAULT_EXPORT_WIDTH,
                 colours: LadderColours | None = None, now: float | None = None,
                 max_height: int = MAX_PNG_HEIGHT) -> QImage:
    """The diagram as an image, ``width`` pixels wide, as tall as the session needs
    (the most recent part when longer than ``max_height``)."""
    width = max(width, MIN_DIAGRAM_WIDTH)
    geometry = _layout(model)
    first = _first_item(geometry, max_height)
    _, height = _span(geometry, first)
    image = QImage(width, int(height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    try:
        _paint(painter, model, geometry, width, first, colours, now)
    finally:
        painter.end()
    return image


def export_png(model: LadderModel, path: str | Path, *, width: int = DEFAULT_EXPORT_WIDTH,
               now: float | None = None) -> QSize:
    """Write the diagram as PNG; returns its size. Raises OSError when it cannot."""
    image = render_image(model, width=width, now=now)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write the PNG image to {path}")
    return image.size()


def export_svg(model: LadderModel, path: str | Path, *, width: int = DEFAULT_EXPORT_WIDTH,
               now: float | None = None) -> QSize:
    """Write the diagram as SVG (vector: text stays text); returns its size."""
    width = max(width, MIN_DIAGRAM_WIDTH)
    geometry = _layout(model)
    first = _first_item(geometry, MAX_SVG_HEIGHT)
    _, height = _span(geometry, first)
    size = QSize(width, int(height))
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle("FTP Inspector ladder diagram")
    generator.setDescription("Control and data connections of an FTP session")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write the SVG image to {path}")
    try:
        _paint(painter, model, geometry, width, first, None, now)
    finally:
        painter.end()
    return size


def export_text(model: LadderModel, path: str | Path, *, width: int = 100,
                now: float | None = None) -> str:
    """Write the ASCII ladder (the same text as the CLI's ``--ladder``); returns it."""
    text = render_ladder(model, width=width, now=now)
    Path(path).write_text(text, encoding="utf-8")
    return text


def export_csv(model: LadderModel, path: str | Path, *, now: float | None = None) -> str:
    """Write the data-channel table as CSV; returns it."""
    text = rows_to_csv(channel_rows(model, now))
    Path(path).write_text(text, encoding="utf-8", newline="")
    return text
